using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;
using KeyPairAuth.Tests.Vectors;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>RFC 9421 §2.1 and §2.2 canonicalisation examples, and the refusals.</summary>
public sealed class SignatureBaseTests
{
    private static string Line(TestRequest request, string identifier)
    {
        string signatureBase = SignatureBase.Build(request, Rfc9421VectorTests.FirstInnerList($"s=({identifier})"));
        return signatureBase[..signatureBase.IndexOf('\n', StringComparison.Ordinal)];
    }

    private static TestRequest FieldExamples() =>
        new TestRequest("GET", "/")
            .With("Host", "www.example.com")
            .With("X-OWS-Header", "   Leading and trailing whitespace.   ")
            .With("X-Obs-Fold-Header", "Obsolete\n    line folding.")
            .With("Cache-Control", "max-age=60")
            .With("Cache-Control", "   must-revalidate")
            .With("Example-Dict", " a=1,    b=2;x=1;y=2,   c=(a   b   c)")
            .With("X-Empty-Header", "");

    [Theory]
    [InlineData("\"host\"", "\"host\": www.example.com")]
    [InlineData("\"x-ows-header\"", "\"x-ows-header\": Leading and trailing whitespace.")]
    [InlineData("\"x-obs-fold-header\"", "\"x-obs-fold-header\": Obsolete line folding.")]
    [InlineData("\"cache-control\"", "\"cache-control\": max-age=60, must-revalidate")]
    [InlineData("\"example-dict\"", "\"example-dict\": a=1,    b=2;x=1;y=2,   c=(a   b   c)")]
    [InlineData("\"x-empty-header\"", "\"x-empty-header\": ")]
    public void Build_FieldValues_AreTrimmedUnfoldedAndJoined(string identifier, string expected)
    {
        Assert.Equal(expected, Line(FieldExamples(), identifier));
    }

    [Theory]
    [InlineData("a", "\"example-dict\";key=\"a\": 1")]
    [InlineData("d", "\"example-dict\";key=\"d\": ?1")]
    [InlineData("b", "\"example-dict\";key=\"b\": 2;x=1;y=2")]
    [InlineData("c", "\"example-dict\";key=\"c\": (a b c)")]
    public void Build_KeyParameter_SerialisesTheDictionaryMember(string key, string expected)
    {
        TestRequest request = new TestRequest("GET", "/").With("Example-Dict", " a=1, b=2;x=1;y=2, c=(a   b    c), d");

        Assert.Equal(expected, Line(request, $"\"example-dict\";key=\"{key}\""));
    }

    [Fact]
    public void Build_KeyParameter_MissingMember_Throws()
    {
        TestRequest request = new TestRequest("GET", "/").With("Example-Dict", "a=1, b=2");

        Assert.Throws<SignatureBaseException>(() => Line(request, "\"example-dict\";key=\"c\""));
    }

    [Fact]
    public void Build_SfParameter_ReserialisesAKnownDictionaryField()
    {
        TestRequest request = new TestRequest("GET", "/").With("Content-Digest", "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:,    unixsum=:GQU=:");

        Assert.Equal("\"content-digest\";sf: sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:, unixsum=:GQU=:", Line(request, "\"content-digest\";sf"));
    }

    [Fact]
    public void Build_SfParameter_OnAnUnknownField_Throws()
    {
        Assert.Throws<SignatureBaseException>(() => Line(FieldExamples(), "\"example-dict\";sf"));
    }

    [Fact]
    public void Build_BsParameter_WrapsEachLineAsByteSequence()
    {
        TestRequest twoLines = new TestRequest("GET", "/").With("Example-Header", "value, with, lots").With("Example-Header", "of, commas");
        TestRequest oneLine = new TestRequest("GET", "/").With("Example-Header", "value, with, lots, of, commas");

        Assert.Equal("\"example-header\";bs: :dmFsdWUsIHdpdGgsIGxvdHM=:, :b2YsIGNvbW1hcw==:", Line(twoLines, "\"example-header\";bs"));
        Assert.Equal("\"example-header\";bs: :dmFsdWUsIHdpdGgsIGxvdHMsIG9mLCBjb21tYXM=:", Line(oneLine, "\"example-header\";bs"));
    }

