using KeyPairAuth.Replay;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.Tests.Replay;

/// <summary>
/// The table behind the cache: how it grows (at most 3/4 full, at most 5/8 right after a rehash), how expired slots
/// are reused and reclaimed, and how a full cache refuses. Digests are injected through
/// <see cref="InMemoryReplayCache.DigestOverride"/> so each pair's slot is known: the nonce "n" has the digest whose
/// low half is n, so it starts its probe chain at slot n modulo the table size.
/// </summary>
public sealed class InMemoryReplayCacheTableTests
{
    private const ulong Hi = 0x0123_4567_89AB_CDEFUL;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private DateTimeOffset Long => _time.GetUtcNow().AddMinutes(5);

    private DateTimeOffset Short => _time.GetUtcNow().AddSeconds(10);

    [Fact]
    public void TryAdd_SixteenSlotTable_HoldsTwelvePairsThenDoublesForTheThirteenth()
    {
        InMemoryReplayCache cache = CacheWithSlotDigests(maxEntries: 1000);
        AcceptAll(cache, 0, 12, Long);

        Assert.Equal(16, cache.SlotCapacity);

        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", "12", Long));
        Assert.Equal(32, cache.SlotCapacity);
        Assert.Equal(13, cache.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void TryAdd_ExpiredPairOnTheProbeChain_ItsSlotIsReusedWithoutGrowing(int expiredSlot)
    {
        // Twelve pairs fill a 16-slot table to its 3/4 limit: one more in a new slot would double it.
        InMemoryReplayCache cache = CacheWithSlotDigests(maxEntries: 1000);
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", $"{i}", i == expiredSlot ? Short : Long));
        }

        _time.Advance(TimeSpan.FromSeconds(10));

        // 16 + expiredSlot starts its chain on the expired pair's slot.
        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", $"{16 + expiredSlot}", Long));
        Assert.Equal(16, cache.SlotCapacity);
        Assert.Equal(12, cache.Count);
        Assert.Equal(ReplayCheckResult.Replayed, cache.TryAdd("kpa_a", $"{16 + expiredSlot}", Long));
        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", $"{expiredSlot}", Long));
    }

    [Fact]
    public void TryAdd_TableGrowsPastExpiredPairs_SizedForTheLivePairsAtMostFiveEighthsFull()
    {
        // 48 pairs fill a 64-slot table to its 3/4 limit; seven expire; the 49th needs a new slot, so the table is
        // rebuilt for the 42 live pairs.
        InMemoryReplayCache cache = CacheWithSlotDigests(maxEntries: 100);
        for (int i = 0; i < 48; i++)
        {
            Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", $"{i}", i < 7 ? Short : Long));
        }

        Assert.Equal(64, cache.SlotCapacity);
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", "48", Long));

        Assert.Equal(42, cache.Count);
        Assert.True(cache.Count * 8 <= cache.SlotCapacity * 5, $"{cache.Count} pairs in {cache.SlotCapacity} slots");
        Assert.Equal(128, cache.SlotCapacity);
    }

    [Fact]
    public void TrimExpired_AnyNumberOfLivePairs_LeavesTheTableAtMostFiveEighthsFullAndWithin64BytesAPair()
    {
        for (int live = 1; live <= 200; live++)
        {
            var cache = new InMemoryReplayCache(_time, new InMemoryReplayCacheOptions { MaxEntries = 1000, MaxEntriesPerKey = 1000 });
            for (int i = 0; i < live; i++)
            {
                cache.TryAdd("kpa_a", $"live{i}", Long);
                cache.TryAdd("kpa_a", $"expired{i}", _time.GetUtcNow());
            }

            _time.Advance(TimeSpan.FromSeconds(1));
            cache.TrimExpired();

            Assert.Equal(live, cache.Count);
            Assert.True(live * 8 <= cache.SlotCapacity * 5, $"{live} pairs in {cache.SlotCapacity} slots");
            Assert.True(cache.SlotCapacity == 16 || cache.SlotCapacity * InMemoryReplayCache.SlotSize <= 64L * live, $"{live} pairs in {cache.SlotCapacity} slots");
        }
    }

    [Fact]
    public void TryAdd_FullCache_AcceptsAgainFromTheSecondItsEarliestPairExpires()
    {
        InMemoryReplayCache cache = CacheWithSlotDigests(maxEntries: 10);
        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", "0", Short));
        AcceptAll(cache, 1, 10, Long);

        Assert.Equal(ReplayCheckResult.CapacityExceeded, cache.TryAdd("kpa_a", "100", Long));

        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.Equal(ReplayCheckResult.CapacityExceeded, cache.TryAdd("kpa_a", "100", Long));

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", "100", Long));
        Assert.Equal(10, cache.Count);
    }

    [Fact]
    public void TryAdd_FullOfPairsExpiringBeforeOlderOnes_ReclaimsThemWhenTheyExpire()
    {
        // Thirteen long-lived pairs first (the table grows while they are added), then seven short-lived ones.
        InMemoryReplayCache cache = CacheWithSlotDigests(maxEntries: 20);
        AcceptAll(cache, 0, 13, Long);

        AcceptAll(cache, 13, 20, Short);

        Assert.Equal(ReplayCheckResult.CapacityExceeded, cache.TryAdd("kpa_a", "100", Long));

        _time.Advance(TimeSpan.FromSeconds(10));

        AcceptAll(cache, 100, 107, Long);

        Assert.Equal(ReplayCheckResult.CapacityExceeded, cache.TryAdd("kpa_a", "107", Long));
        Assert.Equal(20, cache.Count);
    }

    [Fact]
    public void TryAdd_FullCache_RefusesWithoutRebuildingTheTable()
    {
        // A full cache under a flood must not rebuild its table (allocate and rehash everything) for every refusal.
        InMemoryReplayCache cache = CacheWithSlotDigests(maxEntries: 10);
        AcceptAll(cache, 0, 10, Long);

        DateTimeOffset until = Long;
        Assert.Equal(ReplayCheckResult.CapacityExceeded, cache.TryAdd("kpa_a", "100", until));
        long slots = cache.SlotCapacity;

        long before = GC.GetAllocatedBytesForCurrentThread();
        ReplayCheckResult result = cache.TryAdd("kpa_a", "101", until);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ReplayCheckResult.CapacityExceeded, result);
        Assert.Equal(0, allocated);
        Assert.Equal(slots, cache.SlotCapacity);
    }

