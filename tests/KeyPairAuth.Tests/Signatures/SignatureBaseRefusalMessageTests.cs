using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>
/// Each refusal of the signature base names its rule: the message is what an operator reads in the verifier's log and
/// what <c>keypairauth</c> prints, so a refusal must say which component and which RFC 9421 rule, not only throw.
/// </summary>
public sealed class SignatureBaseRefusalMessageTests
{
    private static SfInnerList Covered(string identifiers) =>
        StructuredFieldParser.ParseDictionary($"s=({identifiers});created=1").Members[0].Value.InnerList!;

    private static TestRequest Request() =>
        new TestRequest("GET", "/x?q=1")
            .With("Content-Type", "text/plain")
            .With("Example-Dict", "a=1")
            .With("Priority", "u=1");

    private static string Refusal(TestRequest request, string identifiers) =>
        Assert.Throws<SignatureBaseException>(() => SignatureBase.Build(request, Covered(identifiers))).Message;

    [Theory]
    [InlineData("sometoken", "A covered component identifier is not a String (RFC 9421 §2.1).")]
    [InlineData("1", "A covered component identifier is not a String (RFC 9421 §2.1).")]
    [InlineData("\"@method\" \"@method\"", "A component identifier is covered more than once (RFC 9421 §2.5).")]
    [InlineData("\"content-type\" \"@method\" \"content-type\"", "A component identifier is covered more than once (RFC 9421 §2.5).")]
    [InlineData("\"@method\";name=\"x\"", "The parameter 'name' is not supported on the derived component @method (RFC 9421 §2.2).")]
    [InlineData("\"@method\";foo", "The parameter 'foo' is not supported on the derived component @method (RFC 9421 §2.2).")]
    [InlineData("\"@query-param\";foo=\"q\"", "The parameter 'foo' is not supported on the derived component @query-param (RFC 9421 §2.2).")]
    [InlineData("\"@query-param\";name=1", "The parameter 'name' is not supported on the derived component @query-param (RFC 9421 §2.2).")]
    [InlineData("\"@query-param\"", "The @query-param component requires a String 'name' parameter (RFC 9421 §2.2.8).")]
    [InlineData("\"@status\"", "The @status component applies only to responses and cannot be covered in a request (RFC 9421 §2.2.9).")]
    [InlineData("\"@signature-params\"", "The @signature-params component must not be listed among the covered components (RFC 9421 §2.3).")]
    [InlineData("\"@unknown\"", "The derived component @unknown is not supported (RFC 9421 §2.2).")]
    public void Build_RefusedDerivedOrDuplicatedComponent_SaysWhy(string identifiers, string message)
    {
        Assert.Equal(message, Refusal(Request(), identifiers));
    }

    [Theory]
    [InlineData("\"@method\";req")]
    [InlineData("\"@query-param\";req;name=\"q\"")]
    [InlineData("\"content-type\";req")]
    [InlineData("\"content-type\";sf;req")]
    public void Build_ReqParameter_IsRefusedAsResponseOnly(string identifiers)
    {
        Assert.Equal(
            "The req parameter applies only to signed responses and cannot be used in a request signature (RFC 9421 §2.4).",
            Refusal(Request(), identifiers));
    }

    [Theory]
    [InlineData("\"@method\";tr")]
    [InlineData("\"content-type\";tr")]
    public void Build_TrParameter_IsRefusedAsUnsupportedTrailers(string identifiers)
    {
        Assert.Equal("The tr parameter (trailer fields) is not supported (RFC 9421 §2.1.4).", Refusal(Request(), identifiers));
    }

    [Theory]
    [InlineData("\"Content-Type\"", "A covered field name is empty, not a token, or not lower case (RFC 9421 §2.1).")]
    [InlineData("\"\"", "A covered field name is empty, not a token, or not lower case (RFC 9421 §2.1).")]
    [InlineData("\"content type\"", "A covered field name is empty, not a token, or not lower case (RFC 9421 §2.1).")]
    [InlineData("\"content-type\";name=\"x\"", "The parameter 'name' is not supported on a field component (RFC 9421 §2.1).")]
    [InlineData("\"content-type\";sf=?0", "The parameter 'sf' is not supported on a field component (RFC 9421 §2.1).")]
    [InlineData("\"content-type\";bs=?0", "The parameter 'bs' is not supported on a field component (RFC 9421 §2.1).")]
    [InlineData("\"content-type\";key=1", "The parameter 'key' is not supported on a field component (RFC 9421 §2.1).")]
    [InlineData("\"content-type\";bs;sf", "The bs parameter cannot be combined with sf or key (RFC 9421 §2.1.3).")]
    [InlineData("\"example-dict\";bs;key=\"a\"", "The bs parameter cannot be combined with sf or key (RFC 9421 §2.1.3).")]
    [InlineData("\"x-absent\"", "The covered field 'x-absent' is absent from the request (RFC 9421 §2.5).")]
    [InlineData("\"example-dict\";key=\"c\"", "The dictionary field 'example-dict' has no member with the covered key (RFC 9421 §2.1.2).")]
    [InlineData("\"example-dict\";sf", "The sf parameter is used on 'example-dict', which is not a known structured field (RFC 9421 §2.1.1).")]
    public void Build_RefusedFieldComponent_SaysWhy(string identifiers, string message)
    {
        Assert.Equal(message, Refusal(Request(), identifiers));
    }

