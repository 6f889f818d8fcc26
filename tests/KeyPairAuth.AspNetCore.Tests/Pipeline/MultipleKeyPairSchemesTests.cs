using System.Net;
using KeyPairAuth.AspNetCore.Tests.Adversarial;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Signatures;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace KeyPairAuth.AspNetCore.Tests.Pipeline;

/// <summary>
/// Two KeyPair schemes in one application (<c>AddKeyPair</c> called twice): each verifies the request in full under its
/// own policy, and the second does not refuse the nonce the first accepted for the same request. A nonce accepted for
/// another request is still a replay for both.
/// </summary>
public sealed class MultipleKeyPairSchemesTests(ITestOutputHelper output)
{
    private const string Strict = "KeyPairStrict";

    private static Task<TestApp> StartAsync(Action<KeyPairAuthenticationOptions>? strict = null) => TestApp.StartAsync(
        o => o.IncludeErrorDetails = true,
        services: s => s.AddAuthentication().AddKeyPair(Strict, o =>
        {
            o.IncludeErrorDetails = true;
            strict?.Invoke(o);
        }),
        pipeline: a =>
        {
            a.UseAuthentication();
            a.UseAuthorization();
            a.MapGet("/strict", (HttpContext http) => Results.Text(TestApp.DescribeRequest(http)))
                .RequireAuthorization(new AuthorizationPolicyBuilder(Strict).RequireAuthenticatedUser().Build());
            a.MapPost("/strict", async (HttpContext http) =>
            {
                // A block body: an expression-bodied async lambda would bind to RequestDelegate and drop the result.
                string text = await TestApp.DescribeRequestWithBodyAsync(http);
                return Results.Text(text);
            })
                .RequireAuthorization(new AuthorizationPolicyBuilder(Strict).RequireAuthenticatedUser().Build());
            a.MapGet("/default", (HttpContext http) => Results.Text(TestApp.DescribeRequest(http))).RequireAuthorization();
        });

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(TestApp app, OutgoingRequest request)
    {
        using HttpResponseMessage response = await app.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        output.WriteLine($"{request.Method} {request.RequestTarget} -> {(int)response.StatusCode} {body}");
        return (response.StatusCode, body);
    }

    [Fact]
    public async Task TwoKeyPairSchemes_DefaultAndPolicyScheme_OneSignedRequestAuthenticates()
    {
        // UseAuthentication verifies with the default scheme (spending the nonce), then the endpoint's policy verifies
        // the same request with the second scheme.
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();
        (HttpStatusCode status, string body) = await SendAsync(app, TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/strict"), key));
        Assert.True(status == HttpStatusCode.OK, $"{(int)status} {body}");
        Assert.Contains("auth=True", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoKeyPairSchemes_SignedRequestWithBody_BothCheckTheDigest_AndAuthenticate()
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();
        (HttpStatusCode status, string body) = await SendAsync(app, TestApp.Sign(OutgoingRequest.Json("POST", app.Authority, "/strict", """{"amount":10}"""), key));
        Assert.True(status == HttpStatusCode.OK, $"{(int)status} {body}");
        Assert.Contains("""body={"amount":10}""", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoKeyPairSchemes_SameRequestSentTwice_SecondFailsWithReplayedNonce()
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/strict"), key);
        (HttpStatusCode first, _) = await SendAsync(app, request);
        Assert.Equal(HttpStatusCode.OK, first);

        // On the same keep-alive connection (Kestrel reuses the feature collection: the record must not survive the request)…
        (HttpStatusCode again, string againBody) = await SendAsync(app, request);
        Assert.Equal(HttpStatusCode.Unauthorized, again);
        Assert.Contains("\"error\":\"replayed_nonce\"", againBody, StringComparison.Ordinal);

        // …and on a new one.
        RawResponse replay = await RawHttp.SendAsync(app.BaseAddress, RawHttp.Format(request));
        replay.AssertProblem(401, "replayed_nonce");
    }

    [Fact]
    public async Task TwoKeyPairSchemes_StricterPolicyOnSecondScheme_IsAppliedInFull()
    {
        // The default scheme accepts the signature; the strict one requires a tag the signature lacks. Nothing of the
        // first scheme's result is reused: the strict scheme refuses.
        await using TestApp app = await StartAsync(o => o.Verification.RequiredTag = "strict-app");
        TestKey key = await app.AddKeyAsync();
        (HttpStatusCode defaultStatus, _) = await SendAsync(app, TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/default"), key));
        Assert.Equal(HttpStatusCode.OK, defaultStatus);

        (HttpStatusCode status, string body) = await SendAsync(app, TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/strict"), key));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("\"error\":\"insufficient_coverage\"", body, StringComparison.Ordinal);

        // Signed for the strict policy (with its tag), both schemes accept the one request.
        OutgoingRequest tagged = TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/strict"), key, new SigningOptions { Tag = "strict-app" });
        (HttpStatusCode taggedStatus, string taggedBody) = await SendAsync(app, tagged);
        Assert.True(taggedStatus == HttpStatusCode.OK, taggedBody);
    }

    [Fact]
    public async Task TwoKeyPairSchemes_SecondSchemeAfterAlteration_FailsWithRequestAlteredAfterAuthentication()
    {
        // The default scheme verified POST; method override then runs, and the second scheme verifies DELETE (which the
        // signature does not cover). Authorization refuses either way.
        await using TestApp app = await TestApp.StartAsync(
            o => o.IncludeErrorDetails = true,
            services: s => s.AddAuthentication().AddKeyPair(Strict),
            pipeline: a =>
            {
                a.UseAuthentication();
                a.UseHttpMethodOverride();
                a.UseRouting();
                a.UseAuthorization();
                a.MapMethods("/strict", ["POST", "DELETE"], (HttpContext http) => Results.Text(TestApp.DescribeRequest(http)))
                    .RequireAuthorization(new AuthorizationPolicyBuilder(Strict, "KeyPair").RequireAuthenticatedUser().Build());
            });
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(new OutgoingRequest("POST", app.Authority, "/strict"), key);
        request.Set("X-HTTP-Method-Override", "DELETE");
        (HttpStatusCode status, string body) = await SendAsync(app, request);
        Assert.NotEqual(HttpStatusCode.OK, status);
        Assert.DoesNotContain("method=DELETE", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("\"error\":\"request_altered_after_authentication\"", body, StringComparison.Ordinal);
    }
}
