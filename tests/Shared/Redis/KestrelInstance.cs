using System.Net;
using KeyPairAuth.AspNetCore;
using KeyPairAuth.Issuance;
using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.Testing;

/// <summary>
/// A real Kestrel app on 127.0.0.1 (free port) using the KeyPair scheme with the Redis parts from
/// <see cref="RedisInstanceSettings"/> over a key store several instances may share. <c>GET /orders</c> requires an
/// authenticated caller and answers "ok &lt;key id&gt;". Several of these sharing one Redis (and one database) are the
/// "many instances behind a load balancer" setup; <see cref="SendSignedAsync"/> signs for this instance's authority and
/// <see cref="SendAsync"/> sends given signature fields byte for byte (a replay).
/// </summary>
internal sealed class KestrelInstance : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelInstance(WebApplication app, CapturingLoggerProvider logs)
    {
        _app = app;
        Logs = logs;
        BaseAddress = new Uri(app.Urls.First());
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public CapturingLoggerProvider Logs { get; }

    public IServiceProvider Services => _app.Services;

    public IKeyPairIssuer Issuer => _app.Services.GetRequiredService<IKeyPairIssuer>();

    /// <summary>Builds and starts an instance.</summary>
    /// <param name="settings">The shared Redis settings.</param>
    /// <param name="store">A key store shared between instances like a database, or <see langword="null"/> when <paramref name="keyPair"/> registers one (for example the EF Core store).</param>
    /// <param name="replayCache">Use the Redis replay cache (else the in-memory one).</param>
    /// <param name="fanOut">Use Redis revocation fan-out.</param>
    /// <param name="configure">Further registrations, before <c>AddKeyPairAuth()</c>.</param>
    /// <param name="keyPair">Further builder verbs after the Redis parts (for example <c>AddEntityFrameworkCoreStore</c>).</param>
    public static async Task<KestrelInstance> StartAsync(RedisInstanceSettings settings, IPublicKeyStore? store, bool replayCache = true, bool fanOut = true,
        Action<IServiceCollection>? configure = null, Action<KeyPairAuthBuilder>? keyPair = null)
    {
        var logs = new CapturingLoggerProvider();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        if (store is not null)
        {
            builder.Services.AddSingleton(store);
        }

        configure?.Invoke(builder.Services);
        KeyPairAuthBuilder keyPairBuilder = settings.AddTo(builder.Services.AddKeyPairAuth(), replayCache, fanOut);
        keyPair?.Invoke(keyPairBuilder);
        builder.Services.AddAuthentication(KeyPairAuthenticationDefaults.AuthenticationScheme).AddKeyPair();
        builder.Services.AddAuthorization();
        WebApplication app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/orders", (HttpContext context) => $"ok {context.User.FindFirst(KeyPairClaimTypes.KeyId)?.Value}").RequireAuthorization();
        await app.StartAsync();
        return new KestrelInstance(app, logs);
    }

    /// <summary>Signs <c>GET <paramref name="target"/></c> for this instance's authority (fresh nonce).</summary>
    public SignatureFields Sign(SigningKey key, string target = "/orders") =>
        new HttpMessageSigner().Sign(new OutgoingGet(BaseAddress.Authority, target), key);

    public Task<HttpResponseMessage> SendSignedAsync(SigningKey key, string target = "/orders") => SendAsync(Sign(key, target), target);

    /// <summary>Sends <c>GET <paramref name="target"/></c> carrying exactly <paramref name="fields"/> (possibly signed for another instance).</summary>
    public async Task<HttpResponseMessage> SendAsync(SignatureFields fields, string target = "/orders", string? authority = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        request.Headers.TryAddWithoutValidation("Signature-Input", fields.SignatureInput);
        request.Headers.TryAddWithoutValidation("Signature", fields.Signature);
        if (authority is not null)
        {
            request.Headers.Host = authority;
        }

        return await Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>What the signer sees of an outgoing GET without a body.</summary>
    private sealed class OutgoingGet(string authority, string target) : IHttpRequestView
    {
        public string Method => "GET";

        public string Scheme => "http";

        public string Authority => authority;

        public string RequestTarget => target;

        public bool HasContent => false;

        public StringValues GetFieldValues(string fieldName) => StringValues.Empty;
    }
}
