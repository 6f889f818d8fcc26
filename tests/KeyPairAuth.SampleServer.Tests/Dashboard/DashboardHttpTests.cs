using System.Net;
using System.Text;
using KeyPairAuth.Client;
using KeyPairAuth.Keys;
using KeyPairAuth.SampleServer.Tests.Infrastructure;

namespace KeyPairAuth.SampleServer.Tests.Dashboard;

/// <summary>The dashboard's HTTP surface: demo sign-in, CSRF protection, per-user isolation and the activity panel.</summary>
public sealed class DashboardHttpTests
{
    [Fact]
    public async Task SignIn_WithoutTheAntiforgeryToken_IsRefused()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        await using DashboardSession session = await DashboardSession.AnonymousAsync(server);

        Reply reply = await session.SendAsync(HttpMethod.Post, "session", """{"userName":"alice"}""", withToken: false);

        reply.AssertStatus(HttpStatusCode.BadRequest);
        await session.RefreshTokenAsync();
        Assert.Contains("\"user\":null", (await session.GetAsync("session")).Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("<script>")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task SignIn_InvalidUserName_IsRefused(string userName)
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        await using DashboardSession session = await DashboardSession.AnonymousAsync(server);

        (await session.SendAsync(HttpMethod.Post, "session", $$"""{"userName":"{{userName}}"}""")).AssertStatus(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task KeyForms_WithTheCookieButWithoutAValidToken_AreRefusedAsCsrf()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        await using DashboardSession alice = await DashboardSession.SignInAsync(server, "alice");
        await using DashboardSession bob = await DashboardSession.SignInAsync(server, "bob");
        Reply created = await alice.SendAsync(HttpMethod.Post, "account/keys", """{"name":"k"}""");
        created.AssertStatus(HttpStatusCode.Created);
        string keyId = created.Json.GetProperty("key").GetProperty("keyId").GetString()!;

        (await alice.SendAsync(HttpMethod.Post, "account/keys", """{"name":"forged"}""", withToken: false)).AssertProblem(HttpStatusCode.BadRequest, "antiforgery_token_invalid");
        (await alice.SendAsync(HttpMethod.Post, "account/keys", """{"name":"forged"}""", token: bob.Token)).AssertProblem(HttpStatusCode.BadRequest, "antiforgery_token_invalid");
        (await alice.SendAsync(HttpMethod.Delete, $"account/keys/{keyId}", withToken: false)).AssertProblem(HttpStatusCode.BadRequest, "antiforgery_token_invalid");
        (await alice.SendAsync(HttpMethod.Post, "account/keys/register", """{"name":"x","publicKey":"x"}""", withToken: false)).AssertProblem(HttpStatusCode.BadRequest, "antiforgery_token_invalid");

        Reply list = await alice.GetAsync("account/keys");
        Assert.Single(list.Json.GetProperty("keys").EnumerateArray());
        Assert.Equal("active", list.Json.GetProperty("keys")[0].GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task SignOut_FormBodyThatCannotBeRead_IsRefused_NotA500(string contentType)
    {
        // Without the header token, antiforgery reads a form body for it and throws on one it cannot read.
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        await using DashboardSession alice = await DashboardSession.SignInAsync(server, "alice");
        string body = contentType.StartsWith("multipart", StringComparison.Ordinal)
            ? "--x\r\nno headers, no end"
            : string.Join('&', Enumerable.Range(0, 1100).Select(i => $"f{i}=x"));

        Reply reply = await alice.SendAsync(HttpMethod.Delete, "session", body, withToken: false, contentType: contentType);

        reply.AssertStatus(HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("\"user\":\"alice\"", (await alice.GetAsync("session")).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignOut_LargeFormBody_Is415_BeforeAntiforgeryReadsTheForm()
    {
        // Sign-out is open to anonymous callers; antiforgery would read a whole form body (megabytes) for a token.
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        await using DashboardSession alice = await DashboardSession.SignInAsync(server, "alice");

        Reply reply = await alice.SendAsync(HttpMethod.Delete, "session", "padding=" + new string('x', 1024 * 1024),
            withToken: false, contentType: "application/x-www-form-urlencoded");

        reply.AssertStatus(HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("\"user\":\"alice\"", (await alice.GetAsync("session")).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyEndpointsAndActivity_WithoutASession_Answer401()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        await using DashboardSession anonymous = await DashboardSession.AnonymousAsync(server);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("account/keys")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("dashboard/activity")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(HttpMethod.Post, "account/keys", """{"name":"k"}""")).Status);
    }

    [Fact]
    public async Task Activity_CountsAcceptedAndRefusedByReason_ForTheOwnersKeysOnly()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        await using DashboardSession alice = await DashboardSession.SignInAsync(server, "alice");
        await using DashboardSession bob = await DashboardSession.SignInAsync(server, "bob");
        Reply created = await alice.SendAsync(HttpMethod.Post, "account/keys", """{"name":"laptop","scopes":["orders:read"]}""");
        string keyId = created.Json.GetProperty("key").GetProperty("keyId").GetString()!;
        string secret = created.Json.GetProperty("secret").GetString()!;
        await using (var client = new SignedClient(server.BaseAddress, secret))
        {
            (await client.GetAsync("api/whoami")).AssertStatus(HttpStatusCode.OK);
            (await client.GetAsync("api/orders")).AssertStatus(HttpStatusCode.OK);
            (await client.PostJsonAsync("api/orders", """{"item":"x","quantity":1}""")).AssertProblem(HttpStatusCode.Forbidden, "scope_missing");
        }

        (await SendTamperedAsync(server, secret)).AssertProblem(HttpStatusCode.Unauthorized, "digest_mismatch");
        (await SendWithForeignKeyAsync(server, keyId)).AssertProblem(HttpStatusCode.Unauthorized, "invalid_signature");

        Reply activity = await alice.GetAsync("dashboard/activity");
        Reply bobsActivity = await bob.GetAsync("dashboard/activity");

        activity.AssertStatus(HttpStatusCode.OK);
        var counts = activity.Json.GetProperty("keys")[0].GetProperty("lastHour").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        Assert.Equal(new Dictionary<string, int>
        {
            ["accepted"] = 3,
            ["scope_missing"] = 1,
            ["digest_mismatch"] = 1,
            ["invalid_signature"] = 1,
        }, counts);
        Assert.Equal(keyId, activity.Json.GetProperty("keys")[0].GetProperty("keyId").GetString());
        Assert.Empty(bobsActivity.Json.GetProperty("keys").EnumerateArray());
        Assert.DoesNotContain(keyId, bobsActivity.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_CarryAStrictContentSecurityPolicy()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        foreach (string page in new[] { "", "docs" })
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri(page, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            string csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());

            // A page may hold a key shown once: never stored by the browser (nor its back/forward cache).
            Assert.True(response.Headers.CacheControl?.NoStore, $"/{page}: Cache-Control {response.Headers.CacheControl}");
        }

        using (HttpResponseMessage script = await http.GetAsync(new Uri("assets/app.js", UriKind.Relative)))
        {
            Assert.True(script.Headers.CacheControl?.NoCache, $"app.js: Cache-Control {script.Headers.CacheControl}");
        }

        using HttpResponseMessage missing = await http.GetAsync(new Uri("assets/../../appsettings.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static async Task<Reply> SendTamperedAsync(RunningSampleServer server, string secret)
    {
        using SigningKey key = SigningKey.Parse(secret);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseAddress, "api/echo"))
        {
            Content = new StringContent("""{"amount":1}""", Encoding.UTF8, "application/json"),
        };
        await new RequestSigner(key).SignAsync(request);
        request.Content = new StringContent("""{"amount":1000}""", Encoding.UTF8, "application/json");
        using var http = new HttpClient();
        using HttpResponseMessage response = await http.SendAsync(request);
        return await Reply.ReadAsync(response);
    }

    /// <summary>Someone without the private key claims the key id: refused, and counted against the claimed id.</summary>
    private static async Task<Reply> SendWithForeignKeyAsync(RunningSampleServer server, string keyId)
    {
        using SigningKey generated = SigningKey.Generate();
        using SigningKey impostor = SigningKey.FromPkcs8Pem(keyId, generated.ExportPkcs8Pem());
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseAddress, "api/whoami"));
        await new RequestSigner(impostor).SignAsync(request);
        using var http = new HttpClient();
        using HttpResponseMessage response = await http.SendAsync(request);
        return await Reply.ReadAsync(response);
    }
}
