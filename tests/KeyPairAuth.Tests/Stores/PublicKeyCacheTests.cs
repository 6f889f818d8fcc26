using System.Collections.Concurrent;
using KeyPairAuth.Keys;
using KeyPairAuth.Stores;
using KeyPairAuth.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.Tests.Stores;

public sealed class PublicKeyCacheTests
{
    private const string KeyA = "kpa_AAAAAAAAAAAAAAAA";
    private const string KeyB = "kpa_BBBBBBBBBBBBBBBB";
    private const string Missing = "kpa_MMMMMMMMMMMMMMMM";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private readonly FakePublicKeyStore _store = new();

    [Fact]
    public async Task FindAsync_SecondCallWhileFresh_DoesNotCallStore()
    {
        _store.Add(Record(KeyA));
        var cache = new PublicKeyCache(_store, _time);

        PublicKeyRecord? first = await cache.FindAsync(KeyA);
        _time.Advance(TimeSpan.FromSeconds(29));
        PublicKeyRecord? second = await cache.FindAsync(KeyA);

        Assert.NotNull(first);
        Assert.Same(first, second);
        Assert.Equal(1, _store.FindCalls);
    }

    [Fact]
    public async Task FindAsync_AfterDuration_RefetchesFromStore()
    {
        _store.Add(Record(KeyA));
        var cache = new PublicKeyCache(_store, _time, new PublicKeyCacheOptions { Duration = TimeSpan.FromSeconds(30) });
        await cache.FindAsync(KeyA);

        // The store now says revoked: visible once the cached copy is older than Duration.
        _store.Add(Record(KeyA) with { RevokedAt = _time.GetUtcNow() });
        _time.Advance(TimeSpan.FromSeconds(30));
        PublicKeyRecord? refetched = await cache.FindAsync(KeyA);

        Assert.Equal(2, _store.FindCalls);
        Assert.True(refetched!.IsRevoked);
    }

    [Fact]
    public async Task FindAsync_UnknownKey_IsCachedAsUnknownForTheSameDurationAsAFoundKey()
    {
        var cache = new PublicKeyCache(_store, _time, new PublicKeyCacheOptions { Duration = TimeSpan.FromSeconds(30) });

        Assert.Null(await cache.FindAsync(Missing));
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Null(await cache.FindAsync(Missing));
        Assert.Equal(1, _store.FindCalls);

        _store.Add(Record(Missing));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.NotNull(await cache.FindAsync(Missing));
        Assert.Equal(2, _store.FindCalls);
    }

    [Fact]
    public async Task FindAsync_ZeroDuration_AsksTheStoreEveryTime()
    {
        _store.Add(Record(KeyA));
        var cache = new PublicKeyCache(_store, _time, new PublicKeyCacheOptions { Duration = TimeSpan.Zero });

        await cache.FindAsync(Missing);
        await cache.FindAsync(Missing);
        await cache.FindAsync(KeyA);
        await cache.FindAsync(KeyA);

        Assert.Equal(4, _store.FindCalls);
    }

    [Fact]
    public async Task FindAsync_ThousandRandomUnknownKeyIds_FewerThanATenthReachTheStore()
    {
        var cache = new PublicKeyCache(_store, _time);
        const int n = 1000;
        for (int i = 0; i < n; i++)
        {
            _ = await cache.FindAsync(KeyId.New());
        }

        // Well-formed but random key ids: each is new, so negative caching alone cannot protect the store.
        Assert.True(_store.FindCalls < n / 10, $"{_store.FindCalls} store lookups for {n} anonymous requests with random key ids");
    }

    [Fact]
    public async Task FindAsync_FloodOfUnknownKeyIds_DoesNotEvictAHotRealKey()
    {
        _store.Add(Record(KeyA));
        var cache = new PublicKeyCache(_store, _time, new PublicKeyCacheOptions { MaxEntries = 1000 });
        _ = await cache.FindAsync(KeyA);
        int before = _store.FindCalls;

        for (int i = 0; i < 5000; i++)
        {
            _ = await cache.FindAsync(KeyId.New()); // anonymous traffic, all within one instant
        }

        int storeCallsBeforeRealLookup = _store.FindCalls;
        PublicKeyRecord? real = await cache.FindAsync(KeyA); // well within Duration: must be a cache hit
        Assert.True(_store.FindCalls == storeCallsBeforeRealLookup, $"the hot key was evicted by anonymous random ids and had to be fetched again (store calls before={before})");
        Assert.Equal(KeyA, real?.KeyId);
    }

