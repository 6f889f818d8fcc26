using KeyPairAuth.Replay;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using KeyPairAuth.Tests.Signatures;

namespace KeyPairAuth.Tests.Replay;

/// <summary>
/// <see cref="ISpanReplayCache"/>: any cache that implements it gets the allocation-free span call from the verifier,
/// whichever reader read the fields; any other cache gets <see cref="IReplayCache.TryAddAsync"/>.
/// </summary>
public sealed class SpanReplayCacheTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Verify_CacheImplementingTheSpanInterface_GetsTheSpanCallOnly(bool fastPath)
    {
        using var f = new VerifierFixture();
        var cache = new RecordingSpanReplayCache();
        var verifier = new HttpMessageVerifier(new PublicKeyCache(f.Store, f.Time), cache, f.Options, f.Time) { FastPathEnabled = fastPath };
        TestRequest request = f.Sign(VerifierFixture.Get(), new SigningOptions { Nonce = "nonce-span-1" });

        SignatureVerificationResult result = await verifier.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
        (string keyId, string nonce, DateTimeOffset rememberUntil) = Assert.Single(cache.SpanCalls);
        Assert.Equal("kpa_testKey000000001", keyId);
        Assert.Equal("nonce-span-1", nonce);
        Assert.Equal(VerifierFixture.Now + f.Options.MaxSignatureAge + f.Options.MaxFutureSkew, rememberUntil);
        Assert.Equal(0, cache.AsyncCalls);
    }

    [Theory]
    [InlineData(ReplayCheckResult.Replayed, KeyPairFailureReason.ReplayedNonce)]
    [InlineData(ReplayCheckResult.RateLimited, KeyPairFailureReason.RateLimited)]
    [InlineData(ReplayCheckResult.CapacityExceeded, KeyPairFailureReason.ReplayCacheFull)]
    [InlineData(ReplayCheckResult.Unavailable, KeyPairFailureReason.ReplayCacheUnavailable)]
    public async Task Verify_SpanCallRefuses_FailsWithTheMappedReasonAndTheKey(ReplayCheckResult answer, KeyPairFailureReason expected)
    {
        using var f = new VerifierFixture();
        var cache = new RecordingSpanReplayCache { Answer = answer };
        var verifier = new HttpMessageVerifier(new PublicKeyCache(f.Store, f.Time), cache, f.Options, f.Time);

        SignatureVerificationResult result = await verifier.VerifyAsync(f.Sign(VerifierFixture.Get()));

        Assert.Equal(expected, result.Failure);
        Assert.Equal("kpa_testKey000000001", result.Key?.KeyId);
        Assert.Single(cache.SpanCalls);
    }

    [Fact]
    public async Task Verify_SpanCacheAndCancelledToken_IsCancelledWithoutTheCheckAndSet()
    {
        using var f = new VerifierFixture();
        var cache = new RecordingSpanReplayCache();
        var verifier = new HttpMessageVerifier(new PublicKeyCache(f.Store, f.Time), cache, f.Options, f.Time);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await verifier.VerifyAsync(f.Sign(VerifierFixture.Get()), cancelled.Token));

        Assert.Empty(cache.SpanCalls);
    }

    [Fact]
    public async Task Verify_CacheWithoutTheSpanInterface_GetsTryAddAsync()
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Get(), new SigningOptions { Nonce = "nonce-async-1" });

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.Equal("nonce-async-1", Assert.Single(f.Replay.Calls).Nonce);
    }

    /// <summary>A cache that is not <see cref="InMemoryReplayCache"/> but implements the span interface.</summary>
    private sealed class RecordingSpanReplayCache : ISpanReplayCache
    {
        public List<(string KeyId, string Nonce, DateTimeOffset RememberUntil)> SpanCalls { get; } = [];

        public int AsyncCalls { get; private set; }

        public ReplayCheckResult Answer { get; init; } = ReplayCheckResult.Accepted;

        public ReplayCheckResult TryAdd(ReadOnlySpan<char> keyId, ReadOnlySpan<char> nonce, DateTimeOffset rememberUntil)
        {
            SpanCalls.Add((keyId.ToString(), nonce.ToString(), rememberUntil));
            return Answer;
        }

        public ValueTask<ReplayCheckResult> TryAddAsync(string keyId, string nonce, DateTimeOffset rememberUntil, CancellationToken cancellationToken = default)
        {
            AsyncCalls++;
            return ValueTask.FromResult(Answer);
        }
    }
}
