using KeyPairAuth.Digests;
using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using KeyPairAuth.StructuredFields;
using KeyPairAuth.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>A verifier wired to fakes, a fixed clock and one registered key; plus helpers to sign requests.</summary>
internal sealed class VerifierFixture : IDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public VerifierFixture(Action<SignatureVerificationOptions>? configure = null, PublicKeyRecord? record = null)
    {
        Key = TestKeys.NewSigningKey("kpa_testKey000000001", 7);
        Store.Add(record ?? TestKeys.Record(Key));
        configure?.Invoke(Options);
        Verifier = new HttpMessageVerifier(new PublicKeyCache(Store, Time), Replay, Options, Time);
        Signer = new HttpMessageSigner(Time);
    }

    public FakeTimeProvider Time { get; } = new(Now);

    public FakePublicKeyStore Store { get; } = new();

    public FakeReplayCache Replay { get; } = new();

    public SignatureVerificationOptions Options { get; } = new();

    public SigningKey Key { get; }

    public HttpMessageVerifier Verifier { get; }

    public HttpMessageSigner Signer { get; }

    public static TestRequest Get(string target = "/api/items?page=2") => new("GET", target, "api.example.com");

    public static TestRequest Post(string body = "{\"hello\": \"world\"}", string target = "/api/items")
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(body);
        return new TestRequest("POST", target, "api.example.com") { HasContent = true }
            .With("Content-Type", "application/json")
            .With(ContentDigest.FieldName, ContentDigest.Compute(bytes));
    }

    /// <summary>Signs with the signer and adds the two fields.</summary>
    public TestRequest Sign(TestRequest request, SigningOptions? options = null, SigningKey? key = null)
    {
        SignatureFields fields = Signer.Sign(request, key ?? Key, options);
        return request.With(SignatureFields.SignatureInputFieldName, fields.SignatureInput).With(SignatureFields.SignatureFieldName, fields.Signature);
    }

    /// <summary>Signs a hand-written Signature-Input member (label=(...);params) so any parameter set can be produced.</summary>
    public TestRequest SignRaw(TestRequest request, string member, SigningKey? key = null)
    {
        SfDictionary parsed = StructuredFieldParser.ParseDictionary(member);
        string label = parsed.Members[0].Key;
        string signatureBase = SignatureBase.Build(request, parsed.Members[0].Value.InnerList!);
        byte[] signature = new byte[64];
        (key ?? Key).Sign(System.Text.Encoding.ASCII.GetBytes(signatureBase), signature);
        return request.With(SignatureFields.SignatureInputFieldName, member)
            .With(SignatureFields.SignatureFieldName, $"{label}=:{Convert.ToBase64String(signature)}:");
    }

    public long NowSeconds => Time.GetUtcNow().ToUnixTimeSeconds();

    public ValueTask<SignatureVerificationResult> VerifyAsync(TestRequest request) => Verifier.VerifyAsync(request);

    public void Dispose() => Key.Dispose();
}