    [Theory]
    [InlineData("POST", "/path?param=value", "www.example.com", "https", "\"@method\"", "\"@method\": POST")]
    [InlineData("POST", "/path?param=value", "www.example.com", "https", "\"@target-uri\"", "\"@target-uri\": https://www.example.com/path?param=value")]
    [InlineData("POST", "/path?param=value", "www.example.com", "https", "\"@authority\"", "\"@authority\": www.example.com")]
    [InlineData("POST", "/path?param=value", "WWW.Example.COM:443", "https", "\"@authority\"", "\"@authority\": www.example.com")]
    [InlineData("POST", "/path?param=value", "www.example.com:80", "http", "\"@authority\"", "\"@authority\": www.example.com")]
    [InlineData("POST", "/path?param=value", "www.example.com:80", "https", "\"@authority\"", "\"@authority\": www.example.com:80")]
    [InlineData("POST", "/path?param=value", "[::1]:8443", "https", "\"@authority\"", "\"@authority\": [::1]:8443")]
    [InlineData("POST", "/path?param=value", "www.example.com", "http", "\"@scheme\"", "\"@scheme\": http")]
    [InlineData("POST", "/path?param=value", "www.example.com", "https", "\"@request-target\"", "\"@request-target\": /path?param=value")]
    [InlineData("GET", "/path?param=value", "www.example.com", "https", "\"@path\"", "\"@path\": /path")]
    [InlineData("GET", "/a%2Fb/%7D?x=1", "www.example.com", "https", "\"@path\"", "\"@path\": /a%2Fb/%7D")]
    [InlineData("GET", "/path?param=value&foo=bar&baz=bat%2Dman", "www.example.com", "https", "\"@query\"", "\"@query\": ?param=value&foo=bar&baz=bat%2Dman")]
    [InlineData("GET", "/path?queryString", "www.example.com", "https", "\"@query\"", "\"@query\": ?queryString")]
    [InlineData("GET", "/path", "www.example.com", "https", "\"@query\"", "\"@query\": ?")]
    [InlineData("GET", "/path?", "www.example.com", "https", "\"@query\"", "\"@query\": ?")]
    public void Build_DerivedComponents_MatchRfcExamples(string method, string target, string authority, string scheme, string identifier, string expected)
    {
        Assert.Equal(expected, Line(new TestRequest(method, target, authority, scheme), identifier));
    }

    [Theory]
    [InlineData("/path?param=value&foo=bar&baz=batman&qux=", "baz", "\"@query-param\";name=\"baz\": batman")]
    [InlineData("/path?param=value&foo=bar&baz=batman&qux=", "qux", "\"@query-param\";name=\"qux\": ")]
    [InlineData("/path?param=value&foo=bar&baz=batman&qux=", "param", "\"@query-param\";name=\"param\": value")]
    [InlineData("/parameters?var=this%20is%20a%20big%0Amultiline%20value&bar=with+plus+whitespace&fa%C3%A7ade%22%3A%20=something", "var", "\"@query-param\";name=\"var\": this%20is%20a%20big%0Amultiline%20value")]
    [InlineData("/parameters?var=this%20is%20a%20big%0Amultiline%20value&bar=with+plus+whitespace&fa%C3%A7ade%22%3A%20=something", "bar", "\"@query-param\";name=\"bar\": with%20plus%20whitespace")]
    [InlineData("/parameters?var=this%20is%20a%20big%0Amultiline%20value&bar=with+plus+whitespace&fa%C3%A7ade%22%3A%20=something", "fa%C3%A7ade%22%3A%20", "\"@query-param\";name=\"fa%C3%A7ade%22%3A%20\": something")]
    public void Build_QueryParam_ReencodesPerRfcExamples(string target, string name, string expected)
    {
        Assert.Equal(expected, Line(new TestRequest("GET", target), $"\"@query-param\";name=\"{name}\""));
    }

