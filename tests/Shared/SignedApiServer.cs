using System.Collections.Concurrent;
using System.Net;
using KeyPairAuth.AspNetCore;
using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace KeyPairAuth.Testing;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (random port) protected by the engine's <see cref="HttpMessageVerifier"/> through
/// the public ASP.NET Core entry point (signature, then body). Answers 200 "ok key=... body=N target=..." or 401 "error_code: detail".
/// </summary>
internal sealed class SignedApiServer : IAsyncDisposable
{
    private const long MaxBodySize = 1024 * 1024;
    private const int BodyBufferThreshold = 64 * 1024;

    private readonly WebApplication _app;

    private SignedApiServer(WebApplication app, FakePublicKeyStore store, ConcurrentQueue<ReceivedRequest> received)
    {
        _app = app;
        Store = store;
        Received = received;
    }

    public FakePublicKeyStore Store { get; }

    /// <summary>Every request received, in order: method, raw target, header fields and body bytes.</summary>
    public ConcurrentQueue<ReceivedRequest> Received { get; }

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<SignedApiServer> StartAsync()
    {
        var store = new FakePublicKeyStore();
        var received = new ConcurrentQueue<ReceivedRequest>();
        var verifier = new HttpMessageVerifier(store, new FakeReplayCache(), new SignatureVerificationOptions(), TimeProvider.System);

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        app.Run(async context =>
        {
            // The public entry point verifies the signature and then the body (buffered and rewound), with the
            // scheme's rules for the target (# escaped, absolute form bound to the routed path).
            SignatureVerificationResult result = await verifier.VerifyAsync(context, MaxBodySize, BodyBufferThreshold);

            byte[] body;
            using (var buffer = new MemoryStream())
            {
                await context.Request.Body.CopyToAsync(buffer);
                body = buffer.ToArray();
            }

            received.Enqueue(new ReceivedRequest(
                context.Request.Method,
                context.Features.Get<IHttpRequestFeature>()!.RawTarget,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body));
            string? refusal = result.Succeeded ? null : $"{result.Failure!.Value.ToErrorCode()}: {result.FailureDetail}";

            if (refusal is not null)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsync(refusal);
                return;
            }

            if (context.Request.Path.StartsWithSegments("/status", out PathString rest) && int.TryParse(rest.Value?.TrimStart('/'), out int status))
            {
                context.Response.StatusCode = status;
            }

            await context.Response.WriteAsync($"ok key={result.Key!.KeyId} body={body.Length} target={new HttpContextRequestView(context.Request).RequestTarget}");
        });

        await app.StartAsync();
        var server = new SignedApiServer(app, store, received);
        server.BaseAddress = new Uri(app.Urls.First());
        return server;
    }

    public void Register(string keyId, Ed25519PublicKey publicKey) => Store.Add(new PublicKeyRecord
    {
        KeyId = keyId,
        Owner = "owner-1",
        Name = "test",
        PublicKey = publicKey,
        CreatedAt = TimeProvider.System.GetUtcNow().AddMinutes(-1),
    });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A request as <see cref="SignedApiServer"/> received it.</summary>
internal sealed record ReceivedRequest(string Method, string RawTarget, Dictionary<string, string> Headers, byte[] Body);