    [Theory]
    [InlineData("\"priority\";sf")]
    [InlineData("\"priority\";key=\"u\"")]
    public void Build_StructuredCoverageOfAnInvalidStructuredField_ThrowsSignatureBaseExceptionWithTheParserCause(string identifiers)
    {
        TestRequest request = Request().Replace("Priority", "u=(");

        SignatureBaseException exception = Assert.Throws<SignatureBaseException>(() => SignatureBase.Build(request, Covered(identifiers)));

        Assert.StartsWith("The covered field 'priority' is not a valid structured field: ", exception.Message, StringComparison.Ordinal);
        Assert.IsType<StructuredFieldException>(exception.InnerException);
        Assert.EndsWith(exception.InnerException.Message, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/x", "example.com", "", "\"@scheme\"", "@scheme")]
    [InlineData("", "/x", "example.com", "https", "\"@method\"", "@method")]
    [InlineData("GET", "", "example.com", "https", "\"@request-target\"", "@request-target")]
    [InlineData("GET", "/x", "", "https", "\"@authority\"", "@authority")]
    [InlineData("GET", "", "example.com", "https", "\"@target-uri\"", "@target-uri")]
    [InlineData("GET", "/x", "example.com", "", "\"@target-uri\"", "@target-uri")]
    public void Build_DerivedComponentWithoutAValue_NamesTheComponent(string method, string target, string authority, string scheme, string identifiers, string component)
    {
        var request = new TestRequest(method, target, authority, scheme);

        Assert.Equal($"The request has no value for {component}.", Refusal(request, identifiers));
    }

    [Theory]
    [InlineData("   ", "https")]
    [InlineData(":443", "https")]
    [InlineData(":80", "http")]
    [InlineData(":", "https")]
    public void Build_AuthorityEmptyOnceTrimmedAndWithoutDefaultPort_IsRefused(string authority, string scheme)
    {
        var request = new TestRequest("GET", "/x", authority, scheme);

        Assert.Equal("The request has no authority (RFC 9421 §2.2.3).", Refusal(request, "\"@authority\""));
        Assert.Equal("The request has no authority (RFC 9421 §2.2.3).", Refusal(request, "\"@target-uri\""));
    }

    [Theory]
    [InlineData("")]
    [InlineData("*")]
    [InlineData("example.com:443")]
    public void Build_PathOfATargetWithoutOne_IsRefused(string target)
    {
        // An empty target, the asterisk form (OPTIONS *) and the authority form (CONNECT) have no path to cover.
        var request = new TestRequest("GET", target);

        Assert.Equal("The request target has no path (RFC 9421 §2.2.6).", Refusal(request, "\"@path\""));
    }

    [Fact]
    public void Build_DerivedNameOfFortyCharacters_IsQuoted_AndALongerOneIsNot()
    {
        string forty = "@" + new string('a', 39);
        string fortyOne = "@" + new string('a', 40);

        Assert.Equal($"The derived component {forty} is not supported (RFC 9421 §2.2).", Refusal(Request(), $"\"{forty}\""));
        Assert.Equal("The derived component (an unrecognised name) is not supported (RFC 9421 §2.2).", Refusal(Request(), $"\"{fortyOne}\""));
    }

    [Fact]
    public void Build_FieldNameOfFortyCharacters_IsQuoted_AndALongerOneIsNot()
    {
        string forty = new('x', 40);
        string fortyOne = new('x', 41);

        Assert.Equal($"The covered field '{forty}' is absent from the request (RFC 9421 §2.5).", Refusal(Request(), $"\"{forty}\""));
        Assert.Equal("The covered field '(an unrecognised name)' is absent from the request (RFC 9421 §2.5).", Refusal(Request(), $"\"{fortyOne}\""));
    }

    [Fact]
    public void Build_ParameterKeyLongerThanFortyCharacters_IsNotQuoted()
    {
        string forty = new('k', 40);
        string fortyOne = new('k', 41);

        Assert.Equal($"The parameter '{forty}' is not supported on a field component (RFC 9421 §2.1).", Refusal(Request(), $"\"content-type\";{forty}"));
        Assert.Equal("The parameter '(an unrecognised name)' is not supported on a field component (RFC 9421 §2.1).", Refusal(Request(), $"\"content-type\";{fortyOne}"));
        Assert.Equal("The parameter '(an unrecognised name)' is not supported on the derived component @method (RFC 9421 §2.2).", Refusal(Request(), $"\"@method\";{fortyOne}"));
    }

    [Fact]
    public void Build_NullArguments_ThrowArgumentNullExceptionNamingTheParameter()
    {
        var request = new TestRequest("GET", "/x");
        Assert.True(SignatureInput.TryParse("s=(\"@method\");created=1", out IReadOnlyList<SignatureInput>? inputs));

        Assert.Equal("input", Assert.Throws<ArgumentNullException>(() => SignatureBase.Build(request, (SignatureInput)null!)).ParamName);
        Assert.Equal("request", Assert.Throws<ArgumentNullException>(() => SignatureBase.Build(null!, inputs[0])).ParamName);
        Assert.Equal("request", Assert.Throws<ArgumentNullException>(() => SignatureBase.Build(null!, Covered("\"@method\""))).ParamName);
        Assert.Equal("signatureParams", Assert.Throws<ArgumentNullException>(() => SignatureBase.Build(request, (SfInnerList)null!)).ParamName);
    }
}
