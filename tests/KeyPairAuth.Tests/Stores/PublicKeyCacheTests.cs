using System.Collections.Concurrent;
using KeyPairAuth.Keys;
using KeyPairAuth.Stores;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.Tests.Stores;

public sealed class PublicKeyCacheTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly CountingStore _store = new();

    [Fact]
    public async Task FindAsync_SecondCallWhileFresh_DoesNotCallStore()
    {
        _store.Add(Record("kpa_a"));
        var cache = new PublicKeyCache(_store, _time);

        PublicKeyRecord? first = await cache.FindAsync("kpa_a");
        _time.Advance(TimeSpan.FromSeconds(29));
        PublicKeyRecord? second = await cache.FindAsync("kpa_a");

        Assert.NotNull(first);
        Assert.Same(first, second);
        Assert.Equal(1, _store.FindCalls);
    }

    [Fact]
    public async Task FindAsync_AfterDuration_RefetchesFromStore()
    {
        _store.Add(Record("kpa_a"));
        var cache = new PublicKeyCache(_store, _time, new PublicKeyCacheOptions { Duration = TimeSpan.FromSeconds(30) });
        await cache.FindAsync("kpa_a");

        // The store now says revoked: visible once the cached copy is older than Duration.
        _store.Add(Record("kpa_a") with { RevokedAt = _time.GetUtcNow() });
        _time.Advance(TimeSpan.FromSeconds(30));
        PublicKeyRecord? refetched = await cache.FindAsync("kpa_a");

        Assert.Equal(2, _store.FindCalls);
        Assert.True(refetched!.IsRevoked);
    }

    [Fact]
    public async Task FindAsync_UnknownKey_IsNegativelyCachedForNegativeDuration()
    {
        var cache = new PublicKeyCache(_store, _time, new PublicKeyCacheOptions { NegativeDuration = TimeSpan.FromSeconds(5) });

        Assert.Null(await cache.FindAsync("kpa_missing"));
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Null(await cache.FindAsync("kpa_missing"));
        Assert.Equal(1, _store.FindCalls);

        _store.Add(Record("kpa_missing"));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.NotNull(await cache.FindAsync("kpa_missing"));
        Assert.Equal(2, _store.FindCalls);
    }

    [Fact]
    public async Task FindAsync_ZeroNegativeDuration_DoesNotCacheUnknownKeys()
    {
        var cache = new PublicKeyCache(_store, _time, new PublicKeyCacheOptions { NegativeDuration = TimeSpan.Zero });

        await cache.FindAsync("kpa_missing");
        await cache.FindAsync("kpa_missing");

        Assert.Equal(2, _store.FindCalls);
    }

    [Fact]
    public async Task Invalidate_CachedKey_NextFindCallsStore()
    {
        _store.Add(Record("kpa_a"));
        var cache = new PublicKeyCache(_store, _time);
        await cache.FindAsync("kpa_a");

        _store.Add(Record("kpa_a") with { RevokedAt = _time.GetUtcNow() });
        cache.Invalidate("kpa_a");
        PublicKeyRecord? after = await cache.FindAsync("kpa_a");

        Assert.Equal(2, _store.FindCalls);
        Assert.True(after!.IsRevoked);
    }

    [Fact]
    public async Task Invalidate_DuringInFlightLookup_StaleResultIsNotCached()
    {
        _store.Add(Record("kpa_a"));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Gate = gate.Task;
        var cache = new PublicKeyCache(_store, _time);

        ValueTask<PublicKeyRecord?> pending = cache.FindAsync("kpa_a");
        cache.Invalidate("kpa_a");
        _store.Gate = null;
        gate.SetResult();
        await pending;
        await cache.FindAsync("kpa_a");

        Assert.Equal(2, _store.FindCalls);
    }

    [Fact]
    public async Task FindAsync_MoreKeysThanMaxEntries_CountNeverExceedsBound()
    {
        var cache = new PublicKeyCache(_store, _time, new PublicKeyCacheOptions { MaxEntries = 10 });
        for (int i = 0; i < 100; i++)
        {
            _store.Add(Record($"kpa_{i}"));
            await cache.FindAsync($"kpa_{i}");
            Assert.InRange(cache.Count, 1, 10);
        }

        // The most recent key was cached after making room, so it is still served from memory.
        int calls = _store.FindCalls;
        await cache.FindAsync("kpa_99");
        Assert.Equal(calls, _store.FindCalls);
    }

    [Fact]
    public async Task FindAsync_Full_EvictsExpiredEntriesBeforeFreshOnes()
    {
        var cache = new PublicKeyCache(_store, _time, new PublicKeyCacheOptions { MaxEntries = 4, NegativeDuration = TimeSpan.FromSeconds(5) });
        _store.Add(Record("kpa_fresh"));
        await cache.FindAsync("kpa_missing1");
        await cache.FindAsync("kpa_missing2");
        await cache.FindAsync("kpa_missing3");
        _time.Advance(TimeSpan.FromSeconds(6));
        await cache.FindAsync("kpa_fresh");

        await cache.FindAsync("kpa_new");
        int calls = _store.FindCalls;
        await cache.FindAsync("kpa_fresh");

        Assert.Equal(calls, _store.FindCalls);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public async Task FindAsync_StoreThrows_ExceptionPropagatesAndIsNotCached()
    {
        _store.Add(Record("kpa_a"));
        _store.Failure = new InvalidOperationException("database down");
        var cache = new PublicKeyCache(_store, _time);

        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.FindAsync("kpa_a").AsTask());
        _store.Failure = null;
        PublicKeyRecord? record = await cache.FindAsync("kpa_a");

        Assert.NotNull(record);
        Assert.Equal(2, _store.FindCalls);
    }

    [Fact]
    public async Task FindAsync_ConcurrentMissesForSameKey_CallStoreOnce()
    {
        _store.Add(Record("kpa_a"));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Gate = gate.Task;
        var cache = new PublicKeyCache(_store, _time);

        Task<PublicKeyRecord?>[] lookups = Enumerable.Range(0, 20).Select(_ => cache.FindAsync("kpa_a").AsTask()).ToArray();
        gate.SetResult();
        PublicKeyRecord?[] results = await Task.WhenAll(lookups);

        Assert.Equal(1, _store.FindCalls);
        Assert.All(results, r => Assert.Equal("kpa_a", r!.KeyId));
    }

    [Fact]
    public async Task FindAsync_SharedLookupCancelledByItsCaller_OtherCallerStillGetsRecord()
    {
        _store.Add(Record("kpa_a"));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Gate = gate.Task;
        var cache = new PublicKeyCache(_store, _time);
        using var cts = new CancellationTokenSource();

        Task<PublicKeyRecord?> cancelled = cache.FindAsync("kpa_a", cts.Token).AsTask();
        Task<PublicKeyRecord?> other = cache.FindAsync("kpa_a").AsTask();
        _store.Gate = null;
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.NotNull(await other);
    }

    [Fact]
    public async Task FindAsync_OverlongKeyId_ReturnsNullWithoutStoreCall()
    {
        var cache = new PublicKeyCache(_store, _time);

        PublicKeyRecord? record = await cache.FindAsync(new string('k', PublicKeyCache.MaxKeyIdLength + 1));

        Assert.Null(record);
        Assert.Equal(0, _store.FindCalls);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task FindAsync_Hit_CompletesSynchronouslyWithoutAllocating()
    {
        _store.Add(Record("kpa_a"));
        var cache = new PublicKeyCache(_store, _time);
        await cache.FindAsync("kpa_a");
        for (int i = 0; i < 10; i++)
        {
            await cache.FindAsync("kpa_a");
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        ValueTask<PublicKeyRecord?> hit = cache.FindAsync("kpa_a");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(hit.IsCompletedSuccessfully);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Constructor_NonPositiveMaxEntries_ThrowsNamingSetting()
    {
        ArgumentOutOfRangeException ex = Assert.Throws<ArgumentOutOfRangeException>(
            () => new PublicKeyCache(_store, _time, new PublicKeyCacheOptions { MaxEntries = 0 }));
        Assert.Contains("MaxEntries", ex.ParamName, StringComparison.Ordinal);
    }

    private PublicKeyRecord Record(string keyId)
    {
        byte[] seed = new byte[32];
        seed[0] = 1;
        using SigningKey key = SigningKey.FromSeed(keyId, seed);
        return new PublicKeyRecord
        {
            KeyId = keyId,
            Owner = "owner",
            Name = "test",
            PublicKey = key.PublicKey,
            CreatedAt = _time.GetUtcNow(),
        };
    }

    private sealed class CountingStore : IPublicKeyStore
    {
        private readonly ConcurrentDictionary<string, PublicKeyRecord> _records = new(StringComparer.Ordinal);
        private int _findCalls;

        public int FindCalls => Volatile.Read(ref _findCalls);

        public Task? Gate { get; set; }

        public Exception? Failure { get; set; }

        public void Add(PublicKeyRecord record) => _records[record.KeyId] = record;

        public async ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _findCalls);
            if (Gate is { } gate)
            {
                await gate.WaitAsync(cancellationToken);
            }

            if (Failure is { } failure)
            {
                throw failure;
            }

            return _records.TryGetValue(keyId, out PublicKeyRecord? record) ? record : null;
        }

        public ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public ValueTask<PublicKeyAddResult> AddAsync(PublicKeyRecord record, int maxActiveKeysPerOwner, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public ValueTask RecordLastUsedAsync(string keyId, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }
}
