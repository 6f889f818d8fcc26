using KeyPairAuth.Replay;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using KeyPairAuth.Testing;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>
/// Outcomes of <see cref="HttpMessageVerifier.VerifyAsync"/> that depend on how its dependencies answer (a store that
/// answers later, every replay-cache answer, a cancelled call) and on options other tests leave at their defaults.
/// </summary>
public sealed class VerifierOutcomeTests
{
    [Fact]
    public async Task Verify_KeyStoreAnswersLater_SucceedsOnceTheLookupCompletes()
    {
        using var f = new VerifierFixture();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Store.Gate = gate.Task;

        ValueTask<SignatureVerificationResult> pending = f.VerifyAsync(f.Sign(VerifierFixture.Get()));
        Assert.False(pending.IsCompleted);
        gate.SetResult();
        SignatureVerificationResult result = await pending;

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.Equal("sig1", result.Label);
        Assert.Single(f.Replay.Calls);
    }

    [Fact]
    public async Task Verify_KeyStoreAnswersLaterWithAnotherKey_FailsWithInvalidSignature()
    {
        using var f = new VerifierFixture();
        using var impostor = TestKeys.NewSigningKey("kpa_testKey000000001", 9);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Store.Gate = gate.Task;

        ValueTask<SignatureVerificationResult> pending = f.VerifyAsync(f.Sign(VerifierFixture.Get(), key: impostor));
        gate.SetResult();

        Assert.Equal(KeyPairFailureReason.InvalidSignature, (await pending).Failure);
        Assert.Empty(f.Replay.Calls);
    }

    [Fact]
    public async Task Verify_KeyStoreAnswersLaterWithARevokedKey_FailsWithKeyRevoked()
    {
        using var f = new VerifierFixture();
        f.Store.Add(TestKeys.Record(f.Key, revokedAt: VerifierFixture.Now.AddDays(-1)));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Store.Gate = gate.Task;

        ValueTask<SignatureVerificationResult> pending = f.VerifyAsync(f.Sign(VerifierFixture.Get()));
        gate.SetResult();

        Assert.Equal(KeyPairFailureReason.KeyRevoked, (await pending).Failure);
    }

    [Theory]
    [InlineData(ReplayCheckResult.Replayed, KeyPairFailureReason.ReplayedNonce)]
    [InlineData(ReplayCheckResult.RateLimited, KeyPairFailureReason.RateLimited)]
    [InlineData(ReplayCheckResult.Unavailable, KeyPairFailureReason.ReplayCacheUnavailable)]
    [InlineData(ReplayCheckResult.CapacityExceeded, KeyPairFailureReason.ReplayCacheFull)]
    public async Task Verify_ReplayCacheRefuses_FailsWithTheMatchingReasonAndTheKey(ReplayCheckResult answer, KeyPairFailureReason expected)
    {
        using var f = new VerifierFixture();
        f.Replay.ForcedResult = answer;

        SignatureVerificationResult result = await f.VerifyAsync(f.Sign(VerifierFixture.Get()));

        Assert.Equal(expected, result.Failure);
        Assert.Equal("kpa_testKey000000001", result.Key?.KeyId);
    }

    [Theory]
    [InlineData(ReplayCheckResult.Accepted, null)]
    [InlineData(ReplayCheckResult.Replayed, KeyPairFailureReason.ReplayedNonce)]
    [InlineData(ReplayCheckResult.RateLimited, KeyPairFailureReason.RateLimited)]
    public async Task Verify_ReplayCacheAnswersLater_GivesTheSameOutcome(ReplayCheckResult answer, KeyPairFailureReason? expected)
    {
        using var f = new VerifierFixture();
        f.Replay.ForcedResult = answer;
        var verifier = new HttpMessageVerifier(new PublicKeyCache(f.Store, f.Time), new YieldingReplayCache(f.Replay), f.Options, f.Time);

        SignatureVerificationResult result = await verifier.VerifyAsync(f.Sign(VerifierFixture.Post()));

        Assert.Equal(expected, result.Failure);
        Assert.Equal(expected is null, result.Succeeded);
        if (result.Succeeded)
        {
            Assert.Equal("sig1", result.Label);
            Assert.Equal(VerifierFixture.Now, result.Created);
            Assert.True(result.CoversContentDigest);
        }
    }

