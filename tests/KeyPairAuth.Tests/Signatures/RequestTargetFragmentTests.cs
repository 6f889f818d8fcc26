using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>
/// A '#' never belongs in a request target. Cutting @path or @query at it (as for a URI fragment) let a request signed
/// for "/a?x=1" be delivered as "/a?x=1#&amp;admin=true" with the suffix unsigned, so the base must refuse it instead.
/// </summary>
public sealed class RequestTargetFragmentTests
{
    private static SfInnerList Covered(string innerList) =>
        StructuredFieldParser.ParseDictionary("sig1=" + innerList).Members[0].Value.InnerList!;

    [Theory]
    [InlineData("/a?x=1#&admin=true", "(\"@method\" \"@authority\" \"@path\" \"@query\");created=1")]
    [InlineData("/a#/../admin", "(\"@method\" \"@authority\" \"@path\" \"@query\");created=1")]
    [InlineData("/a?x=1#y", "(\"@query\");created=1")]
    [InlineData("/a#y", "(\"@path\");created=1")]
    [InlineData("/a?x=1#y", "(\"@query-param\";name=\"x\");created=1")]
    public void Build_RequestTargetWithNumberSign_ThrowsInsteadOfTruncating(string target, string covered)
    {
        var request = new TestRequest("GET", target);

        SignatureBaseException ex = Assert.Throws<SignatureBaseException>(() => SignatureBase.Build(request, Covered(covered)));
        Assert.Contains("'#'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_PercentEncodedNumberSign_IsPartOfThePath()
    {
        var request = new TestRequest("GET", "/a%23b?x=%23");

        string signatureBase = SignatureBase.Build(request, Covered("(\"@path\" \"@query\");created=1"));

        Assert.StartsWith("\"@path\": /a%23b\n\"@query\": ?x=%23\n", signatureBase, StringComparison.Ordinal);
    }
}
