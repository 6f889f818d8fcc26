using KeyPairAuth.Digests;
using KeyPairAuth.Keys;
using KeyPairAuth.Replay;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;

namespace KeyPairAuth.Benchmarks.Infrastructure;

/// <summary>
/// Everything our full verification needs, wired as the ASP.NET Core scheme wires it: <see cref="HttpMessageVerifier"/>
/// over a <see cref="PublicKeyCache"/> in front of an <see cref="InMemoryPublicKeyStore"/>, with a real
/// <see cref="InMemoryReplayCache"/>, default <see cref="SignatureVerificationOptions"/>, and (for requests with a body)
/// <see cref="ContentDigestVerifier"/> over the body bytes.
/// </summary>
/// <remarks>
/// A pre-signed request can be accepted only once, so the fixture pre-signs a pool of requests with distinct nonces
/// (the client's own <see cref="HttpMessageSigner"/>, fresh 128-bit nonce each) and cycles through it. Each time the pool
/// wraps, the replay cache is replaced by a fresh, empty <see cref="InMemoryReplayCache"/> (a new "generation"), so every
/// verification measured does the real check-and-set of a new pair. The cost of that swap (and of the cache growing
/// again to the pool size) is included, amortised over <see cref="PoolSize"/> verifications. The clock is frozen at
/// signing time, so every signature stays fresh and the key lookup is always a cache hit (the steady state).
/// </remarks>
internal sealed class VerifyFixture : IDisposable
{
    public const int PoolSize = 8192;

    private readonly HttpMessageVerifier _verifier;
    private readonly GenerationalReplayCache _replay;
    private readonly BenchRequest[] _pool;
    private readonly byte[]? _body;
    private int _next;

    private VerifyFixture(int bodySize, int poolSize, bool noOpReplayCache = false, IPublicKeyStore? keyStore = null)
    {
        var time = new FixedTimeProvider(TimeProvider.System.GetUtcNow());
        using SigningKey key = SigningKey.FromSeed(Fixtures.KeyId, Fixtures.Seed);
        IPublicKeyStore store = keyStore ?? Fixtures.StoreWithKey(key, time.GetUtcNow());

        _replay = new GenerationalReplayCache(noOpReplayCache
            ? () => new AcceptAllReplayCache()
            : () => new InMemoryReplayCache(time, ReplayOptions(poolSize)));
        _verifier = new HttpMessageVerifier(new PublicKeyCache(store, time), _replay, new SignatureVerificationOptions(), time);

        var signer = new HttpMessageSigner(time);
        BenchRequest unsigned;
        if (bodySize < 0)
        {
            unsigned = new BenchRequest("GET", Fixtures.Authority, Fixtures.GetTarget, false);
        }
        else
        {
            _body = Fixtures.Body(bodySize);
            unsigned = new BenchRequest("POST", Fixtures.Authority, "/v1/orders", bodySize > 0,
                BenchRequest.Header(ContentDigest.FieldName, ContentDigest.Compute(_body)),
                BenchRequest.Header("Content-Type", "application/octet-stream"));
        }

        _pool = new BenchRequest[poolSize];
        for (int i = 0; i < poolSize; i++)
        {
            SignatureFields fields = signer.Sign(unsigned, key);
            _pool[i] = unsigned.With(
                BenchRequest.Header(SignatureFields.SignatureInputFieldName, fields.SignatureInput),
                BenchRequest.Header(SignatureFields.SignatureFieldName, fields.Signature));
        }

        SignatureInput = _pool[0].GetFieldValues(SignatureFields.SignatureInputFieldName).ToString();
        SignatureBaseText = Suites.SignBenchmarks.SignatureBaseOf(_pool[0], SignatureInput);
        Unsigned = unsigned;

        // Correctness: the first verification succeeds, a replay of it is refused, a tampered request is refused.
        var first = _verifier.VerifyAsync(_pool[0]).AsTask().GetAwaiter().GetResult();
        Fixtures.Require(first.Succeeded, $"a signed request verifies (got {first.Failure})");
        Fixtures.Require(first.CoversContentDigest == (bodySize > 0), "content-digest coverage matches the body");
        var replayed = _verifier.VerifyAsync(_pool[0]).AsTask().GetAwaiter().GetResult();
        Fixtures.Require(noOpReplayCache || replayed.Failure == KeyPairFailureReason.ReplayedNonce, $"a replay is refused (got {replayed.Failure})");
        var tampered = new BenchRequest(unsigned.Method, unsigned.Authority, unsigned.RequestTarget + "&x=1", unsigned.HasContent,
            BenchRequest.Header(SignatureFields.SignatureInputFieldName, _pool[1].GetFieldValues(SignatureFields.SignatureInputFieldName).ToString()),
            BenchRequest.Header(SignatureFields.SignatureFieldName, _pool[1].GetFieldValues(SignatureFields.SignatureFieldName).ToString()),
            BenchRequest.Header(ContentDigest.FieldName, _pool[1].GetFieldValues(ContentDigest.FieldName).ToString()));
        var refused = _verifier.VerifyAsync(tampered).AsTask().GetAwaiter().GetResult();
        Fixtures.Require(refused.Failure == KeyPairFailureReason.InvalidSignature, $"a tampered request is refused (got {refused.Failure})");
        if (_body is not null && bodySize > 0)
        {
            Fixtures.Require(CheckDigest(_pool[0], _body), "the body matches its digest");
            byte[] altered = (byte[])_body.Clone();
            altered[^1] ^= 1;
            Fixtures.Require(!CheckDigest(_pool[0], altered), "an altered body is refused");
        }

        _replay.NextGeneration();
        _next = 0;
    }

