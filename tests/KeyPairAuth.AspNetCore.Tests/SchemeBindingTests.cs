using System.Net;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Signatures;

namespace KeyPairAuth.AspNetCore.Tests;

/// <summary>
/// <c>SignatureVerificationOptions.RequireScheme</c>: a signature must bind the scheme (<c>@scheme</c>), so one made for
/// <c>http://</c> cannot be replayed over <c>https://</c>; the challenge asks for it. Real Kestrel (plain http).
/// </summary>
public sealed class SchemeBindingTests
{
    private static readonly SigningOptions WithScheme = new() { Components = ["@method", "@scheme", "@authority", "@path", "@query"] };

    [Fact]
    public async Task RequireScheme_SignatureCoveringScheme_Succeeds()
    {
        await using TestApp app = await TestApp.StartAsync(o => o.Verification.RequireScheme = true);
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/orders"), key, WithScheme));

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RequireScheme_SignatureWithoutScheme_Returns401InsufficientCoverageAndAsksForScheme()
    {
        await using TestApp app = await TestApp.StartAsync(o => o.Verification.RequireScheme = true);
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/orders"), key));

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "insufficient_coverage");
        Assert.Equal(
            "sig1=(\"@method\" \"@authority\" \"@path\" \"@query\" \"@scheme\");created;alg=\"ed25519\"",
            Assert.Single(response.Headers.GetValues("Accept-Signature")));
    }

    [Fact]
    public async Task RequireScheme_SignedForHttps_DoesNotVerifyOverHttp()
    {
        await using TestApp app = await TestApp.StartAsync(o => o.Verification.RequireScheme = true);
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/orders", scheme: "https"), key, WithScheme);

        using HttpResponseMessage response = await app.SendAsync(request);

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "invalid_signature");
    }

    [Fact]
    public async Task Default_SchemeNotRequired_ChallengeDoesNotAskForIt_ButACoveredSchemeIsChecked()
    {
        await using TestApp app = await TestApp.StartAsync();
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage challenge = await app.SendAsync(app.Get("/orders"));
        Assert.DoesNotContain("@scheme", Assert.Single(challenge.Headers.GetValues("Accept-Signature")), StringComparison.Ordinal);

        using HttpResponseMessage ok = await app.SendAsync(TestApp.Sign(app.Get("/orders"), key, WithScheme));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        OutgoingRequest forHttps = TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/orders", scheme: "https"), key, WithScheme);
        using HttpResponseMessage moved = await app.SendAsync(forHttps);
        await Problem.AssertAsync(moved, HttpStatusCode.Unauthorized, "invalid_signature");
    }
}
