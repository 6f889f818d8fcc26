using System.Net;
using System.Text;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Signatures;

namespace KeyPairAuth.AspNetCore.Tests;

/// <summary>End to end on Kestrel: happy paths with the engine's signer and with a hand-written RFC 9421 signer.</summary>
public sealed class KeyPairAuthenticationHandlerTests(DefaultAppFixture fixture) : IClassFixture<DefaultAppFixture>
{
    private TestApp App => fixture.App;

    [Fact]
    public async Task Get_WithQuery_SignedByEngine_AuthenticatesWithClaims()
    {
        TestKey key = await App.AddKeyAsync("alice", ["orders:read", "orders:list"]);

        using HttpResponseMessage response = await App.SendAsync(TestApp.Sign(App.Get("/orders?page=2&sort=desc"), key));

        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("owner=alice|name=alice|", body, StringComparison.Ordinal);
        Assert.Contains($"keyid={key.KeyId}|keyname=test key|scopes=orders:read,orders:list|scheme=KeyPair", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostJson_SignedByEngine_AuthenticatesAndAppReadsBody()
    {
        TestKey key = await App.AddKeyAsync();
        const string Json = """{"item":"book","quantity":2}""";

        using HttpResponseMessage response = await App.SendAsync(TestApp.Sign(App.PostJson("/orders?source=test", Json), key));

        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith("|body=" + Json, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostJson_Sha512Digest_Authenticates()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = App.PostJson("/orders", """{"a":1}""").AddDigest(KeyPairAuth.Digests.ContentDigestAlgorithm.Sha512);

        using HttpResponseMessage response = await App.SendAsync(TestApp.Sign(request, key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task PostJson_ChunkedBody_DigestCheckedAndAppReadsBody()
    {
        TestKey key = await App.AddKeyAsync();
        string json = "{\"data\":\"" + new string('x', 200_000) + "\"}";
        OutgoingRequest request = App.PostJson("/orders", json);
        request.Chunked = true;

        using HttpResponseMessage response = await App.SendAsync(TestApp.Sign(request, key));

        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith("|body=" + json, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_EngineSignerWithTargetUri_Authenticates()
    {
        TestKey key = await App.AddKeyAsync();
        var options = new SigningOptions { Components = ["@method", "@target-uri"] };

        using HttpResponseMessage response = await App.SendAsync(TestApp.Sign(App.Get("/orders?x=1"), key, options));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Get_HandWrittenSigner_Authenticates(bool useTargetUri)
    {
        TestKey key = await App.AddKeyAsync("bob");
        OutgoingRequest request = App.Get("/orders?q=hand%20signed&n=1");
        HandWrittenSigner.Sign(request, key, useTargetUri, Problem.Now);

        using HttpResponseMessage response = await App.SendAsync(request);

        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Contains("owner=bob", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PostJson_HandWrittenSigner_Authenticates(bool useTargetUri)
    {
        TestKey key = await App.AddKeyAsync("carol");
        const string Json = """{"hello": "world"}""";
        OutgoingRequest request = App.PostJson("/orders?via=hand", Json);
        HandWrittenSigner.Sign(request, key, useTargetUri, Problem.Now);

        using HttpResponseMessage response = await App.SendAsync(request);

        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.EndsWith("|body=" + Json, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_NoSignature_Returns401WithAcceptSignatureAndProblem()
    {
        using HttpResponseMessage response = await App.SendAsync(App.Get("/orders"));

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "missing_signature");
        string acceptSignature = Assert.Single(response.Headers.GetValues("Accept-Signature"));
        Assert.Equal("sig1=(\"@method\" \"@authority\" \"@path\" \"@query\");created;alg=\"ed25519\"", acceptSignature);
        Assert.StartsWith("KeyPair", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_NoSignature_AcceptSignatureRequiresContentDigest()
    {
        using HttpResponseMessage response = await App.SendAsync(App.PostJson("/orders", "{}"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("\"content-digest\"", Assert.Single(response.Headers.GetValues("Accept-Signature")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_AllowAnonymousEndpointWithGarbageSignature_IsNotVerified()
    {
        OutgoingRequest request = App.Get("/anon").Set("Signature-Input", "garbage(((").Set("Signature", "x");

        using HttpResponseMessage response = await App.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("anonymous=True", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_OtherSchemeWithoutSignature_KeyPairReturnsNoResultAndOtherSchemeAuthenticates()
    {
        OutgoingRequest request = App.Get("/either").Set("X-Test-User", "dave");

        using HttpResponseMessage response = await App.SendAsync(request);

        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("owner=dave", body, StringComparison.Ordinal);
        Assert.Contains("scheme=Header", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_SignedRequestOnEitherPolicy_AuthenticatesAsKeyPair()
    {
        TestKey key = await App.AddKeyAsync("erin");

        using HttpResponseMessage response = await App.SendAsync(TestApp.Sign(App.Get("/either"), key));

        Assert.Contains("owner=erin", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_ProblemBody_HasNoDetailByDefault()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.PostJson("/orders", """{"a":1}"""), key);
        request.Body = Encoding.UTF8.GetBytes("""{"a":2}""");

        using HttpResponseMessage response = await App.SendAsync(request);

        string body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("detail", body, StringComparison.Ordinal);
    }
}
