using System.Collections.Concurrent;
using System.Net;
using KeyPairAuth.Digests;
using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.Testing;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (random port) protected by the engine's <see cref="HttpMessageVerifier"/> and
/// <see cref="ContentDigestVerifier"/>. Answers 200 "ok key=... body=N target=..." or 401 "error_code: detail".
/// </summary>
internal sealed class SignedApiServer : IAsyncDisposable
{
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
            var view = new ServerRequestView(context.Request, body.Length > 0);
            SignatureVerificationResult result = await verifier.VerifyAsync(view);
            string? refusal = result.Succeeded ? null : $"{result.Failure!.Value.ToErrorCode()}: {result.FailureDetail}";
            if (result.Succeeded && result.CoversContentDigest)
            {
                if (!ContentDigestVerifier.TryCreate(view.GetFieldValues(ContentDigest.FieldName), out ContentDigestVerifier? digest, out KeyPairFailureReason failure))
                {
                    refusal = $"{failure.ToErrorCode()}: Content-Digest unusable.";
                }
                else
                {
                    using (digest)
                    {
                        digest!.Append(body);
                        if (!digest.Verify())
                        {
                            refusal = $"{KeyPairFailureReason.DigestMismatch.ToErrorCode()}: The body does not match Content-Digest.";
                        }
                    }
                }
            }

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

            await context.Response.WriteAsync($"ok key={result.Key!.KeyId} body={body.Length} target={view.RequestTarget}");
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

    /// <summary>The server-side view: the raw request target as received, the Host header as the authority.</summary>
    private sealed class ServerRequestView(HttpRequest request, bool hasContent) : IHttpRequestView
    {
        public string Method => request.Method;

        public string Scheme => request.Scheme;

        public string Authority => request.Host.Value ?? string.Empty;

        public string RequestTarget => request.HttpContext.Features.Get<IHttpRequestFeature>()!.RawTarget;

        public bool HasContent => hasContent;

        public StringValues GetFieldValues(string fieldName) =>
            request.Headers.TryGetValue(fieldName, out StringValues values) ? values : StringValues.Empty;
    }
}

/// <summary>A request as <see cref="SignedApiServer"/> received it.</summary>
internal sealed record ReceivedRequest(string Method, string RawTarget, Dictionary<string, string> Headers, byte[] Body);
