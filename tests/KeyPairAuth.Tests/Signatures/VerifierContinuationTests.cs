using System.Threading.Channels;
using System.Threading.Tasks.Sources;
using KeyPairAuth.Keys;
using KeyPairAuth.Replay;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>
/// The verifier when the key store or the replay cache answers later: it returns a pending result at once (never
/// blocks on the answer), never resumes on the caller's <see cref="SynchronizationContext"/> (a library must not, or a
/// caller blocking on the result deadlocks), keeps the signature base it built intact while it waits, and concludes
/// exactly as it would have synchronously.
/// </summary>
public sealed class VerifierContinuationTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Verify_StoreAnswersLater_NeverResumesOnTheCallersContext(bool fastPath)
    {
        using var f = new VerifierFixture();
        var store = new PendingKeyStore(TestKeys.Record(f.Key));
        var verifier = new HttpMessageVerifier(new PublicKeyCache(store, f.Time), f.Replay, f.Options, f.Time) { FastPathEnabled = fastPath };
        var context = new CountingContext();

        Task<SignatureVerificationResult> pending;
        using (context.Enter())
        {
            pending = verifier.VerifyAsync(f.Sign(VerifierFixture.Get())).AsTask();
        }

        await store.AnswerNextAsync();
        SignatureVerificationResult result = await pending;

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.Equal(0, context.Posts);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Verify_ReplayCacheAnswersLater_NeverResumesOnTheCallersContext(bool fastPath)
    {
        using var f = new VerifierFixture();
        var replay = new PendingReplayCache();
        var verifier = new HttpMessageVerifier(new PublicKeyCache(f.Store, f.Time), replay, f.Options, f.Time) { FastPathEnabled = fastPath };
        var context = new CountingContext();

        Task<SignatureVerificationResult> pending;
        using (context.Enter())
        {
            pending = verifier.VerifyAsync(f.Sign(VerifierFixture.Get())).AsTask();
            replay.Answer(ReplayCheckResult.Accepted);
        }

        Assert.True((await pending).Succeeded);
        Assert.Equal(0, context.Posts);
    }

    [Fact]
    public async Task Verify_SeveralSignaturesEachWaitingForTheStore_NeverResumesOnTheCallersContext()
    {
        using var f = new VerifierFixture();
        using var impostor = TestKeys.NewSigningKey("kpa_testKey000000001", 9);
        using SigningKey second = TestKeys.NewSigningKey("kpa_testKey000000002", 8);
        var store = new PendingKeyStore(TestKeys.Record(f.Key), TestKeys.Record(second));
        var verifier = new HttpMessageVerifier(new PublicKeyCache(store, f.Time), f.Replay, f.Options, f.Time);
        SignatureFields forged = f.Signer.Sign(VerifierFixture.Get(), impostor, new SigningOptions { Label = "forged" });
        SignatureFields good = f.Signer.Sign(VerifierFixture.Get(), second, new SigningOptions { Label = "good" });
        TestRequest request = VerifierFixture.Get()
            .With("Signature-Input", $"{forged.SignatureInput}, {good.SignatureInput}")
            .With("Signature", $"{forged.Signature}, {good.Signature}");
        var context = new CountingContext();

        Task<SignatureVerificationResult> pending;
        using (context.Enter())
        {
            pending = verifier.VerifyAsync(request).AsTask();
        }

        await store.AnswerNextAsync(); // the forged signature's key: it does not verify, the next one is looked up
        Assert.False(pending.IsCompleted);
        await store.AnswerNextAsync();

        SignatureVerificationResult result = await pending;

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.Equal("good", result.Label);
        Assert.Equal(0, context.Posts);
    }

    [Fact]
    public async Task Verify_OtherRequestsVerifiedWhileALookupIsPending_LeaveItsSignatureBaseIntact()
    {
        // The pending verification holds its pooled signature base until the store answers; requests verified
        // meanwhile on the same thread rent their own buffers.
        using var f = new VerifierFixture();
        using SigningKey other = TestKeys.NewSigningKey("kpa_testKey000000002", 8);
        var store = new PendingKeyStore(TestKeys.Record(f.Key), TestKeys.Record(other)) { Holding = false };
        var verifier = new HttpMessageVerifier(new PublicKeyCache(store, f.Time), f.Replay, f.Options, f.Time);
        Assert.True((await verifier.VerifyAsync(f.Sign(VerifierFixture.Get(), key: other))).Succeeded); // caches the other key

        store.Holding = true;
        ValueTask<SignatureVerificationResult> pending = verifier.VerifyAsync(f.Sign(VerifierFixture.Get("/api/items?page=1")));
        Assert.False(pending.IsCompleted);
        for (int i = 0; i < 3; i++)
        {
            SignatureVerificationResult meanwhile = await verifier.VerifyAsync(f.Sign(VerifierFixture.Get("/api/items?page=3"), key: other));
            Assert.True(meanwhile.Succeeded, meanwhile.FailureDetail);
        }

        await store.AnswerNextAsync();
        SignatureVerificationResult result = await pending;

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.Equal("kpa_testKey000000001", result.Key!.KeyId);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Verify_ReplayCacheAcceptsLater_SucceedsAndRecordsThePairForTheRequest(bool fastPath)
    {
        using var f = new VerifierFixture();
        var replay = new PendingReplayCache();
        var verifier = new HttpMessageVerifier(new PublicKeyCache(f.Store, f.Time), replay, f.Options, f.Time) { FastPathEnabled = fastPath };
        var request = new NonceRecordingRequest(f.Sign(VerifierFixture.Get(), new SigningOptions { Nonce = "nonce-1" }));

        ValueTask<SignatureVerificationResult> pending = verifier.VerifyAsync(request);
        Assert.False(pending.IsCompleted); // returned at once, not blocked on the replay cache
        Assert.Empty(request.Recorded);
        replay.Answer(ReplayCheckResult.Accepted);
        SignatureVerificationResult result = await pending;

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.Equal([("kpa_testKey000000001", "nonce-1")], request.Recorded);
    }

    [Theory]
    [InlineData(ReplayCheckResult.Replayed, KeyPairFailureReason.ReplayedNonce)]
    [InlineData(ReplayCheckResult.CapacityExceeded, KeyPairFailureReason.ReplayCacheFull)]
    public async Task Verify_ReplayCacheRefusesLater_FailsWithItsReasonAndRecordsNothing(ReplayCheckResult answer, KeyPairFailureReason expected)
    {
        using var f = new VerifierFixture();
        var replay = new PendingReplayCache();
        var verifier = new HttpMessageVerifier(new PublicKeyCache(f.Store, f.Time), replay, f.Options, f.Time);
        var request = new NonceRecordingRequest(f.Sign(VerifierFixture.Get()));

        ValueTask<SignatureVerificationResult> pending = verifier.VerifyAsync(request);
        Assert.False(pending.IsCompleted);
        replay.Answer(answer);
        SignatureVerificationResult result = await pending;

        Assert.Equal(expected, result.Failure);
        Assert.Equal("kpa_testKey000000001", result.Key?.KeyId);
        Assert.Empty(request.Recorded);
    }

    /// <summary>Counts the continuations posted to it (and runs them at once, so nothing hangs).</summary>
    private sealed class CountingContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            d(state);
        }

        public override void Send(SendOrPostCallback d, object? state) => d(state);

        /// <summary>Makes this the current context until disposed.</summary>
        public IDisposable Enter()
        {
            SynchronizationContext? previous = Current;
            SetSynchronizationContext(this);
            return new Restore(previous);
        }

        private sealed class Restore(SynchronizationContext? previous) : IDisposable
        {
            public void Dispose() => SetSynchronizationContext(previous);
        }
    }

    /// <summary>
    /// One pending answer at a time, given by the test on its own thread (nothing in the source itself captures a
    /// context). Reading the result before the answer throws instead of blocking.
    /// </summary>
    private sealed class PendingAnswer<T> : IValueTaskSource<T>
    {
        private ManualResetValueTaskSourceCore<T> _core;

        public bool IsPending { get; private set; }

        public ValueTask<T> Next()
        {
            _core.Reset();
            IsPending = true;
            return new ValueTask<T>(this, _core.Version);
        }

        public void Complete(T value)
        {
            Assert.True(IsPending, "nothing is waiting for an answer");
            IsPending = false;
            _core.SetResult(value);
        }

        public T GetResult(short token) => _core.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }

    /// <summary>A replay cache whose every answer is given by the test.</summary>
    private sealed class PendingReplayCache : IReplayCache
    {
        private readonly PendingAnswer<ReplayCheckResult> _answer = new();

        public int Calls { get; private set; }

        public ValueTask<ReplayCheckResult> TryAddAsync(string keyId, string nonce, DateTimeOffset rememberUntil, CancellationToken cancellationToken = default)
        {
            Calls++;
            return _answer.Next();
        }

        public void Answer(ReplayCheckResult result) => _answer.Complete(result);
    }

    /// <summary>A key store holding the given keys, whose lookups wait for the test to answer them (while <see cref="Holding"/>).</summary>
    private sealed class PendingKeyStore(params PublicKeyRecord[] records) : IPublicKeyStore
    {
        private readonly Channel<(string KeyId, TaskCompletionSource<PublicKeyRecord?> Answer)> _lookups = Channel.CreateUnbounded<(string, TaskCompletionSource<PublicKeyRecord?>)>();

        public bool Holding { get; set; } = true;

        public ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default)
        {
            if (!Holding)
            {
                return ValueTask.FromResult(Find(keyId));
            }

            var answer = new TaskCompletionSource<PublicKeyRecord?>();
            Assert.True(_lookups.Writer.TryWrite((keyId, answer)));
            return new ValueTask<PublicKeyRecord?>(answer.Task);
        }

        /// <summary>Answers the next lookup, once it has been made (the timeout only guards against a hang).</summary>
        public async Task AnswerNextAsync()
        {
            (string keyId, TaskCompletionSource<PublicKeyRecord?> answer) = await _lookups.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            answer.SetResult(Find(keyId));
        }

        public ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<PublicKeyAddResult> AddAsync(PublicKeyRecord record, int maxActiveKeysPerOwner, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask RecordLastUsedAsync(string keyId, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        private PublicKeyRecord? Find(string keyId) => records.FirstOrDefault(r => r.KeyId == keyId);
    }

    /// <summary>A request that remembers the (key id, nonce) pairs the replay cache accepted for it.</summary>
    private sealed class NonceRecordingRequest(TestRequest inner) : IHttpRequestView, IRequestNonceRecord
    {
        public List<(string KeyId, string Nonce)> Recorded { get; } = [];

        public string Method => inner.Method;

        public string Scheme => inner.Scheme;

        public string Authority => inner.Authority;

        public string RequestTarget => inner.RequestTarget;

        public bool HasContent => inner.HasContent;

        public StringValues GetFieldValues(string fieldName) => inner.GetFieldValues(fieldName);

        public bool WasAccepted(ReadOnlySpan<char> keyId, ReadOnlySpan<char> nonce) => false;

        public void RecordAccepted(ReadOnlyMemory<char> keyId, ReadOnlyMemory<char> nonce) => Recorded.Add((keyId.ToString(), nonce.ToString()));
    }
}