    [Theory]
    [InlineData("/p?a=1&a=2", "a")]
    [InlineData("/p?a=1", "b")]
    [InlineData("/p", "a")]
    public void Build_QueryParam_RepeatedOrMissing_Throws(string target, string name)
    {
        Assert.Throws<SignatureBaseException>(() => Line(new TestRequest("GET", target), $"\"@query-param\";name=\"{name}\""));
    }

    [Theory]
    [InlineData("\"@status\"")]
    [InlineData("\"@method\";req")]
    [InlineData("\"content-type\";req")]
    [InlineData("\"content-type\";tr")]
    [InlineData("\"@unknown\"")]
    [InlineData("\"@signature-params\"")]
    [InlineData("\"@query-param\"")]
    [InlineData("\"@method\";foo")]
    [InlineData("\"content-type\";name=\"x\"")]
    [InlineData("\"content-type\";bs;sf")]
    [InlineData("\"Content-Type\"")]
    [InlineData("\"\"")]
    [InlineData("\"x-absent\"")]
    [InlineData("\"@method\" \"@method\"")]
    [InlineData("\"example-dict\";key=\"a\";sf \"example-dict\";sf;key=\"a\"")]
    [InlineData("sometoken")]
    [InlineData("1")]
    public void Build_UnsupportedInapplicableDuplicatedOrAbsent_ThrowsSignatureBaseException(string identifiers)
    {
        TestRequest request = new TestRequest("GET", "/x").With("Content-Type", "text/plain").With("Example-Dict", "a=1");

        Assert.Throws<SignatureBaseException>(() => SignatureBase.Build(request, Rfc9421VectorTests.FirstInnerList($"s=({identifiers})")));
    }

    [Fact]
    public void Build_SameNameWithDifferentParameters_IsNotADuplicate()
    {
        TestRequest request = new TestRequest("GET", "/x").With("Example-Dict", "a=1, b=2");

        string signatureBase = SignatureBase.Build(request, Rfc9421VectorTests.FirstInnerList("s=(\"example-dict\" \"example-dict\";key=\"a\")"));

        Assert.StartsWith("\"example-dict\": a=1, b=2\n\"example-dict\";key=\"a\": 1\n", signatureBase, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("caf\u00e9")]
    [InlineData("a\nb")]
    [InlineData("a\rb")]
    [InlineData("a\u0001b")]
    public void Build_FieldValueWithNonAsciiOrBareLineBreak_Throws(string value)
    {
        TestRequest request = new TestRequest("GET", "/x").With("X-Test", value);

        Assert.Throws<SignatureBaseException>(() => Line(request, "\"x-test\""));
    }

    [Fact]
    public void Build_EmptyPath_IsSlash()
    {
        Assert.Equal("\"@path\": /", Line(new TestRequest("GET", "/?a=b"), "\"@path\"").Replace("/?a=b", "/", StringComparison.Ordinal));
        Assert.Equal("\"@path\": /", Line(new TestRequest("GET", "https://example.com?a=b"), "\"@path\""));
    }

    [Fact]
    public void Build_NoTrailingNewline_AndSignatureParamsLast()
    {
        string signatureBase = SignatureBase.Build(new TestRequest("GET", "/"), Rfc9421VectorTests.FirstInnerList("s=(\"@method\");created=1;keyid=\"k\""));

        Assert.Equal("\"@method\": GET\n\"@signature-params\": (\"@method\");created=1;keyid=\"k\"", signatureBase);
    }

    [Fact]
    public void BuildPooled_MatchesBuild()
    {
        SfInnerList list = Rfc9421VectorTests.FirstInnerList("s=(\"@method\" \"@authority\" \"@path\" \"@query\");created=1;keyid=\"k\";nonce=\"n\"");
        var request = new TestRequest("GET", "/a?b=c");

        SignatureBaseWriter writer = SignatureBase.BuildPooled(request, list);
        try
        {
            Assert.Equal(SignatureBase.Build(request, list), System.Text.Encoding.ASCII.GetString(writer.WrittenSpan));
        }
        finally
        {
            writer.Dispose();
        }
    }
}
