using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using KeyPairAuth.AspNetCore.KeyManagement;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KeyPairAuth.AspNetCore.Tests.KeyManagement;

/// <summary>
/// A real Kestrel app with an interactive "user" scheme (the <c>X-User</c> header stands in for a cookie), the KeyPair
/// scheme, and the key self-service endpoints at <c>/account/keys</c>. Every response body is recorded, so a test can
/// check where a secret appeared.
/// </summary>
internal sealed class KeyManagementApp : IAsyncDisposable
{
    public const string UserScheme = "User";
    public const string Prefix = "/account/keys";

    private readonly WebApplication _app;
    private readonly List<string> _bodies = [];

    private KeyManagementApp(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Every response body received so far, in order.</summary>
    public IReadOnlyList<string> ResponseBodies
    {
        get
        {
            lock (_bodies)
            {
                return [.. _bodies];
            }
        }
    }

    public static async Task<KeyManagementApp> StartAsync(
        Action<KeyPairKeyManagementOptions>? configure = null,
        int maxActiveKeys = 10,
        bool antiforgery = false,
        Action<WebApplication>? beforeAuthentication = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(new CapturingLoggerProvider());

        builder.Services.AddKeyPairAuth(o => o.MaxActiveKeysPerOwner = maxActiveKeys);
        builder.Services.AddAuthentication(UserScheme)
            .AddScheme<AuthenticationSchemeOptions, TestUserAuthenticationHandler>(UserScheme, null)
            .AddKeyPair();
        builder.Services.AddAuthorization(o =>
        {
            o.AddPolicy("signed-in-user", p => p.AddAuthenticationSchemes(UserScheme).RequireAuthenticatedUser());
            o.AddPolicy("user-or-key", p => p.AddAuthenticationSchemes(UserScheme, KeyPairAuthenticationDefaults.AuthenticationScheme).RequireAuthenticatedUser());
            o.AddPolicy("key", p => p.AddAuthenticationSchemes(KeyPairAuthenticationDefaults.AuthenticationScheme).RequireAuthenticatedUser());
        });
        if (antiforgery)
        {
            builder.Services.AddAntiforgery();
        }

        WebApplication app = builder.Build();
        beforeAuthentication?.Invoke(app);
        app.UseAuthentication();
        app.UseAuthorization();

        void Configure(KeyPairKeyManagementOptions o)
        {
            o.AllowedScopes.Add("orders:read");
            o.AllowedScopes.Add("orders:write");
            o.RequireAntiforgeryToken = antiforgery;
            configure?.Invoke(o);
        }

        app.MapKeyPairKeyManagement(Prefix, Configure).RequireAuthorization("signed-in-user");

        // Mapped without RequireAuthorization: the endpoints themselves must refuse anonymous callers.
        app.MapKeyPairKeyManagement("/open/keys", Configure);

        // A policy that also accepts API keys: the endpoints themselves must refuse key-authenticated callers.
        app.MapKeyPairKeyManagement("/any/keys", Configure).RequireAuthorization("user-or-key");

        app.MapGet("/api/whoami", (ClaimsPrincipal user) =>
            Results.Text($"{user.FindFirstValue(ClaimTypes.NameIdentifier)}|{user.FindFirstValue(KeyPairClaimTypes.KeyId)}")).RequireAuthorization("key");
        if (antiforgery)
        {
            app.MapGet("/antiforgery", (IAntiforgery af, HttpContext http) => Results.Text(af.GetAndStoreTokens(http).RequestToken))
                .RequireAuthorization("signed-in-user");
        }

        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new KeyManagementApp(app, new Uri(address));
    }

    public Task<Reply> ListAsync(string? user, string prefix = Prefix) => SendAsync(HttpMethod.Get, prefix, user);

    public Task<Reply> GetAsync(string? user, string keyId, string prefix = Prefix) => SendAsync(HttpMethod.Get, $"{prefix}/{keyId}", user);

    public Task<Reply> RevokeAsync(string? user, string keyId, string prefix = Prefix) => SendAsync(HttpMethod.Delete, $"{prefix}/{keyId}", user);

    public Task<Reply> CreateAsync(string? user, string json, string prefix = Prefix) => SendAsync(HttpMethod.Post, prefix, user, json);

    public Task<Reply> RegisterAsync(string? user, string json, string prefix = Prefix) => SendAsync(HttpMethod.Post, $"{prefix}/register", user, json);

    public async Task<Reply> SendAsync(
        HttpMethod method,
        string path,
        string? user,
        string? json = null,
        string contentType = "application/json",
        Action<HttpRequestMessage>? customize = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (user is not null)
        {
            request.Headers.Add("X-User", user);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        customize?.Invoke(request);
        using HttpResponseMessage response = await Client.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        lock (_bodies)
        {
            _bodies.Add(body);
        }

        return new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body,
            response.Headers.Location?.OriginalString, response.Headers.CacheControl?.ToString());
    }

    /// <summary>Calls <c>GET /api/whoami</c> signed with <paramref name="secret"/>.</summary>
    public async Task<Reply> CallSignedAsync(string secret, string target = "/api/whoami", string method = "GET")
    {
        using SigningKey key = SigningKey.Parse(secret);
        return await CallSignedAsync(key, target, method);
    }

    /// <summary>Calls <paramref name="target"/> signed with <paramref name="key"/>.</summary>
    public async Task<Reply> CallSignedAsync(SigningKey key, string target = "/api/whoami", string method = "GET")
    {
        var outgoing = new OutgoingRequest(method, BaseAddress.Authority, target);
        SignatureFields fields = new HttpMessageSigner(TimeProvider.System).Sign(outgoing, key);
        Secrets.RegisterSignatureField(fields.Signature);
        outgoing.Apply(fields);
        using HttpRequestMessage message = outgoing.ToHttpRequestMessage(BaseAddress);
        using HttpResponseMessage response = await Client.SendAsync(message);
        string body = await response.Content.ReadAsStringAsync();
        lock (_bodies)
        {
            _bodies.Add(body);
        }

        return new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, null, null);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed record Reply(HttpStatusCode Status, string? MediaType, string Body, string? Location, string? CacheControl)
{
    public System.Text.Json.JsonElement Json => System.Text.Json.JsonDocument.Parse(Body).RootElement;

    public string? Error => MediaType == "application/problem+json" ? Json.GetProperty("error").GetString() : null;

    /// <summary>Asserts an <c>application/problem+json</c> refusal with this status and error code.</summary>
    public void AssertProblem(HttpStatusCode status, string error, bool withDetail = true)
    {
        Assert.True(status == Status && MediaType == "application/problem+json" && Error == error,
            $"Expected {(int)status} {error}, got {(int)Status} {MediaType}: {Body}");
        Assert.Equal((int)status, Json.GetProperty("status").GetInt32());
        if (withDetail)
        {
            Assert.False(string.IsNullOrWhiteSpace(Json.GetProperty("detail").GetString()));
        }
    }

    public void AssertStatus(HttpStatusCode status) =>
        Assert.True(status == Status, $"Expected {(int)status}, got {(int)Status}: {Body}");
}

/// <summary>
/// The application's own interactive scheme, standing in for a cookie: <c>X-User: alice</c> signs in as alice
/// (<see cref="ClaimTypes.NameIdentifier"/> and name). <c>X-User-Claim</c> names a different claim type to carry the
/// user instead, and then no NameIdentifier is added.
/// </summary>
internal sealed class TestUserAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue("X-User", out var user))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        string claimType = Request.Headers.TryGetValue("X-User-Claim", out var type) ? type.ToString() : ClaimTypes.NameIdentifier;
        var identity = new ClaimsIdentity([new Claim(claimType, user.ToString()), new Claim(ClaimTypes.Name, "display " + user)], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }
}
