using System.Net;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Signatures;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;

namespace KeyPairAuth.AspNetCore.Tests;

/// <summary>The signature base is built from the raw request target, not the decoded path.</summary>
public sealed class RequestTargetTests(DefaultAppFixture fixture) : IClassFixture<DefaultAppFixture>
{
    private TestApp App => fixture.App;

    [Theory]
    [InlineData("/raw/a%2Fb")]
    [InlineData("/raw/caf%C3%A9/x%20y?q=a%20b&r=%2F%3F")]
    [InlineData("/raw/%7Euser?empty=&plus=a+b")]
    public async Task Get_PercentEncodedTarget_VerifiesAgainstRawTarget(string target)
    {
        TestKey key = await App.AddKeyAsync();

        using HttpResponseMessage response = await App.SendAsync(TestApp.Sign(App.Get(target), key));

        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Contains("|raw=" + target + "|", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_SignedDecodedFormSentEncoded_FailsWithInvalidSignature()
    {
        // The signer covered "/raw/a/b" but the wire carries "/raw/a%2Fb": a decoded comparison would accept it.
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/raw/a/b"), key);
        request.RequestTarget = "/raw/a%2Fb";

        using HttpResponseMessage response = await App.SendAsync(request);

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "invalid_signature");
    }

    [Fact]
    public async Task Get_UsePathBase_RawTargetStillIncludesBase()
    {
        await using TestApp app = await TestApp.StartAsync(beforeAuthentication: a => a.UsePathBase("/api"));
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/api/orders?x=1"), key));

        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Contains("|raw=/api/orders?x=1|path=/api/orders", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_UsePathBase_SignatureWithoutBase_FailsWithInvalidSignature()
    {
        await using TestApp app = await TestApp.StartAsync(beforeAuthentication: a => a.UsePathBase("/api"));
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(app.Get("/orders"), key);
        request.RequestTarget = "/api/orders";

        using HttpResponseMessage response = await app.SendAsync(request);

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "invalid_signature");
    }

    [Fact]
    public async Task Get_BehindProxyWithForwardedHeaders_VerifiesPublicSchemeAndHost()
    {
        await using TestApp app = await TestApp.StartAsync(beforeAuthentication: a => a.UseForwardedHeaders(new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
            AllowedHosts = ["api.example.com"],
        }));
        TestKey key = await app.AddKeyAsync();

        // The client signed what it sent to the proxy: https://api.example.com/orders?x=1.
        var signed = new OutgoingRequest("GET", "api.example.com", "/orders?x=1", scheme: "https");
        TestApp.Sign(signed, key, new SigningOptions { Components = ["@method", "@target-uri"] });
        signed.Authority = app.Authority;
        signed.Scheme = "http";
        signed.Set("X-Forwarded-Proto", "https").Set("X-Forwarded-Host", "api.example.com").Set("X-Forwarded-For", "203.0.113.7");

        using HttpResponseMessage response = await app.SendAsync(signed);

        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
    }

    [Fact]
    public async Task Get_BehindProxyWithoutForwardedHeaders_FailsWithInvalidSignature()
    {
        TestKey key = await App.AddKeyAsync();
        var signed = new OutgoingRequest("GET", "api.example.com", "/orders?x=1", scheme: "https");
        TestApp.Sign(signed, key, new SigningOptions { Components = ["@method", "@target-uri"] });
        signed.Authority = App.Authority;
        signed.Set("X-Forwarded-Proto", "https").Set("X-Forwarded-Host", "api.example.com");

        using HttpResponseMessage response = await App.SendAsync(signed);

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "invalid_signature");
    }
}
