using System.Security.Claims;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace KeyPairAuth.AspNetCore.Tests.Adversarial;

/// <summary>An app with a root endpoint (GraphQL/JSON-RPC style) besides the standard ones, to see where a request is routed.</summary>
public sealed class RootEndpointAppFixture : IAsyncLifetime
{
    internal TestApp App { get; private set; } = null!;

    internal AppLogSink Logs { get; } = new();

    public async Task InitializeAsync() => App = await TestApp.StartAsync(services: AppLogSink.Register(Logs), beforeAuthentication: a =>
    {
        a.MapMethods("/", ["GET", "POST"], async (ClaimsPrincipal user, HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            return Results.Text($"ROOT served for {user.FindFirstValue(ClaimTypes.NameIdentifier)}|path={http.Request.Path}|query={http.Request.QueryString}|body={await reader.ReadToEndAsync()}");
        }).RequireAuthorization();
    });

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>
/// Absolute-form request targets (RFC 9112 §3.2.2) on raw sockets. For an absolute-form target Kestrel takes the
/// application's Path from <see cref="Uri.LocalPath"/> (the authority ends at '#' as well, '\' reads as '/', %2F is
/// decoded, dot segments are removed) and the query from the raw text. The path the signature binds must be the path
/// the application routes on, so a target whose path cannot be taken verbatim is refused with
/// <c>unsupported_request_target</c>; a plain one still verifies (see also <see cref="RequestTargetAttackTests"/>).
/// </summary>
public sealed class AbsoluteFormTargetTests(RootEndpointAppFixture fixture, ITestOutputHelper output) : IClassFixture<RootEndpointAppFixture>, IDisposable
{
    private readonly int _logMark = fixture.Logs.Mark();

    private TestApp App => fixture.App;

    public void Dispose() => fixture.Logs.AssertNoErrors(_logMark);

    private static string PathSeen(RawResponse response)
    {
        int at = response.Text.IndexOf("|path=", StringComparison.Ordinal);
        return at < 0 ? "(not served)" : response.Text[(at + 6)..];
    }

    [Theory]
    [InlineData("GET", "/orders/42/export?format=csv", null)]
    [InlineData("POST", "/orders?dry_run=false", """{"amount":10}""")]
    public async Task AbsoluteForm_NumberSignBeforeSignedTarget_FailsWithUnsupportedRequestTarget(string method, string signedTarget, string? json)
    {
        // The legitimate, captured request (fresh nonce, not yet used).
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = json is null
            ? new OutgoingRequest(method, App.Authority, signedTarget)
            : OutgoingRequest.Json(method, App.Authority, signedTarget, json);
        TestApp.Sign(request, key);

        // The attacker forwards the same fields and body with an absolute-form request line: http://host#<signed target>.
        // Kestrel routes it to "/" (the URI's path; the rest is a fragment) with the signed query.
        string requestLine = $"http://{App.Authority}#{signedTarget}";
        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request, requestLineTarget: requestLine));