    [Fact]
    public async Task FindAsync_KnownAndUnknownKeyIdTenSecondsLater_CostTheSameStoreCalls()
    {
        // An existence oracle if they differ: a probe would learn which key ids exist from the store round trips.
        _store.Add(Record(KeyB));
        var cache = new PublicKeyCache(_store, _time);
        string unknown = KeyId.New();
        _ = await cache.FindAsync(KeyB);
        _ = await cache.FindAsync(unknown);
        _time.Advance(TimeSpan.FromSeconds(10));

        int c0 = _store.FindCalls;
        _ = await cache.FindAsync(KeyB);
        int knownCost = _store.FindCalls - c0;
        int c1 = _store.FindCalls;
        _ = await cache.FindAsync(unknown);
        int unknownCost = _store.FindCalls - c1;

        Assert.True(knownCost == unknownCost, $"store round trips at +10 s: known id {knownCost}, unknown id {unknownCost}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("kpa_a")]
    [InlineData("kpa_AAAAAAAAAAAAAAA")] // 15 characters after the prefix
    [InlineData("kpa_AAAAAAAAAAAAAAAAA")] // 17
    [InlineData("kpa_AAAAAAAAAAAAAAA\n")]
    [InlineData("kpa_AAAAAAAAAAAAAAAA\n")]
    [InlineData("kpa_AAAAAAAAAAAAAA+/")]
    [InlineData("kpa_AAAAAAAAAAAAAA==")]
    [InlineData("kpx_AAAAAAAAAAAAAAAA")]
    [InlineData("KPA_AAAAAAAAAAAAAAAA")]
    [InlineData("kpa_sk_AAAAAAAAAAAAA")]
    [InlineData("test-key-ed25519")]
    public async Task FindAsync_MalformedKeyId_IsNeverLookedUp(string keyId)
    {
        _store.Add(Record(keyId));
        var cache = new PublicKeyCache(_store, _time);

        Assert.Null(await cache.FindAsync(keyId));
        Assert.Null(await cache.FindAsync(keyId));

        Assert.Equal(0, _store.FindCalls);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task FindAsync_FloodOfUnknownKeyIds_UnknownTableStaysWithinItsOwnBound()
    {
        for (int i = 0; i < 20; i++)
        {
            _store.Add(Record(Id(i)));
        }

        var cache = new PublicKeyCache(_store, _time, new PublicKeyCacheOptions { MaxEntries = 20, MaxUnknownEntries = 50, MaxUnknownLookupsPerSecond = 10_000 });
        for (int i = 0; i < 20; i++)
        {
            await cache.FindAsync(Id(i));
        }

        for (int i = 0; i < 500; i++)
        {
            Assert.Null(await cache.FindAsync(KeyId.New()));
            Assert.InRange(cache.UnknownCount, 1, 50);
        }

        // Every unknown id reached the store (the budget was set high), yet not one found key was displaced.
        Assert.Equal(20 + 500, _store.FindCalls);
        Assert.Equal(20, cache.FoundCount);
        for (int i = 0; i < 20; i++)
        {
            Assert.NotNull(await cache.FindAsync(Id(i)));
        }

        Assert.Equal(20 + 500, _store.FindCalls);
    }

    [Fact]
    public async Task FindAsync_UnknownLookupsSuspended_KeyFoundBeforeIsStillRefreshedAndANewKeyWaits()
    {
        // Duration zero: every request asks the store, so the known key's refresh happens during the suspension.
        _store.Add(Record(KeyA));
        var cache = new PublicKeyCache(_store, _time, new PublicKeyCacheOptions { Duration = TimeSpan.Zero, MaxUnknownLookupsPerSecond = 5 });
        Assert.NotNull(await cache.FindAsync(KeyA));
        for (int i = 0; i < 100; i++)
        {
            await cache.FindAsync(KeyId.New());
        }

        Assert.Equal(1 + 5, _store.FindCalls);

        // A key this instance found before is refreshed from the store even now (revocation stays visible).
        _store.Add(Record(KeyA) with { RevokedAt = _time.GetUtcNow() });
        PublicKeyRecord? refreshed = await cache.FindAsync(KeyA);
        Assert.True(refreshed!.IsRevoked);
        Assert.Equal(1 + 5 + 1, _store.FindCalls);

        // A key it has never found is answered as unknown without a store call until the rate drops...
        _store.Add(Record(KeyB));
        Assert.Null(await cache.FindAsync(KeyB));
        Assert.Equal(1 + 5 + 1, _store.FindCalls);

        // ...which takes a fraction of a second at 5 per second.
        _time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.NotNull(await cache.FindAsync(KeyB));
    }

    [Fact]
    public async Task FindAsync_UnknownLookupsRefillAtTheConfiguredRate()
    {
        var cache = new PublicKeyCache(_store, _time, new PublicKeyCacheOptions { MaxUnknownLookupsPerSecond = 10 });
        for (int second = 0; second < 5; second++)
        {
            for (int i = 0; i < 1000; i++)
            {
                await cache.FindAsync(KeyId.New());
            }

            _time.Advance(TimeSpan.FromSeconds(1));
        }

        // One second's worth to start with, then the rate: 10 + 4 × 10.
        Assert.Equal(50, _store.FindCalls);
    }

    [Fact]
    public async Task FindAsync_UnknownLookupsSuspended_LogsOneWarningPerEpisode()
    {
        var logger = new RecordingLogger();
        var services = new ServiceCollection().AddSingleton<IPublicKeyStore>(_store).BuildServiceProvider();
        await using (services)
        {
            var cache = new PublicKeyCache(services.GetRequiredService<IServiceScopeFactory>(), _time, new PublicKeyCacheOptions { MaxUnknownLookupsPerSecond = 3 }, logger);
            for (int i = 0; i < 50; i++)
            {
                await cache.FindAsync(KeyId.New());
            }

            Assert.Single(logger.Entries);
            (EventId eventId, LogLevel level, string message) = logger.Entries[0];
            Assert.Equal((4, LogLevel.Warning), (eventId.Id, level));
            Assert.Contains("MaxUnknownLookupsPerSecond", message, StringComparison.Ordinal);

            // The budget recovers fully; the next flood is a new episode.
            _time.Advance(TimeSpan.FromSeconds(2));
            for (int i = 0; i < 50; i++)
            {
                await cache.FindAsync(KeyId.New());
            }

            Assert.Equal(2, logger.Entries.Count);
        }
    }

    [Fact]
    public async Task FindAsync_ScopeFactory_OpensAScopePerStoreCallOnly()
    {
        var services = new ServiceCollection();
        services.AddSingleton(_store);
        services.AddScoped<IPublicKeyStore, ScopedStore>();
        await using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        _store.Add(Record(KeyA));
        var cache = new PublicKeyCache(provider.GetRequiredService<IServiceScopeFactory>(), _time, new PublicKeyCacheOptions(), logger: null);

        Assert.NotNull(await cache.FindAsync(KeyA));
        for (int i = 0; i < 100; i++)
        {
            Assert.NotNull(await cache.FindAsync(KeyA)); // hits: no scope, no store
        }

        Assert.Null(await cache.FindAsync(Missing));
        Assert.Null(await cache.FindAsync(Missing));

        Assert.Equal(2, _store.FindCalls);
        Assert.Equal(2, ScopedStore.Created(_store));
        Assert.Equal(2, ScopedStore.Disposed(_store));
    }

    [Fact]
    public async Task Invalidate_UnknownKeyId_NextFindCallsStore()
    {
        var cache = new PublicKeyCache(_store, _time);
        Assert.Null(await cache.FindAsync(Missing));

        _store.Add(Record(Missing));
        cache.Invalidate(Missing);

        Assert.NotNull(await cache.FindAsync(Missing));
        Assert.Equal(2, _store.FindCalls);
    }

    [Fact]
    public async Task Invalidate_CachedKey_NextFindCallsStore()
    {
        _store.Add(Record(KeyA));
        var cache = new PublicKeyCache(_store, _time);
        await cache.FindAsync(KeyA);

        _store.Add(Record(KeyA) with { RevokedAt = _time.GetUtcNow() });
        cache.Invalidate(KeyA);
        PublicKeyRecord? after = await cache.FindAsync(KeyA);

        Assert.Equal(2, _store.FindCalls);
        Assert.True(after!.IsRevoked);
    }

    [Fact]
    public async Task Invalidate_DuringInFlightLookup_StaleResultIsNotCached()
    {
        _store.Add(Record(KeyA));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Gate = gate.Task;
        var cache = new PublicKeyCache(_store, _time);

        ValueTask<PublicKeyRecord?> pending = cache.FindAsync(KeyA);
        cache.Invalidate(KeyA);
        _store.Gate = null;
        gate.SetResult();
        await pending;
        await cache.FindAsync(KeyA);

        Assert.Equal(2, _store.FindCalls);
    }

    [Fact]
    public void Invalidate_LandingJustAfterALookupChecksForInvalidations_RevokedKeyIsNotServedFromTheCache()
    {
        // A revocation notice (Invalidate) racing the end of a refill: the lookup read the key before the revocation and
        // is about to cache it. Whatever the interleaving, once both are done the cache must not hold the stale record.
        // Both threads spin (no blocking hand-off between them), and the invalidating one starts a varying number of
        // spins after the store answered, sweeping the window between the lookup's check for invalidations and its insert.
        PublicKeyRecord active = Record(KeyA);
        PublicKeyRecord revoked = active with { RevokedAt = _time.GetUtcNow() };
        var store = new RacingStore(active);
        const int Iterations = 10_000;
        int staleServed = 0;
        int round = 0;
        int ready = 0;
        int finished = 0;
        PublicKeyCache? cache = null;
        var invalidator = new Thread(() =>
        {
            for (int i = 1; i <= Iterations; i++)
            {
                while (Volatile.Read(ref round) != i)
                {
                }

                Volatile.Write(ref ready, i);
                while (!store.Answered)
                {
                }

                Thread.SpinWait(i % 48);
                store.Current = revoked;
                cache!.Invalidate(KeyA);
                Volatile.Write(ref finished, i);
            }
        });
        invalidator.Start();

        for (int i = 1; i <= Iterations; i++)
        {
            store.Current = active;
            store.Answered = false;
            cache = new PublicKeyCache(store, _time);
            Volatile.Write(ref round, i);
            while (Volatile.Read(ref ready) != i)
            {
            }

            ValueTask<PublicKeyRecord?> lookup = cache.FindAsync(KeyA);
            Assert.True(lookup.IsCompletedSuccessfully);
            while (Volatile.Read(ref finished) != i)
            {
            }

            if (cache.TryGetFresh(KeyA, out PublicKeyRecord? served) && served is { IsRevoked: false })
            {
                staleServed++;
            }
        }

        invalidator.Join();

        Assert.Equal(0, staleServed);
    }

    [Fact]
    public async Task FindAsync_MoreKeysThanMaxEntries_CountNeverExceedsBound()
    {
        var cache = new PublicKeyCache(_store, _time, new PublicKeyCacheOptions { MaxEntries = 10 });
        for (int i = 0; i < 100; i++)
        {
            _store.Add(Record(Id(i)));
            await cache.FindAsync(Id(i));
            Assert.InRange(cache.Count, 1, 10);
        }

        // The most recent key was cached after making room, so it is still served from memory.
        int calls = _store.FindCalls;
        await cache.FindAsync(Id(99));
        Assert.Equal(calls, _store.FindCalls);
    }

    [Fact]
    public async Task FindAsync_Full_EvictsExpiredEntriesBeforeFreshOnes()
    {
        var cache = new PublicKeyCache(_store, _time, new PublicKeyCacheOptions { MaxEntries = 4, Duration = TimeSpan.FromSeconds(5) });
        for (int i = 0; i < 5; i++)
        {
            _store.Add(Record(Id(i)));
        }

        await cache.FindAsync(Id(1));
        await cache.FindAsync(Id(2));
        await cache.FindAsync(Id(3));
        _time.Advance(TimeSpan.FromSeconds(6));
        await cache.FindAsync(Id(0)); // fresh; the other three have expired

        await cache.FindAsync(Id(4)); // full: makes room by dropping the three expired entries
        int calls = _store.FindCalls;
        await cache.FindAsync(Id(0));

        Assert.Equal(calls, _store.FindCalls);
        Assert.Equal(2, cache.FoundCount);
    }

    [Fact]
    public async Task FindAsync_StoreThrows_ExceptionPropagatesAndIsNotCached()
    {
        _store.Add(Record(KeyA));
        _store.Failure = new InvalidOperationException("database down");
        var cache = new PublicKeyCache(_store, _time);

        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.FindAsync(KeyA).AsTask());
        _store.Failure = null;
        PublicKeyRecord? record = await cache.FindAsync(KeyA);

        Assert.NotNull(record);
        Assert.Equal(2, _store.FindCalls);
    }

    [Fact]
    public async Task FindAsync_ConcurrentMissesForSameKey_CallStoreOnce()
    {
        _store.Add(Record(KeyA));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Gate = gate.Task;
        var cache = new PublicKeyCache(_store, _time);

        Task<PublicKeyRecord?>[] lookups = Enumerable.Range(0, 20).Select(_ => cache.FindAsync(KeyA).AsTask()).ToArray();
        gate.SetResult();
        PublicKeyRecord?[] results = await Task.WhenAll(lookups);

        Assert.Equal(1, _store.FindCalls);
        Assert.All(results, r => Assert.Equal(KeyA, r!.KeyId));
    }

    [Fact]
    public async Task FindAsync_SharedLookupCancelledByItsCaller_OtherCallerStillGetsRecord()
    {
        _store.Add(Record(KeyA));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.Gate = gate.Task;
        var cache = new PublicKeyCache(_store, _time);
        using var cts = new CancellationTokenSource();

        Task<PublicKeyRecord?> cancelled = cache.FindAsync(KeyA, cts.Token).AsTask();
        Task<PublicKeyRecord?> other = cache.FindAsync(KeyA).AsTask();
        _store.Gate = null;
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.NotNull(await other);
    }

    [Fact]
    public async Task FindAsync_OverlongKeyId_ReturnsNullWithoutStoreCall()
    {
        var cache = new PublicKeyCache(_store, _time);

        PublicKeyRecord? record = await cache.FindAsync(KeyId.Prefix + new string('k', 10_000));

        Assert.Null(record);
        Assert.Equal(0, _store.FindCalls);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task FindAsync_Hit_CompletesSynchronouslyWithoutAllocating()
    {
        _store.Add(Record(KeyA));
        var cache = new PublicKeyCache(_store, _time);
        await cache.FindAsync(KeyA);
        for (int i = 0; i < 10; i++)
        {
            await cache.FindAsync(KeyA);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        ValueTask<PublicKeyRecord?> hit = cache.FindAsync(KeyA);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(hit.IsCompletedSuccessfully);
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(nameof(PublicKeyCacheOptions.Duration))]
    [InlineData(nameof(PublicKeyCacheOptions.MaxEntries))]
    [InlineData(nameof(PublicKeyCacheOptions.MaxUnknownEntries))]
    [InlineData(nameof(PublicKeyCacheOptions.MaxUnknownLookupsPerSecond))]
    public void Constructor_OptionOutOfRange_ThrowsNamingSetting(string setting)
    {
        PublicKeyCacheOptions options = OutOfRange(setting);

        ArgumentOutOfRangeException ex = Assert.Throws<ArgumentOutOfRangeException>(() => new PublicKeyCache(_store, _time, options));
        Assert.Equal($"PublicKeyCacheOptions.{setting}", ex.ParamName);
    }

    [Theory]
    [InlineData(nameof(PublicKeyCacheOptions.Duration), "must not be negative")]
    [InlineData(nameof(PublicKeyCacheOptions.MaxEntries), "must be at least 1")]
    [InlineData(nameof(PublicKeyCacheOptions.MaxUnknownEntries), "must be at least 1")]
    [InlineData(nameof(PublicKeyCacheOptions.MaxUnknownLookupsPerSecond), "must be at least 1")]
    public void OptionsValidator_OptionOutOfRange_FailsNamingSetting(string setting, string rule)
    {
        Microsoft.Extensions.Options.ValidateOptionsResult result = new PublicKeyCacheOptionsValidator().Validate(null, OutOfRange(setting));

        Assert.True(result.Failed);
        string failure = Assert.Single(result.Failures!);
        Assert.StartsWith($"PublicKeyCacheOptions.{setting} {rule}", failure, StringComparison.Ordinal);
        Assert.True(new PublicKeyCacheOptionsValidator().Validate(null, new PublicKeyCacheOptions()).Succeeded);
    }

    [Fact]
    public void Constructor_NonPositiveMaxEntries_ThrowsNamingSetting()
    {
        ArgumentOutOfRangeException ex = Assert.Throws<ArgumentOutOfRangeException>(
            () => new PublicKeyCache(_store, _time, new PublicKeyCacheOptions { MaxEntries = 0 }));
        Assert.Contains("MaxEntries", ex.ParamName, StringComparison.Ordinal);
    }

    private static PublicKeyCacheOptions OutOfRange(string setting) => setting switch
    {
        nameof(PublicKeyCacheOptions.Duration) => new() { Duration = TimeSpan.FromSeconds(-1) },
        nameof(PublicKeyCacheOptions.MaxEntries) => new() { MaxEntries = 0 },
        nameof(PublicKeyCacheOptions.MaxUnknownEntries) => new() { MaxUnknownEntries = 0 },
        nameof(PublicKeyCacheOptions.MaxUnknownLookupsPerSecond) => new() { MaxUnknownLookupsPerSecond = 0 },
        _ => throw new ArgumentOutOfRangeException(nameof(setting)),
    };

    /// <summary>A well-formed key id numbered <paramref name="i"/>.</summary>
    private static string Id(int i) => $"kpa_{i:D16}";

    private PublicKeyRecord Record(string keyId)
    {
        byte[] seed = new byte[32];
        seed[0] = 1;
        using SigningKey key = SigningKey.FromSeed(KeyA, seed);
        return new PublicKeyRecord
        {
            KeyId = keyId,
            Owner = "owner",
            Name = "test",
            PublicKey = key.PublicKey,
            CreatedAt = _time.GetUtcNow(),
        };
    }

    /// <summary>Answers lookups synchronously with <see cref="Current"/> and flags each answer in <see cref="Answered"/>.</summary>
    private sealed class RacingStore(PublicKeyRecord initial) : IPublicKeyStore
    {
        public volatile bool Answered;

        public volatile PublicKeyRecord Current = initial;

        public ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default)
        {
            PublicKeyRecord record = Current;
            Answered = true;
            return new ValueTask<PublicKeyRecord?>(record);
        }

        public ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<PublicKeyAddResult> AddAsync(PublicKeyRecord record, int maxActiveKeysPerOwner, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask RecordLastUsedAsync(string keyId, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    /// <summary>A per-scope store over the shared counting store; counts instances created and disposed per backing store.</summary>
    private sealed class ScopedStore : IPublicKeyStore, IDisposable
    {
        private static readonly ConcurrentDictionary<FakePublicKeyStore, (int Created, int Disposed)> Counts = new();
        private readonly FakePublicKeyStore _inner;

        public ScopedStore(FakePublicKeyStore inner)
        {
            _inner = inner;
            Counts.AddOrUpdate(inner, (1, 0), (_, c) => (c.Created + 1, c.Disposed));
        }

        public static int Created(FakePublicKeyStore inner) => Counts.TryGetValue(inner, out (int Created, int Disposed) c) ? c.Created : 0;

        public static int Disposed(FakePublicKeyStore inner) => Counts.TryGetValue(inner, out (int Created, int Disposed) c) ? c.Disposed : 0;

        public ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default) => _inner.FindAsync(keyId, cancellationToken);

        public ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default) => _inner.ListByOwnerAsync(owner, cancellationToken);

        public ValueTask<PublicKeyAddResult> AddAsync(PublicKeyRecord record, int maxActiveKeysPerOwner, CancellationToken cancellationToken = default) => _inner.AddAsync(record, maxActiveKeysPerOwner, cancellationToken);

        public ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default) => _inner.RevokeAsync(keyId, revokedAt, cancellationToken);

        public ValueTask RecordLastUsedAsync(string keyId, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default) => _inner.RecordLastUsedAsync(keyId, lastUsedAt, cancellationToken);

        public void Dispose() => Counts.AddOrUpdate(_inner, (0, 1), (_, c) => (c.Created, c.Disposed + 1));
    }

    private sealed class RecordingLogger : ILogger<PublicKeyCache>
    {
        public List<(EventId EventId, LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((eventId, logLevel, formatter(state, exception)));
    }
}
