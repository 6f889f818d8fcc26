using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using KeyPairAuth.Benchmarks.Infrastructure;
using KeyPairAuth.Client;
using KeyPairAuth.Client.Internal;
using KeyPairAuth.Digests;
using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;
using NSec.Cryptography;

namespace KeyPairAuth.Benchmarks.Suites;

/// <summary>
/// Signing: one raw Ed25519 sign of a message exactly as long as our GET signature base (baseline) against
/// <c>HttpMessageSigner.Sign</c> on a request view, the standalone <c>RequestSigner</c> on an
/// <c>HttpRequestMessage</c>, and the client's signing <c>DelegatingHandler</c> in an <c>HttpMessageInvoker</c>
/// whose inner handler answers at once. Rows marked "harness" build the request only, to be subtracted.
/// </summary>
[BenchmarkCategory("Sign")]
public class SignBenchmarks
{
    private static readonly Uri GetUri = new("https://" + Fixtures.Authority + Fixtures.GetTarget);
    private static readonly Uri PostUri = new("https://" + Fixtures.Authority + "/v1/orders");

    private Key _rawKey = null!;
    private byte[] _message = null!;
    private byte[] _signature = null!;
    private SigningKey _key = null!;
    private HttpMessageSigner _signer = null!;
    private RequestSigner _requestSigner = null!;
    private HttpMessageInvoker _invoker = null!;
    private BenchRequest _get = null!;
    private BenchRequest _post = null!;
    private byte[] _postBody = null!;

    [GlobalSetup]
    public void Setup()
    {
        _rawKey = Fixtures.CreateNSecKey();
        _key = SigningKey.FromSeed(Fixtures.KeyId, Fixtures.Seed);
        _signer = new HttpMessageSigner();
        _requestSigner = new RequestSigner(_key);
        _invoker = new HttpMessageInvoker(new KeyPairSigningHandler(() => _requestSigner) { InnerHandler = new AnswerAtOnceHandler() });
        _get = new BenchRequest("GET", Fixtures.Authority, Fixtures.GetTarget, false);
        _postBody = Fixtures.Body(1024);
        _post = new BenchRequest("POST", Fixtures.Authority, "/v1/orders", true,
            BenchRequest.Header(ContentDigest.FieldName, ContentDigest.Compute(_postBody)));

        // Size the raw message to the base our signer really builds for the GET.
        SignatureFields fields = _signer.Sign(_get, _key);
        string signatureBase = SignatureBaseOf(_get, fields.SignatureInput);
        _message = Encoding.ASCII.GetBytes(signatureBase);
        _signature = new byte[64];
        Console.WriteLine($"// GET signature base: {_message.Length} bytes");

        Fixtures.Require(HandlerGet().GetAwaiter().GetResult(), "the handler signs");
        Fixtures.Require(RequestSignerGet().GetAwaiter().GetResult().Headers.Contains("Signature"), "the request signer signs");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _rawKey.Dispose();
        _key.Dispose();
        _invoker.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Ed25519 sign, raw NSec (GET base size)")]
    public byte RawSign()
    {
        SignatureAlgorithm.Ed25519.Sign(_rawKey, _message, _signature);
        return _signature[0];
    }

    [Benchmark(Description = "HttpMessageSigner.Sign, GET")]
    public SignatureFields SignerGet() => _signer.Sign(_get, _key);

    [Benchmark(Description = "HttpMessageSigner.Sign, POST (digest precomputed)")]
    public SignatureFields SignerPost() => _signer.Sign(_post, _key);

    [Benchmark(Description = "harness: new HttpRequestMessage GET")]
    public HttpRequestMessage HarnessGet() => new(HttpMethod.Get, GetUri);

    [Benchmark(Description = "RequestSigner.SignAsync, new GET message")]
    public async Task<HttpRequestMessage> RequestSignerGet()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, GetUri);
        await _requestSigner.SignAsync(request);
        return request;
    }

    [Benchmark(Description = "signing handler, GET through HttpMessageInvoker")]
    public async Task<bool> HandlerGet()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, GetUri);
        using var response = await _invoker.SendAsync(request, CancellationToken.None);
        return request.Headers.Contains("Signature");
    }

    [Benchmark(Description = "signing handler, POST 1 KiB (digest + sign)")]
    public async Task<bool> HandlerPost1KiB()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, PostUri) { Content = new ByteArrayContent(_postBody) };
        using var response = await _invoker.SendAsync(request, CancellationToken.None);
        return request.Headers.Contains("Signature");
    }

    /// <summary>Rebuilds the signature base a signature covers, to size raw baselines to our real message.</summary>
    internal static string SignatureBaseOf(BenchRequest request, string signatureInput)
    {
        Fixtures.Require(StructuredFieldParser.ParseDictionary(signatureInput).TryGetValue("sig1", out SfMember? member) && member!.InnerList is not null, "sig1 is an inner list");
        return SignatureBase.Build(request, member!.InnerList!);
    }

    private sealed class AnswerAtOnceHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
    }
}