        Assert.True(response.Status != 200, $"'{method} {requestLine}' → {response.Status}: {response.Text[(response.Text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]}");
        Assert.DoesNotContain("ROOT served", response.Text, StringComparison.Ordinal);
        response.AssertProblem(401, "unsupported_request_target");
    }

    [Fact]
    public async Task AbsoluteForm_EncodedSlash_FailsWithUnsupportedRequestTarget_NeverAnotherPathThanOriginForm()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest origin = TestApp.Sign(App.Get("/raw/a%2Fb"), key);
        RawResponse viaOrigin = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(origin));
        OutgoingRequest absolute = TestApp.Sign(App.Get("/raw/a%2Fb"), key);
        RawResponse viaAbsolute = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(absolute, requestLineTarget: $"http://{App.Authority}/raw/a%2Fb"));

        // Origin form: the application sees the path Kestrel decodes from the signed bytes (%2F kept). Absolute form
        // would show it /raw/a/b: refused instead, so no request is ever served on another path than origin form's.
        Assert.Equal(200, viaOrigin.Status);
        Assert.True(viaAbsolute.Status != 200 || PathSeen(viaOrigin) == PathSeen(viaAbsolute), $"same signed @path /raw/a%2Fb: origin-form app path {PathSeen(viaOrigin)} ({viaOrigin.Status}), absolute-form app path {PathSeen(viaAbsolute)} ({viaAbsolute.Status})");
        viaAbsolute.AssertProblem(401, "unsupported_request_target");
    }

    [Theory]
    [InlineData("/raw/a/../orders")]
    [InlineData("/raw/./orders")]
    [InlineData("/raw/a/..")]
    [InlineData("/raw/a%2e%2e/orders")]
    [InlineData("/raw/a%2E/orders")]
    [InlineData("/raw/a%5Cb")]
    [InlineData("/raw/a%2fb?x=1")]
    public async Task AbsoluteForm_PathTheUriParserRewrites_FailsWithUnsupportedRequestTarget(string target)
    {
        // Signed as sent: the signature is valid, but the URI parser would hand the application another path.
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get(target), key);

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request, requestLineTarget: $"http://{App.Authority}{target}"));

        response.AssertProblem(401, "unsupported_request_target");
    }

    [Theory]
    [InlineData("http://{0}\\raw\\orders", "/raw/orders")]
    [InlineData("http://{0}/raw\\orders", "/raw\\orders")]
    [InlineData("http://{0}/raw/orders#frag", "/raw/orders")]
    [InlineData("http://user@{0}/raw/orders", "/raw/orders")]
    [InlineData("ftp://{0}/raw/orders", "/raw/orders")]
    public async Task AbsoluteForm_BackslashFragmentUserinfoOrOtherScheme_IsRefusedNeverServed(string requestLineFormat, string signedTarget)
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get(signedTarget), key);
        string requestLine = string.Format(System.Globalization.CultureInfo.InvariantCulture, requestLineFormat, App.Authority);

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request, requestLineTarget: requestLine));

        // Kestrel refuses some of these itself (400); whatever it lets through, the scheme refuses as unverifiable.
        output.WriteLine($"{requestLine} => {response.Status}");
        Assert.DoesNotContain("owner=", response.Text, StringComparison.Ordinal);
        if (response.Status != 400)
        {
            response.AssertProblem(401, "unsupported_request_target");
        }
    }

    [Theory]
    [InlineData("/raw/orders?x=1")]
    [InlineData("/raw/%41b")]
    [InlineData("/raw/a%20b")]
    [InlineData("/raw/caf%C3%A9")]
    [InlineData("/raw/a%25b")]
    [InlineData("/?x=1")]
    public async Task AbsoluteForm_PathTakenVerbatim_VerifiesAndAppSeesTheSamePathAsOriginForm(string target)
    {
        TestKey key = await App.AddKeyAsync();
        RawResponse viaOrigin = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(TestApp.Sign(App.Get(target), key)));

        // The signature covers the target as the client wrote it after "http://host" (origin form of the same URI).
        string afterAuthority = target.StartsWith("/?", StringComparison.Ordinal) ? target[1..] : target;
        OutgoingRequest request = TestApp.Sign(App.Get(target), key);
        RawResponse viaAbsolute = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request, requestLineTarget: $"http://{App.Authority}{afterAuthority}"));

        Assert.True(viaOrigin.Status == 200, viaOrigin.Text);
        Assert.True(viaAbsolute.Status == 200, viaAbsolute.Text);
        Assert.Equal(PathSeen(viaOrigin), PathSeen(viaAbsolute));
    }

    [Fact]
    public async Task AbsoluteForm_SignedForOnePathSentForAnother_FailsWithInvalidSignature()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/raw/orders"), key);

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request, requestLineTarget: $"http://{App.Authority}/raw/admin"));

        response.AssertProblem(401, "invalid_signature");
    }
}