    /// <summary>Gets the <c>Signature-Input</c> value of the first pooled request.</summary>
    public string SignatureInput { get; }

    /// <summary>Gets the signature base our verifier builds for the first pooled request.</summary>
    public string SignatureBaseText { get; }

    /// <summary>Gets the request before signing.</summary>
    public BenchRequest Unsigned { get; }

    public static VerifyFixture ForGet(int poolSize = PoolSize) => new(-1, poolSize);

    /// <summary>A GET fixture over another store, which must already hold the bench key (<see cref="Fixtures.RecordFor"/>).</summary>
    public static VerifyFixture ForGet(IPublicKeyStore store, int poolSize = PoolSize) => new(-1, poolSize, keyStore: store);

    public static VerifyFixture ForPost(int bodySize, int poolSize = PoolSize) => new(bodySize, poolSize);

    /// <summary>Diagnostics only: a GET fixture whose replay cache accepts everything (isolates the replay check's cost).</summary>
    public static VerifyFixture ForGetWithoutReplayCheck(int poolSize = PoolSize) => new(-1, poolSize, noOpReplayCache: true);

    /// <summary>Diagnostics only: the signature base and signature bytes of every pooled request, for raw verification.</summary>
    public (byte[] Base, byte[] Signature)[] RawPairs() =>
        [.. _pool.Select(r =>
        {
            string input = r.GetFieldValues(SignatureFields.SignatureInputFieldName).ToString();
            KeyPairAuth.StructuredFields.StructuredFieldParser.ParseDictionary(r.GetFieldValues(SignatureFields.SignatureFieldName).ToString())
                .TryGetValue("sig1", out KeyPairAuth.StructuredFields.SfMember? member);
            return (System.Text.Encoding.ASCII.GetBytes(Suites.SignBenchmarks.SignatureBaseOf(r, input)), member!.Item!.Value.Bytes.ToArray());
        })];

    /// <summary>Verifies the next pooled request (signature, then the body digest when there is a body).</summary>
    public async ValueTask<bool> VerifyNextAsync()
    {
        BenchRequest request = _pool[_next];
        if (++_next == _pool.Length)
        {
            _next = 0;
            _replay.NextGeneration();
        }

        SignatureVerificationResult result = await _verifier.VerifyAsync(request);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("verification failed: " + result.Failure);
        }

        return _body is null || !result.CoversContentDigest || CheckDigest(request, _body);
    }

    private static bool CheckDigest(BenchRequest request, byte[] body)
    {
        if (!ContentDigestVerifier.TryCreate(request.GetFieldValues(ContentDigest.FieldName), out ContentDigestVerifier? digest, out _))
        {
            return false;
        }

        using (digest)
        {
            digest!.Append(body);
            return digest.Verify();
        }
    }

    public void Dispose()
    {
    }

    private sealed class AcceptAllReplayCache : IReplayCache
    {
        public ValueTask<ReplayCheckResult> TryAddAsync(string keyId, string nonce, DateTimeOffset rememberUntil, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(ReplayCheckResult.Accepted);
    }

    /// <summary>
    /// Forwards to the current cache; <see cref="NextGeneration"/> swaps in a fresh, empty one. It forwards the span
    /// call too (the internal interface exists so that a wrapper like this one keeps the allocation-free path an app
    /// gets by registering <see cref="InMemoryReplayCache"/> directly; before issue 10 only that exact type got it).
    /// </summary>
    private sealed class GenerationalReplayCache(Func<IReplayCache> factory) : ISpanReplayCache
    {
        private IReplayCache _current = factory();

        public void NextGeneration() => _current = factory();

        public ValueTask<ReplayCheckResult> TryAddAsync(string keyId, string nonce, DateTimeOffset rememberUntil, CancellationToken cancellationToken = default) =>
            _current.TryAddAsync(keyId, nonce, rememberUntil, cancellationToken);

        public ReplayCheckResult TryAdd(ReadOnlySpan<char> keyId, ReadOnlySpan<char> nonce, DateTimeOffset rememberUntil) =>
            _current is ISpanReplayCache span
                ? span.TryAdd(keyId, nonce, rememberUntil)
                : _current.TryAddAsync(keyId.ToString(), nonce.ToString(), rememberUntil).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>
    /// Room for one generation of the pool. One bench key signs every request, so it gets half the cache: more than a
    /// generation, less than the whole, so the per-key counters run as they do in production.
    /// </summary>
    private static InMemoryReplayCacheOptions ReplayOptions(int poolSize)
    {
        int maxEntries = Math.Max(poolSize * 2, 4096);
        return new InMemoryReplayCacheOptions { MaxEntries = maxEntries, MaxEntriesPerKey = maxEntries / 2 };
    }
}
