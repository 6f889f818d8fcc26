using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>
/// The derived components over every request-target form (RFC 9112 §3.2: origin, absolute, authority and asterisk
/// form) and the authority normalisation of RFC 9110 §4.2.3 (host lower-cased, default port omitted).
/// </summary>
public sealed class SignatureBaseTargetFormTests
{
    private static string Line(TestRequest request, string identifier)
    {
        SfInnerList covered = StructuredFieldParser.ParseDictionary($"s=({identifier})").Members[0].Value.InnerList!;
        string signatureBase = SignatureBase.Build(request, covered);
        return signatureBase[..signatureBase.IndexOf('\n', StringComparison.Ordinal)];
    }

    [Theory]
    [InlineData("https://example.com/a/b?x=1")]
    [InlineData("https://example.com")]
    [InlineData("http://other.example:8080/p")]
    public void Build_TargetUriOfAnAbsoluteFormTarget_IsTheTargetAsSent(string target)
    {
        // The absolute form already is the target URI (RFC 9110 §7.1); it is not rebuilt from scheme and authority.
        var request = new TestRequest("GET", target, "ignored.example", "https");

        Assert.Equal($"\"@target-uri\": {target}", Line(request, "\"@target-uri\""));
    }

    [Fact]
    public void Build_TargetUriOfTheAsteriskForm_IsSchemeAndAuthorityOnly()
    {
        var request = new TestRequest("OPTIONS", "*", "WWW.Example.com:443", "HTTPS");

        Assert.Equal("\"@target-uri\": https://www.example.com", Line(request, "\"@target-uri\""));
        Assert.Equal("\"@request-target\": *", Line(request, "\"@request-target\""));
    }

    [Theory]
    [InlineData("https://example.com/a/b?x=1", "/a/b")]
    [InlineData("https://example.com/a/b", "/a/b")]
    [InlineData("https://example.com/", "/")]
    [InlineData("https://example.com", "/")]
    [InlineData("https://example.com?x=1", "/")]
    [InlineData("https://user@example.com:8443/p%2F?x", "/p%2F")]
    public void Build_PathOfAnAbsoluteFormTarget_IsItsPathWithoutQuery(string target, string path)
    {
        Assert.Equal($"\"@path\": {path}", Line(new TestRequest("GET", target), "\"@path\""));
    }

    [Theory]
    [InlineData("https://example.com/a?x=1&y=2", "?x=1&y=2")]
    [InlineData("https://example.com/a", "?")]
    public void Build_QueryOfAnAbsoluteFormTarget_IsItsQuery(string target, string query)
    {
        Assert.Equal($"\"@query\": {query}", Line(new TestRequest("GET", target), "\"@query\""));
    }

    [Theory]
    [InlineData("AZ.EXAMPLE.COM", "https", "az.example.com")]
    [InlineData("Zeta.Alpha.example:8443", "https", "zeta.alpha.example:8443")]
    [InlineData("  example.com  ", "https", "example.com")]
    [InlineData("example.com:", "https", "example.com")]
    [InlineData("example.com:443", "HTTPS", "example.com")]
    [InlineData("example.com:443", "http", "example.com:443")]
    [InlineData("443", "https", "443")]
    [InlineData("80", "http", "80")]
    [InlineData("[2001:DB8::A]", "https", "[2001:db8::a]")]
    [InlineData("[2001:db8::a]:443", "https", "[2001:db8::a]")]
    public void Build_Authority_IsLowerCasedWithoutTheDefaultPort(string authority, string scheme, string expected)
    {
        // A host of digits alone ("443") has no port: only a colon after the last ']' starts one.
        var request = new TestRequest("GET", "/", authority, scheme);

        Assert.Equal($"\"@authority\": {expected}", Line(request, "\"@authority\""));
        Assert.Equal($"\"@target-uri\": {scheme.ToLowerInvariant()}://{expected}/", Line(request, "\"@target-uri\""));
    }

    [Theory]
    [InlineData("HTTPS", "https")]
    [InlineData("hTtP", "http")]
    public void Build_Scheme_IsLowerCased(string scheme, string expected)
    {
        Assert.Equal($"\"@scheme\": {expected}", Line(new TestRequest("GET", "/", "example.com", scheme), "\"@scheme\""));
    }
}
