using KeyPairAuth.Replay;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>
/// <see cref="IRequestNonceRecord"/>: a request verified twice (two KeyPair schemes) is not its own replay. Only the
/// replay step is satisfied by the record; every other check runs again, and a pair accepted for another request is
/// still a replay.
/// </summary>
public sealed class RequestNonceRecordTests
{
    public enum ReplayKind
    {
        /// <summary>A cache that answers synchronously (not the in-memory one).</summary>
        Synchronous,

        /// <summary>A cache that answers asynchronously (a network cache).</summary>
        Asynchronous,

        /// <summary>The production in-memory cache (the span-based fast path).</summary>
        InMemory,
    }

    private static HttpMessageVerifier NewVerifier(VerifierFixture f, ReplayKind kind, bool fastPath) =>
        new(new PublicKeyCache(f.Store, f.Time), kind switch
        {
            ReplayKind.Synchronous => f.Replay,
            ReplayKind.Asynchronous => new YieldingReplayCache(f.Replay),
            _ => new InMemoryReplayCache(f.Time),
        }, f.Options, f.Time)
        { FastPathEnabled = fastPath };

    [Theory]
    [InlineData(ReplayKind.Synchronous, true)]
    [InlineData(ReplayKind.Synchronous, false)]
    [InlineData(ReplayKind.Asynchronous, true)]
    [InlineData(ReplayKind.Asynchronous, false)]
    [InlineData(ReplayKind.InMemory, true)]
    [InlineData(ReplayKind.InMemory, false)]
    public async Task Verify_SameRequestTwiceWithItsRecord_BothSucceed_AndThePairIsRecordedOnce(ReplayKind kind, bool fastPath)
    {
        using var f = new VerifierFixture();
        HttpMessageVerifier verifier = NewVerifier(f, kind, fastPath);
        var request = new RecordingRequest(f.Sign(VerifierFixture.Get(), new SigningOptions { Nonce = "nonce-1" }));

        SignatureVerificationResult first = await verifier.VerifyAsync(request);
        SignatureVerificationResult second = await verifier.VerifyAsync(request);

        Assert.True(first.Succeeded, first.FailureDetail);
        Assert.True(second.Succeeded, second.FailureDetail);
        Assert.Equal([("kpa_test_key_1", "nonce-1")], request.Recorded);
        if (kind != ReplayKind.InMemory)
        {
            Assert.Single(f.Replay.Calls);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Verify_SameRequestTwiceWithoutRecord_SecondFailsWithReplayedNonce(bool fastPath)
    {
        using var f = new VerifierFixture();
        HttpMessageVerifier verifier = NewVerifier(f, ReplayKind.InMemory, fastPath);
        TestRequest request = f.Sign(VerifierFixture.Get());

        Assert.True((await verifier.VerifyAsync(request)).Succeeded);
        Assert.Equal(KeyPairFailureReason.ReplayedNonce, (await verifier.VerifyAsync(request)).Failure);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Verify_RecordHoldsAnotherRequestsPair_FailsWithReplayedNonce(bool fastPath)
    {
        // A nonce already used by another request: the record of this request does not hold it.
        using var f = new VerifierFixture();
        HttpMessageVerifier verifier = NewVerifier(f, ReplayKind.InMemory, fastPath);
        TestRequest original = f.Sign(VerifierFixture.Get(), new SigningOptions { Nonce = "used" });
        Assert.True((await verifier.VerifyAsync(original)).Succeeded);

        var replay = new RecordingRequest(f.Sign(VerifierFixture.Get(), new SigningOptions { Nonce = "used" }));
        replay.Recorded.Add(("kpa_test_key_1", "other-nonce"));
        replay.Recorded.Add(("kpa_other_key", "used"));

        SignatureVerificationResult result = await verifier.VerifyAsync(replay);

        Assert.Equal(KeyPairFailureReason.ReplayedNonce, result.Failure);
        Assert.Equal(2, replay.Recorded.Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Verify_RecordedPairButTamperedPath_FailsWithInvalidSignature(bool fastPath)
    {
        // The record satisfies the replay step only: the signature is verified again, against this request.
        using var f = new VerifierFixture();
        HttpMessageVerifier verifier = NewVerifier(f, ReplayKind.InMemory, fastPath);
        var request = new RecordingRequest(f.Sign(VerifierFixture.Get("/api/items"), new SigningOptions { Nonce = "n" }));
        request.Recorded.Add(("kpa_test_key_1", "n"));
        request.Inner.RequestTarget = "/api/admin";

        Assert.Equal(KeyPairFailureReason.InvalidSignature, (await verifier.VerifyAsync(request)).Failure);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Verify_RecordedPairButStricterPolicy_FailsWithThatPolicysReason(bool fastPath)
    {
        using var f = new VerifierFixture(o => o.RequiredTag = "strict");
        HttpMessageVerifier verifier = NewVerifier(f, ReplayKind.InMemory, fastPath);
        var request = new RecordingRequest(f.Sign(VerifierFixture.Get(), new SigningOptions { Nonce = "n" }));
        request.Recorded.Add(("kpa_test_key_1", "n"));

        Assert.Equal(KeyPairFailureReason.InsufficientCoverage, (await verifier.VerifyAsync(request)).Failure);
    }

    [Theory]
    [InlineData(ReplayKind.Synchronous, true)]
    [InlineData(ReplayKind.Synchronous, false)]
    [InlineData(ReplayKind.Asynchronous, true)]
    [InlineData(ReplayKind.Asynchronous, false)]
    public async Task Verify_ReplayCacheRefuses_RecordsNothing(ReplayKind kind, bool fastPath)
    {
        using var f = new VerifierFixture();
        f.Replay.ForcedResult = ReplayCheckResult.Replayed;
        HttpMessageVerifier verifier = NewVerifier(f, kind, fastPath);
        var request = new RecordingRequest(f.Sign(VerifierFixture.Get()));

        Assert.Equal(KeyPairFailureReason.ReplayedNonce, (await verifier.VerifyAsync(request)).Failure);
        Assert.Empty(request.Recorded);
    }

    [Fact]
    public async Task Verify_SeveralSignatures_RecordsOnlyThePairTheRequestWasAcceptedWith()
    {
        // sig1 carries a nonce already spent by another request; sig2 a fresh one.
        using var f = new VerifierFixture();
        HttpMessageVerifier verifier = NewVerifier(f, ReplayKind.Synchronous, fastPath: true);
        Assert.True((await verifier.VerifyAsync(f.Sign(VerifierFixture.Get(), new SigningOptions { Nonce = "spent" }))).Succeeded);

        TestRequest inner = VerifierFixture.Get();
        SignatureFields sig1 = f.Signer.Sign(inner, f.Key, new SigningOptions { Nonce = "spent", Label = "sig1" });
        SignatureFields sig2 = f.Signer.Sign(inner, f.Key, new SigningOptions { Nonce = "fresh", Label = "sig2" });
        inner.With(SignatureFields.SignatureInputFieldName, sig1.SignatureInput + ", " + sig2.SignatureInput)
            .With(SignatureFields.SignatureFieldName, sig1.Signature + ", " + sig2.Signature);
        var request = new RecordingRequest(inner);

        SignatureVerificationResult result = await verifier.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.Equal("sig2", result.Label);
        Assert.Equal([("kpa_test_key_1", "fresh")], request.Recorded);
    }

    /// <summary>A request view with a request-local record, as the ASP.NET Core adapter keeps one per request.</summary>
    private sealed class RecordingRequest(TestRequest inner) : IHttpRequestView, IRequestNonceRecord
    {
        public TestRequest Inner { get; } = inner;

        public List<(string KeyId, string Nonce)> Recorded { get; } = [];

        public string Method => Inner.Method;

        public string Scheme => Inner.Scheme;

        public string Authority => Inner.Authority;

        public string RequestTarget => Inner.RequestTarget;

        public bool HasContent => Inner.HasContent;

        public StringValues GetFieldValues(string fieldName) => Inner.GetFieldValues(fieldName);

        public bool WasAccepted(ReadOnlySpan<char> keyId, ReadOnlySpan<char> nonce)
        {
            foreach ((string k, string n) in Recorded)
            {
                if (keyId.SequenceEqual(k) && nonce.SequenceEqual(n))
                {
                    return true;
                }
            }

            return false;
        }

        public void RecordAccepted(ReadOnlyMemory<char> keyId, ReadOnlyMemory<char> nonce) => Recorded.Add((keyId.ToString(), nonce.ToString()));
    }

    /// <summary>Answers after a yield, like a network replay cache.</summary>
    private sealed class YieldingReplayCache(IReplayCache inner) : IReplayCache
    {
        public async ValueTask<ReplayCheckResult> TryAddAsync(string keyId, string nonce, DateTimeOffset rememberUntil, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return await inner.TryAddAsync(keyId, nonce, rememberUntil, cancellationToken);
        }
    }
}
