using KeyPairAuth.Replay;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.Tests.Replay;

/// <summary>
/// When a remembered pair is forgotten: never before its <c>rememberUntil</c>, and no later than the next whole second
/// (expiry is rounded up to seconds since the cache was created).
/// </summary>
public sealed class InMemoryReplayCacheExpiryTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    // A rememberUntil on a whole second is forgotten exactly at it; one within a second is rounded up to the next whole
    // second: past rememberUntil but within the second it falls in, still remembered (never forgotten early).
    [Theory]
    [InlineData(10.0, 10)]
    [InlineData(10.3, 11)]
    public void TryAdd_RememberUntil_ReplayedUntilTheWholeSecondAtOrAfterItThenForgotten(double untilSeconds, int forgottenAtSecond)
    {
        var cache = new InMemoryReplayCache(_time);
        DateTimeOffset until = _time.GetUtcNow().AddSeconds(untilSeconds);
        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", "n1", until));

        _time.Advance(TimeSpan.FromSeconds(forgottenAtSecond) - TimeSpan.FromTicks(1));
        Assert.Equal(ReplayCheckResult.Replayed, cache.TryAdd("kpa_a", "n1", until));

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", "n1", _time.GetUtcNow().AddSeconds(10)));
    }

    [Fact]
    public void TryAdd_RememberUntilAlreadyPast_RememberedForTheRestOfTheCurrentSecondOnly()
    {
        var cache = new InMemoryReplayCache(_time);
        _time.Advance(TimeSpan.FromSeconds(100.5));
        DateTimeOffset past = _time.GetUtcNow().AddMinutes(-1);

        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", "n1", past));
        Assert.Equal(ReplayCheckResult.Replayed, cache.TryAdd("kpa_a", "n1", past));

        _time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", "n1", past));
    }

    [Fact]
    public void TrimExpired_AtTheSecondThePairsExpire_DropsThemAndKeepsTheRest()
    {
        var cache = new InMemoryReplayCache(_time, new InMemoryReplayCacheOptions { MaxEntries = 1000, MaxEntriesPerKey = 1000 });
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", $"short{i}", _time.GetUtcNow().AddSeconds(10)));
        }

        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", "long", _time.GetUtcNow().AddMinutes(5)));
        Assert.Equal(256, cache.SlotCapacity);

        _time.Advance(TimeSpan.FromSeconds(10));
        cache.TrimExpired();

        Assert.Equal(1, cache.Count);
        Assert.Equal(16, cache.SlotCapacity);
        Assert.Equal(ReplayCheckResult.Replayed, cache.TryAdd("kpa_a", "long", _time.GetUtcNow().AddMinutes(5)));
        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", "short0", _time.GetUtcNow().AddMinutes(5)));
    }
}
