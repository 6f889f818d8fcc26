using KeyPairAuth.Diagnostics;
using KeyPairAuth.Replay;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.Tests.Replay;

public sealed class InMemoryReplayCacheHealthTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task CheckHealth_ReportsFillAgainstMaxEntries_DegradedFrom90Percent()
    {
        var cache = new InMemoryReplayCache(_time, new InMemoryReplayCacheOptions { MaxEntries = 20, MaxEntriesPerKey = 20 });
        var statuses = new List<KeyPairHealthStatus>();
        for (int i = 0; i < 20; i++)
        {
            await cache.TryAddAsync("kpa_AAAAAAAAAAAAAAAA", "nonce-" + i, _time.GetUtcNow().AddMinutes(5));
            statuses.Add((await cache.CheckHealthAsync()).Status);
        }

        // 1..17 entries healthy, 18 and 19 (90 %, 95 %) degraded, 20 (full) unhealthy.
        Assert.All(statuses.Take(17), s => Assert.Equal(KeyPairHealthStatus.Healthy, s));
        Assert.Equal([KeyPairHealthStatus.Degraded, KeyPairHealthStatus.Degraded, KeyPairHealthStatus.Unhealthy], statuses.Skip(17));
        KeyPairHealthProbeResult full = await cache.CheckHealthAsync();
        Assert.Equal(20, full.Data["entries"]);
        Assert.Equal(20, full.Data["capacity"]);
        Assert.Contains("replay_cache_full", full.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckHealth_ReportsFillAsAFractionRoundedToFourPlaces()
    {
        var cache = new InMemoryReplayCache(_time, new InMemoryReplayCacheOptions { MaxEntries = 3, MaxEntriesPerKey = 3 });
        await cache.TryAddAsync("kpa_AAAAAAAAAAAAAAAA", "nonce-0", _time.GetUtcNow().AddMinutes(5));

        KeyPairHealthProbeResult result = await cache.CheckHealthAsync();

        Assert.Equal(KeyPairHealthStatus.Healthy, result.Status);
        Assert.Equal(0.3333, result.Data["fill"]);
        Assert.Equal(1, result.Data["entries"]);
        Assert.Equal(3, result.Data["capacity"]);
        Assert.Contains("1 of 3 replay-cache entries in use", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckHealth_ExpiredEntries_DoNotCount()
    {
        var cache = new InMemoryReplayCache(_time, new InMemoryReplayCacheOptions { MaxEntries = 10 });
        for (int i = 0; i < 10; i++)
        {
            await cache.TryAddAsync("kpa_AAAAAAAAAAAAAAAA", "nonce-" + i, _time.GetUtcNow().AddMinutes(1));
        }

        _time.Advance(TimeSpan.FromMinutes(2));

        KeyPairHealthProbeResult result = await cache.CheckHealthAsync();
        Assert.Equal(KeyPairHealthStatus.Healthy, result.Status);
        Assert.Equal(0, result.Data["entries"]);
    }
}
