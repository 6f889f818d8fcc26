using System.Net;
using System.Text.RegularExpressions;
using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using KeyPairAuth.Testing;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using NSec.Cryptography;

namespace KeyPairAuth.Client.Tests;

/// <summary>A request as the transport received it: headers and the exact body bytes.</summary>
internal sealed record RecordedRequest(string Method, Uri Uri, Dictionary<string, string[]> Headers, byte[]? Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out string[]? values) ? string.Join(", ", values) : null;

    public int Count(string name) => Headers.TryGetValue(name, out string[]? values) ? values.Length : 0;
}

/// <summary>The innermost handler: records what would go on the wire and answers with the queued status codes (then 200).</summary>
internal sealed class RecordingHandler : HttpMessageHandler
{
    private readonly Queue<HttpStatusCode> _statuses;

    public RecordingHandler(params HttpStatusCode[] statuses) => _statuses = new Queue<HttpStatusCode>(statuses);

    public List<RecordedRequest> Requests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in request.Headers.NonValidated)
        {
            headers[header.Key] = [.. header.Value];
        }

        byte[]? body = null;
        if (request.Content is not null)
        {
            foreach (var header in request.Content.Headers.NonValidated)
            {
                headers[header.Key] = [.. header.Value];
            }

            // Serialize the way the transport does, so a content that cannot be re-sent would show here.
            using var buffer = new MemoryStream();
            await request.Content.CopyToAsync(buffer, cancellationToken);
            body = buffer.ToArray();
        }

        Requests.Add(new RecordedRequest(request.Method.Method, request.RequestUri!, headers, body));
        HttpStatusCode status = _statuses.Count > 0 ? _statuses.Dequeue() : HttpStatusCode.OK;
        return new HttpResponseMessage(status) { RequestMessage = request };
    }
}

/// <summary>Retries on 5xx, re-sending the same request message: the shape of any retry handler placed outside signing.</summary>
internal sealed class RetryHandler(int attempts) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
            if ((int)response.StatusCode < 500 || attempt == attempts)
            {
                return response;
            }

            response.Dispose();
        }
    }
}

/// <summary>An independent server-side view built from what was recorded on the wire.</summary>
internal sealed class RecordedRequestView(RecordedRequest request, string? authority = null, string? target = null) : IHttpRequestView
{
    public string Method => request.Method;

    public string Scheme => request.Uri.Scheme;

    public string Authority => authority ?? request.Header("Host") ?? request.Uri.Authority;

    public string RequestTarget => target ?? request.Uri.PathAndQuery;

    public bool HasContent => request.Body is { Length: > 0 };

    public StringValues GetFieldValues(string fieldName) =>
        request.Headers.TryGetValue(fieldName, out string[]? values) ? new StringValues(values) : StringValues.Empty;
}

internal static partial class TestKeys
{
    public const string KeyId = "kpa_testKey000000001";

    private static readonly byte[] Seed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");

    public static SigningKey Create(string keyId = KeyId) => SigningKey.FromSeed(keyId, Seed);

    /// <summary>A PKCS#8 PEM of a fresh Ed25519 key, written by NSec (as openssl would).</summary>
    public static (string Pem, byte[] PublicKey) NewPkcs8Pem()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return (System.Text.Encoding.ASCII.GetString(key.Export(KeyBlobFormat.PkixPrivateKeyText)), key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    public static async Task<SignatureVerificationResult> VerifyAsync(IHttpRequestView view, SigningKey key, FakeTimeProvider time)
    {
        var store = new FakePublicKeyStore();
        store.Add(new PublicKeyRecord
        {
            KeyId = key.KeyId,
            Owner = "owner-1",
            Name = "test",
            PublicKey = key.PublicKey,
            CreatedAt = time.GetUtcNow().AddDays(-1),
        });
        var verifier = new HttpMessageVerifier(store, new FakeReplayCache(), new SignatureVerificationOptions(), time);
        return await verifier.VerifyAsync(view);
    }

    public static string Nonce(RecordedRequest request) => NonceRegex().Match(request.Header("Signature-Input") ?? "").Groups[1].Value;

    [GeneratedRegex("nonce=\"([^\"]*)\"")]
    private static partial Regex NonceRegex();
}
