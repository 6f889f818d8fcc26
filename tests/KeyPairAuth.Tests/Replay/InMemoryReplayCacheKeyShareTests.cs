using KeyPairAuth.Replay;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.Tests.Replay;

/// <summary>
/// The per-key share over time: a key's pairs are counted in buckets by the epoch (64 s) their expiry falls in, and a
/// bucket counts until its epoch is over; a bucket is handed to a later epoch only once every pair it counted has expired.
/// </summary>
public sealed class InMemoryReplayCacheKeyShareTests
{
    private const int Share = 10;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly DateTimeOffset _origin;

    public InMemoryReplayCacheKeyShareTests() => _origin = _time.GetUtcNow();

    [Fact]
    public void TryAdd_KeyAtItsShareWithPairsExpiringInTheFirstEpoch_RateLimitedUntilThatEpochEnds()
    {
        InMemoryReplayCache cache = NewCache();
        Fill(cache, "kpa_a", _origin.AddSeconds(30));
        Assert.Equal(ReplayCheckResult.RateLimited, cache.TryAdd("kpa_a", "more", _origin.AddSeconds(30)));

        // The pairs expired at 30 s; their bucket (expiries 0-63 s) counts until 64 s.
        _time.Advance(TimeSpan.FromSeconds(63));
        Assert.Equal(ReplayCheckResult.RateLimited, cache.TryAdd("kpa_a", "more", _time.GetUtcNow().AddSeconds(30)));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", "more", _time.GetUtcNow().AddSeconds(30)));
    }

    [Fact]
    public void TryAdd_OtherKeysOpeningEveryLaterEpoch_NeverFreeAShareStillHeld()
    {
        InMemoryReplayCache cache = NewCache();
        _time.Advance(TimeSpan.FromSeconds(64));

        // Key a holds its share with pairs expiring in epoch 2 (128-191 s).
        Fill(cache, "kpa_a", _origin.AddSeconds(150));
        Assert.Equal(ReplayCheckResult.RateLimited, cache.TryAdd("kpa_a", "more", _origin.AddSeconds(150)));

        // Key b opens every other epoch the counters track now (1 and 3-8), then pairs beyond the tracked horizon
        // (epoch 10, and an hour ahead), which count in its last bucket.
        foreach (int seconds in (int[])[100, 222, 286, 350, 414, 478, 542, 670, 3600])
        {
            Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_b", $"until{seconds}", _origin.AddSeconds(seconds)));
            Assert.Equal(ReplayCheckResult.RateLimited, cache.TryAdd("kpa_a", "more", _origin.AddSeconds(150)));
        }
    }

    [Fact]
    public void TryAdd_RefusedAttemptsOfAKeyAtItsShare_DoNotCountOnceItsOlderPairsExpire()
    {
        InMemoryReplayCache cache = NewCache();
        for (int i = 0; i < Share / 2; i++)
        {
            Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", $"short{i}", _origin.AddSeconds(30)));
            Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", $"long{i}", _origin.AddMinutes(5)));
        }

        for (int i = 0; i < 3 * Share; i++)
        {
            Assert.Equal(ReplayCheckResult.RateLimited, cache.TryAdd("kpa_a", $"refused{i}", _origin.AddMinutes(5)));
        }

        // The short-lived half has expired and its epoch is over: exactly that half of the share is free again.
        _time.Advance(TimeSpan.FromSeconds(64));
        for (int i = 0; i < Share / 2; i++)
        {
            Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", $"later{i}", _origin.AddMinutes(5)));
        }

        Assert.Equal(ReplayCheckResult.RateLimited, cache.TryAdd("kpa_a", "one-too-many", _origin.AddMinutes(5)));
    }

    [Theory]
    [InlineData(1000, 100, 1024)] // 64 × 1000 / 100 = 640 counters wanted a row: the 1024 minimum
    [InlineData(100_000, 1000, 8192)] // 6400, rounded up to a power of two
    [InlineData(1_000_000, 10, 65_536)] // 6,400,000: the 65,536 maximum
    public void KeyShareBytes_CountersSizedForCapacityOverShare_WithinTheWidthBounds(int maxEntries, int share, int width)
    {
        var cache = new InMemoryReplayCache(_time, new InMemoryReplayCacheOptions { MaxEntries = maxEntries, MaxEntriesPerKey = share });

        int counters = InMemoryReplayCache.KeyShares.Rows * width * InMemoryReplayCache.KeyShares.Layers;
        Assert.Equal(counters * sizeof(int), cache.KeyShareBytes);
    }

    private InMemoryReplayCache NewCache() =>
        new(_time, new InMemoryReplayCacheOptions { MaxEntries = 1000, MaxEntriesPerKey = Share });

    private static void Fill(InMemoryReplayCache cache, string keyId, DateTimeOffset until)
    {
        for (int i = 0; i < Share; i++)
        {
            Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd(keyId, $"n{i}", until));
        }
    }
}
