using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>
/// Field components (RFC 9421 §2.1): which names are fields, the structured-field types <c>sf</c> knows, <c>key</c> and
/// <c>sf</c> over several field lines, <c>bs</c> byte sequences, and identifiers that differ only by parameters.
/// </summary>
public sealed class SignatureBaseFieldComponentTests
{
    private static SfInnerList Covered(string identifiers) =>
        StructuredFieldParser.ParseDictionary($"s=({identifiers})").Members[0].Value.InnerList!;

    private static string Line(IHttpRequestView request, string identifier)
    {
        string signatureBase = SignatureBase.Build(request, Covered(identifier));
        return signatureBase[..signatureBase.IndexOf('\n', StringComparison.Ordinal)];
    }

    [Theory]
    [InlineData("signature-input")]
    [InlineData("signature")]
    [InlineData("accept-signature")]
    [InlineData("content-digest")]
    [InlineData("repr-digest")]
    [InlineData("want-content-digest")]
    [InlineData("want-repr-digest")]
    [InlineData("priority")]
    public void Build_SfOnAKnownDictionaryField_ReserialisesItAsADictionary(string name)
    {
        // "a=1,   b=?1" is a Dictionary and not a List, so only a field known as a Dictionary gives this line.
        TestRequest request = new TestRequest("GET", "/").With(name, "a=1,   b=?1;x=2");

        Assert.Equal($"\"{name}\";sf: a=1, b;x=2", Line(request, $"\"{name}\";sf"));
    }

    [Theory]
    [InlineData("cache-status")]
    [InlineData("proxy-status")]
    [InlineData("accept-ch")]
    public void Build_SfOnAKnownListField_ReserialisesItAsAList(string name)
    {
        // A String member makes it a List that is not a Dictionary.
        TestRequest request = new TestRequest("GET", "/").With(name, "\"ExampleCache\";hit,    tok;ttl=30");

        Assert.Equal($"\"{name}\";sf: \"ExampleCache\";hit, tok;ttl=30", Line(request, $"\"{name}\";sf"));
    }

    [Fact]
    public void Build_SfOverSeveralFieldLines_CombinesThemBeforeParsing()
    {
        TestRequest request = new TestRequest("GET", "/")
            .With("Content-Digest", "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:")
            .With("Content-Digest", "unixsum=:GQU=:");

        Assert.Equal("\"content-digest\";sf: sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:, unixsum=:GQU=:", Line(request, "\"content-digest\";sf"));
    }

    [Theory]
    [InlineData("a", "1")]
    [InlineData("b", "2;x")]
    public void Build_KeyOverSeveralFieldLines_FindsAMemberOfAnyLine(string key, string value)
    {
        TestRequest request = new TestRequest("GET", "/").With("Example-Dict", "a=1").With("Example-Dict", "b=2;x");

        Assert.Equal($"\"example-dict\";key=\"{key}\": {value}", Line(request, $"\"example-dict\";key=\"{key}\""));
    }

    [Theory]
    [InlineData("z")]
    [InlineData("x-z09")]
    [InlineData("0-9")]
    [InlineData("a!#$%&'*+-.^_`|~")]
    public void Build_FieldNameOfAnyLowerCaseTokenCharacter_IsAField(string name)
    {
        TestRequest request = new TestRequest("GET", "/").With(name, "v");

        Assert.Equal($"\"{name}\": v", Line(request, $"\"{name}\""));
    }

