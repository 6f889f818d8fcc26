using System.Net;
using System.Security.Claims;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (port 0) with the KeyPair scheme and a set of endpoints, and a real HttpClient.
/// </summary>
internal sealed class TestApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestApp(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }

    public string Authority => BaseAddress.Authority;

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public IPublicKeyStore Store => Services.GetRequiredService<IPublicKeyStore>();

    /// <param name="configure">Configures the KeyPair scheme.</param>
    /// <param name="services">Adds services before the KeyPair ones.</param>
    /// <param name="beforeAuthentication">Adds middleware or endpoints before <c>UseAuthentication</c>.</param>
    /// <param name="keyPairIsDefault">Whether KeyPair is the default scheme (otherwise the header scheme is).</param>
    /// <param name="pipeline">
    /// The whole pipeline, middleware order included (tests of what runs before or after authentication); replaces
    /// <paramref name="beforeAuthentication"/>, <c>UseAuthentication</c>, <c>UseAuthorization</c> and the standard endpoints.
    /// </param>
    /// <param name="protocols">The endpoint's protocols; <see cref="HttpProtocols.Http2"/> alone accepts h2c (prior knowledge).</param>
    public static async Task<TestApp> StartAsync(
        Action<KeyPairAuthenticationOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        Action<WebApplication>? beforeAuthentication = null,
        bool keyPairIsDefault = true,
        Action<WebApplication>? pipeline = null,
        HttpProtocols? protocols = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        if (protocols is { } endpointProtocols)
        {
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = endpointProtocols));
        }
        else
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }

        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(new CapturingLoggerProvider());
        services?.Invoke(builder.Services);

        builder.Services.AddKeyPairAuth();
        builder.Services
            .AddAuthentication(keyPairIsDefault ? KeyPairAuthenticationDefaults.AuthenticationScheme : "Header")
            .AddKeyPair(o => configure?.Invoke(o))
            .AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>("Header", null);
        builder.Services.AddAuthorization(o =>
        {
            o.AddScopePolicy("orders:read");
            o.AddPolicy("either", p => p.AddAuthenticationSchemes(KeyPairAuthenticationDefaults.AuthenticationScheme, "Header").RequireAuthenticatedUser());
        });

        WebApplication app = builder.Build();
        if (pipeline is not null)
        {
            pipeline(app);
        }
        else
        {
            beforeAuthentication?.Invoke(app);
            app.UseAuthentication();
            app.UseAuthorization();
            MapEndpoints(app);
        }

        try
        {
            await app.StartAsync();
        }
        catch
        {
            // A start-up check refused the configuration: release what the host built before rethrowing.
            await app.DisposeAsync();
            throw;
        }

        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new TestApp(app, new Uri(address));
    }

    public async Task<TestKey> AddKeyAsync(string owner = "alice", IReadOnlyList<string>? scopes = null, DateTimeOffset? expiresAt = null, DateTimeOffset? revokedAt = null)
    {
        var key = TestKey.Create();
        PublicKeyAddResult added = await Store.AddAsync(key.Record(owner, scopes, expiresAt, revokedAt), maxActiveKeysPerOwner: 1000);
        Assert.Equal(PublicKeyAddResult.Added, added);
        return key;
    }

    /// <summary>Signs with the engine's signer at <paramref name="signedAt"/> (default: now) and returns the request.</summary>
    public static OutgoingRequest Sign(OutgoingRequest request, TestKey key, SigningOptions? options = null, DateTimeOffset? signedAt = null)
    {
        if (request.Body is not null && request.GetFieldValues("Content-Digest").Count == 0)
        {
            request.AddDigest();
        }

        var signer = new HttpMessageSigner(new FakeTimeProvider(signedAt ?? TimeProvider.System.GetUtcNow()));
        SignatureFields fields = signer.Sign(request, key.SigningKey, options);
        Secrets.RegisterSignatureField(fields.Signature);
        return request.Apply(fields);
    }

    public OutgoingRequest Get(string target) => new("GET", Authority, target);

    public OutgoingRequest PostJson(string target, string json) => OutgoingRequest.Json("POST", Authority, target, json);

    public async Task<HttpResponseMessage> SendAsync(OutgoingRequest request)
    {
        using HttpRequestMessage message = request.ToHttpRequestMessage(BaseAddress);
        return await Client.SendAsync(message);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static void MapEndpoints(WebApplication app)
    {
        app.MapGet("/orders", (ClaimsPrincipal user, HttpContext http) => Results.Text(Describe(user, http))).RequireAuthorization();
        app.MapPost("/orders", async (ClaimsPrincipal user, HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            string body = await reader.ReadToEndAsync();
            return Results.Text($"{Describe(user, http)}|body={body}");
        }).RequireAuthorization();
        app.MapPost("/orders/write", (ClaimsPrincipal user, HttpContext http) => Results.Text(Describe(user, http))).RequireScope("orders:write");
        app.MapGet("/orders/read", [Authorize(Policy = "scope:orders:read")] (ClaimsPrincipal user, HttpContext http) => Results.Text(Describe(user, http)));
        app.MapGet("/either", (ClaimsPrincipal user, HttpContext http) => Results.Text(Describe(user, http))).RequireAuthorization("either");
        app.MapGet("/anon", [AllowAnonymous] (ClaimsPrincipal user) => Results.Text($"anonymous={user.Identity?.IsAuthenticated != true}"));
        app.MapMethods("/any", ["GET", "POST", "PUT", "DELETE", "PATCH"], (ClaimsPrincipal user, HttpContext http) => Results.Text(Describe(user, http))).RequireAuthorization();
        app.MapGet("/raw/{**rest}", (ClaimsPrincipal user, HttpContext http) => Results.Text(Describe(user, http))).RequireAuthorization();
    }

    /// <summary>What the application sees of a request, for tests of middleware that rewrites it.</summary>
    public static string DescribeRequest(HttpContext http) =>
        $"auth={http.User.Identity?.IsAuthenticated == true}|method={http.Request.Method}|host={http.Request.Host}|raw={http.Features.Get<IHttpRequestFeature>()?.RawTarget}"
        + $"|pathbase={http.Request.PathBase}|path={http.Request.Path}|query={http.Request.QueryString}|scheme={http.Request.Scheme}|proto={http.Request.Protocol}";

    /// <summary><see cref="DescribeRequest"/> and the body as the application reads it.</summary>
    public static async Task<string> DescribeRequestWithBodyAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body);
        string body = await reader.ReadToEndAsync();
        return DescribeRequest(http) + "|body=" + body;
    }

    private static string Describe(ClaimsPrincipal user, HttpContext http) =>
        $"owner={user.FindFirstValue(ClaimTypes.NameIdentifier)}|name={user.Identity?.Name}|keyid={user.FindFirstValue(KeyPairClaimTypes.KeyId)}"
        + $"|keyname={user.FindFirstValue(KeyPairClaimTypes.KeyName)}|scopes={string.Join(',', user.FindAll(KeyPairClaimTypes.Scope).Select(c => c.Value))}"
        + $"|scheme={user.Identity?.AuthenticationType}|raw={http.Features.Get<IHttpRequestFeature>()?.RawTarget}|path={http.Request.PathBase}{http.Request.Path}";
}

/// <summary>Another scheme, to show the KeyPair scheme coexists: authenticates requests with an <c>X-Test-User</c> header.</summary>
internal sealed class HeaderAuthenticationHandler(
    Microsoft.Extensions.Options.IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    System.Text.Encodings.Web.UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue("X-Test-User", out var user))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user.ToString())], Scheme.Name, ClaimTypes.NameIdentifier, ClaimTypes.Role);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }
}

/// <summary>One shared default app per test class.</summary>
public sealed class DefaultAppFixture : IAsyncLifetime
{
    internal TestApp App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await TestApp.StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();
}