    [Fact]
    public async Task Verify_CancelledBeforeTheInMemoryReplayCheck_IsCancelledAndRemembersNothing()
    {
        using var f = new VerifierFixture();
        var cache = new InMemoryReplayCache(f.Time);
        var verifier = new HttpMessageVerifier(new PublicKeyCache(f.Store, f.Time), cache, f.Options, f.Time);
        TestRequest request = f.Sign(VerifierFixture.Get());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await verifier.VerifyAsync(request, new CancellationToken(canceled: true)));

        Assert.Equal(0, cache.Count);
        Assert.True((await verifier.VerifyAsync(request)).Succeeded);
    }

    [Fact]
    public async Task Verify_WithInMemoryReplayCache_RemembersThePairUntilCreatedPlusAgePlusSkew()
    {
        using var f = new VerifierFixture();
        var cache = new InMemoryReplayCache(f.Time);
        var verifier = new HttpMessageVerifier(new PublicKeyCache(f.Store, f.Time), cache, f.Options, f.Time);
        TestRequest request = f.Sign(VerifierFixture.Get());
        Assert.True((await verifier.VerifyAsync(request)).Succeeded);

        // Created + 5 min + 1 min: still remembered just before, forgotten (at most a second late) after.
        f.Time.Advance(TimeSpan.FromMinutes(6) - TimeSpan.FromSeconds(1));
        Assert.Equal(1, cache.Count);
        f.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task Verify_ContentDigestNotRequired_AcceptsABodySignedWithoutIt()
    {
        using var f = new VerifierFixture(o => o.RequireContentDigestForContent = false);
        TestRequest request = f.Sign(VerifierFixture.Post(), new SigningOptions { Components = ["@method", "@authority", "@path", "@query"] });

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.False(result.CoversContentDigest);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Verify_RequestComponentsNotCovered_DetailNamesTargetUriOnlyWhereItIsAllowed(bool allowTargetUri)
    {
        using var f = new VerifierFixture(o => o.AllowTargetUri = allowTargetUri);
        TestRequest request = f.Sign(VerifierFixture.Get(), new SigningOptions { Components = ["@method", "@authority", "@path"] });

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.Equal(KeyPairFailureReason.InsufficientCoverage, result.Failure);
        Assert.Equal(allowTargetUri, result.FailureDetail!.Contains("@target-uri", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Verify_UncommonLabel_IsReportedAsSigned()
    {
        using var f = new VerifierFixture();

        SignatureVerificationResult result = await f.VerifyAsync(f.Sign(VerifierFixture.Get(), new SigningOptions { Label = "my-app_1" }));

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.Equal("my-app_1", result.Label);
    }

    [Theory]
    [InlineData("MaxNonceLength")]
    [InlineData("MaxSignatureAge")]
    [InlineData("MaxFutureSkew")]
    [InlineData("FieldLimits")]
    public void Constructor_InvalidSetting_ThrowsNamingTheSetting(string setting)
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var options = new SignatureVerificationOptions();
        switch (setting)
        {
            case "MaxNonceLength": options.MaxNonceLength = 0; break;
            case "MaxSignatureAge": options.MaxSignatureAge = TimeSpan.Zero; break;
            case "MaxFutureSkew": options.MaxFutureSkew = TimeSpan.FromTicks(-1); break;
            default: options.FieldLimits = null!; break;
        }

        var exception = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new HttpMessageVerifier(new PublicKeyCache(new FakePublicKeyStore(), time), new FakeReplayCache(), options, time));

        Assert.Contains(setting, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_SmallestValidSettings_AreAccepted()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var options = new SignatureVerificationOptions { MaxSignatures = 1, MaxNonceLength = 1, MaxSignatureAge = TimeSpan.FromTicks(1), MaxFutureSkew = TimeSpan.Zero };

        _ = new HttpMessageVerifier(new PublicKeyCache(new FakePublicKeyStore(), time), new FakeReplayCache(), options, time);
    }

    /// <summary>A cache that answers after a yield, as a network cache does.</summary>
    private sealed class YieldingReplayCache(IReplayCache inner) : IReplayCache
    {
        public async ValueTask<ReplayCheckResult> TryAddAsync(string keyId, string nonce, DateTimeOffset rememberUntil, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return await inner.TryAddAsync(keyId, nonce, rememberUntil, cancellationToken);
        }
    }
}
