using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>
/// One field line's value in the base (RFC 9421 §2.1): SP and HTAB stripped at both ends, each obsolete line folding
/// (OWS CRLF RWS, or a bare LF followed by RWS) replaced by one space, any other CR or LF refused, and nothing but
/// printable ASCII and HTAB written.
/// </summary>
public sealed class SignatureBaseFieldLineTests
{
    private const string NotAFolding = "A field value contains a line break that is not an obsolete line folding (RFC 9421 §2.1).";
    private const string NotPrintable = "A component value contains a non-ASCII or control character; the signature base must be printable ASCII (RFC 9421 §2.5).";

    private static string Line(string value)
    {
        TestRequest request = new TestRequest("GET", "/").With("X-Test", value);
        SfInnerList covered = StructuredFieldParser.ParseDictionary("s=(\"x-test\")").Members[0].Value.InnerList!;
        string signatureBase = SignatureBase.Build(request, covered);
        return signatureBase[..signatureBase.IndexOf("\n\"@signature-params\"", StringComparison.Ordinal)];
    }

    private static string Refusal(string value) => Assert.Throws<SignatureBaseException>(() => Line(value)).Message;

    [Theory]
    [InlineData("Obsolete\r\n    line folding.", "Obsolete line folding.")]
    [InlineData("Obsolete\r\n\tline folding.", "Obsolete line folding.")]
    [InlineData("Obsolete \t\r\n \t line folding.", "Obsolete line folding.")]
    [InlineData("a\r\n b\n c\r\n\td", "a b c d")]
    [InlineData("  a\r\n b  ", "a b")]
    [InlineData("a\t b", "a\t b")]
    public void Build_ObsoleteLineFolding_IsOneSpace(string value, string expected)
    {
        Assert.Equal($"\"x-test\": {expected}", Line(value));
    }

    [Fact]
    public void Build_LineStartingWithAFolding_KeepsTheSpaceItBecomes()
    {
        // RFC 9421 §2.1 strips leading and trailing whitespace first, then replaces each obsolete folding by a space:
        // "X-Test:" CRLF SP "x" (a value that is only a folding and "x") is " x", and SP/HTAB stripping never removes CR LF.
        Assert.Equal("\"x-test\":  x", Line("\r\n x"));
        Assert.Equal("\"x-test\":  x", Line("\n\tx"));
    }

    [Theory]
    [InlineData("a\r")]
    [InlineData("a\n")]
    [InlineData("a\r\n")]
    [InlineData("a\r\n\r\n b")]
    [InlineData("a\rb")]
    [InlineData("a\rb c")]
    [InlineData("a\nb")]
    [InlineData("a\r\nb")]
    [InlineData("a\r\n b\r\nc")]
    [InlineData("\r")]
    [InlineData("\r\n")]
    public void Build_LineBreakThatIsNotAFolding_IsRefused(string value)
    {
        // A CR not followed by LF, or a CR LF / LF not followed by SP or HTAB, at any position including the end.
        Assert.Equal(NotAFolding, Refusal(value));
    }

    [Theory]
    [InlineData("caf\u00e9")]
    [InlineData("a\u0001b")]
    [InlineData("\u000bvalue")]
    [InlineData("value\u000b")]
    [InlineData("\u00a0value")]
    [InlineData("a\u000b\r\n b")]
    [InlineData("a\r\n \u000bb")]
    [InlineData("a\u007f")]
    public void Build_NonAsciiOrControlCharacter_IsRefusedEvenAtTheEdgesOfAFolding(string value)
    {
        // Only SP and HTAB are whitespace to strip; a vertical tab or no-break space next to a folding is data, and refused.
        Assert.Equal(NotPrintable, Refusal(value));
    }

    [Fact]
    public void Build_NonAsciiDerivedValue_IsRefused()
    {
        var request = new TestRequest("G\u00c9T", "/");
        SfInnerList covered = StructuredFieldParser.ParseDictionary("s=(\"@method\")").Members[0].Value.InnerList!;

        Assert.Equal(NotPrintable, Assert.Throws<SignatureBaseException>(() => SignatureBase.Build(request, covered)).Message);
    }
}