    [Fact]
    public void TryAdd_FullCacheOfThreeQuartersOfItsTable_RefusesWithoutGrowingTheTable()
    {
        // Twelve pairs fill a 16-slot table exactly to its load limit; refusing the thirteenth needs no bigger table.
        InMemoryReplayCache cache = CacheWithSlotDigests(maxEntries: 12);
        AcceptAll(cache, 0, 12, Long);

        Assert.Equal(ReplayCheckResult.CapacityExceeded, cache.TryAdd("kpa_a", "12", Long));
        Assert.Equal(16, cache.SlotCapacity);
        Assert.Equal(12, cache.Count);
    }

    [Fact]
    public void Constructor_CapacityNotDivisibleByTheShards_ShardsHoldExactlyMaxEntriesBetweenThem()
    {
        // 8193 entries make two shards (the shard is the top bit of the digest's high half): 4097 and 4096.
        var cache = new InMemoryReplayCache(_time, new InMemoryReplayCacheOptions { MaxEntries = 8193, MaxEntriesPerKey = 8193 })
        {
            DigestOverride = (_, nonce) => ((ulong)(nonce[0] - '0') << 63, ulong.Parse(nonce[2..], System.Globalization.CultureInfo.InvariantCulture)),
        };
        Assert.Equal(2, cache.ShardCount);

        int[] held = new int[2];
        for (int shard = 0; shard < 2; shard++)
        {
            while (cache.TryAdd("kpa_a", $"{shard}:{held[shard]}", Long) == ReplayCheckResult.Accepted)
            {
                held[shard]++;
            }
        }

        Assert.Equal([4097, 4096], held);
        Assert.Equal(8193, cache.Count);
    }

    private InMemoryReplayCache CacheWithSlotDigests(int maxEntries) =>
        new(_time, new InMemoryReplayCacheOptions { MaxEntries = maxEntries, MaxEntriesPerKey = maxEntries })
        {
            DigestOverride = (_, nonce) => (Hi, ulong.Parse(nonce, System.Globalization.CultureInfo.InvariantCulture)),
        };

    /// <summary>Adds the nonces <paramref name="from"/> to <paramref name="to"/> (exclusive) of one key, each accepted.</summary>
    private static void AcceptAll(InMemoryReplayCache cache, int from, int to, DateTimeOffset until)
    {
        for (int i = from; i < to; i++)
        {
            Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", $"{i}", until));
        }
    }
}