    [Theory]
    [InlineData("\"example-dict\";key=\"a\" \"example-dict\";key=\"b\"", "\"example-dict\";key=\"a\": 1\n\"example-dict\";key=\"b\": 2\n")]
    [InlineData("\"priority\";sf \"priority\";key=\"u\"", "\"priority\";sf: u=1, i\n\"priority\";key=\"u\": 1\n")]
    [InlineData("\"priority\";key=\"u\" \"priority\";bs", "\"priority\";key=\"u\": 1\n\"priority\";bs: :dT0xLCBp:\n")]
    public void Build_SameFieldWithDifferentParameterValuesOrKeys_IsNotADuplicate(string identifiers, string expected)
    {
        TestRequest request = new TestRequest("GET", "/").With("Example-Dict", "a=1, b=2").With("Priority", "u=1, i");

        Assert.StartsWith(expected, SignatureBase.Build(request, Covered(identifiers)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("caf\u00e9", "Y2Fm6Q==")]
    [InlineData("\u00ff", "/w==")]
    [InlineData("\u00a0x\u00a0", "oHig")]
    [InlineData("\u20ac", "4oKs")]
    [InlineData("caf\u00e9 \u20ac", "Y2Fmw6kg4oKs")]
    public void Build_BsOverNonAsciiValues_EncodesLatin1AsReceivedAndOtherwiseUtf8(string value, string base64)
    {
        // A server reads field bytes as Latin-1 (one char per byte), so those chars are the bytes on the wire; a value
        // with a char above U+00FF cannot have come from bytes that way and is taken as UTF-8. Only SP and HTAB are
        // trimmed: U+00A0 is data.
        TestRequest request = new TestRequest("GET", "/").With("X-Bytes", value);

        Assert.Equal($"\"x-bytes\";bs: :{base64}:", Line(request, "\"x-bytes\";bs"));
    }

    [Theory]
    [InlineData(" \tab \t", "YWI=")]
    [InlineData("a\r\n b", "YSBi")]
    [InlineData("a  \r\n\t  b", "YSBi")]
    [InlineData("a\n b\r\n c", "YSBiIGM=")]
    public void Build_BsOverAFoldedOrPaddedLine_EncodesTheTrimmedUnfoldedValue(string value, string base64)
    {
        TestRequest request = new TestRequest("GET", "/").With("X-Bytes", value);

        Assert.Equal($"\"x-bytes\";bs: :{base64}:", Line(request, "\"x-bytes\";bs"));
    }

    [Theory]
    [InlineData("\nb")]
    [InlineData("a\nb")]
    [InlineData("a\r")]
    public void Build_BsOverABareLineBreak_IsRefused(string value)
    {
        TestRequest request = new TestRequest("GET", "/").With("X-Bytes", value);

        SignatureBaseException exception = Assert.Throws<SignatureBaseException>(() => Line(request, "\"x-bytes\";bs"));
        Assert.Equal("A field value contains a line break that is not an obsolete line folding (RFC 9421 §2.1).", exception.Message);
    }

    [Fact]
    public void Build_NullFieldLines_AreEmptyLines()
    {
        var request = new FieldValuesRequest(new StringValues(["a", null, "b"]));

        Assert.Equal("\"x-lines\": a, , b", Line(request, "\"x-lines\""));
        Assert.Equal("\"x-lines\";bs: :YQ==:, ::, :Yg==:", Line(request, "\"x-lines\";bs"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Build_FieldWhoseLinesAreAllNull_IsAbsent(int count)
    {
        var request = new FieldValuesRequest(new StringValues(new string?[count]));

        SignatureBaseException exception = Assert.Throws<SignatureBaseException>(() => Line(request, "\"x-lines\""));
        Assert.Equal("The covered field 'x-lines' is absent from the request (RFC 9421 §2.5).", exception.Message);
    }

    /// <summary>A request view whose one field has the given lines, null entries included (as a <see cref="StringValues"/> may hold).</summary>
    private sealed class FieldValuesRequest(StringValues lines) : IHttpRequestView
    {
        public string Method => "GET";

        public string Scheme => "https";

        public string Authority => "example.com";

        public string RequestTarget => "/";

        public bool HasContent => false;

        public StringValues GetFieldValues(string fieldName) => fieldName == "x-lines" ? lines : StringValues.Empty;
    }
}
