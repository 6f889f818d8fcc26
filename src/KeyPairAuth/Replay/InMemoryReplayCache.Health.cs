using System.Globalization;
using KeyPairAuth.Diagnostics;

namespace KeyPairAuth.Replay;

/// <summary>The in-memory replay cache reports how full it is, for the KeyPairAuth health checks.</summary>
public sealed partial class InMemoryReplayCache : IKeyPairHealthProbe
{
    /// <summary>The share of <see cref="InMemoryReplayCacheOptions.MaxEntries"/> above which the cache reports itself degraded.</summary>
    internal const double DegradedFraction = 0.9;

    /// <summary>
    /// Reports the number of remembered pairs against the capacity: healthy below 90 %, degraded from 90 % (new requests
    /// will soon be refused with <c>replay_cache_full</c>), unhealthy when full.
    /// </summary>
    /// <remarks>Counting walks the table (a few milliseconds for a million entries), shard by shard, off the request path.</remarks>
    /// <param name="cancellationToken">Not used: the count completes synchronously.</param>
    /// <returns>The cache's health, with the figures <c>entries</c>, <c>capacity</c> and <c>fill</c> (0 to 1).</returns>
    public ValueTask<KeyPairHealthProbeResult> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        int entries = Count;
        int capacity = _maxEntries;
        double fill = (double)entries / capacity;
        var data = new Dictionary<string, object> { ["entries"] = entries, ["capacity"] = capacity, ["fill"] = Math.Round(fill, 4) };
        string figures = string.Create(CultureInfo.InvariantCulture, $"{entries} of {capacity} replay-cache entries in use ({fill:P0})");
        KeyPairHealthProbeResult result = fill >= 1
            ? KeyPairHealthProbeResult.Unhealthy($"The in-memory replay cache is full: {figures}; fresh requests are refused (replay_cache_full) until entries expire.", data)
            : fill >= DegradedFraction
                ? KeyPairHealthProbeResult.Degraded($"The in-memory replay cache is nearly full: {figures}. Raise KeyPairAuth:ReplayCache:MaxEntries or use a distributed cache.", data)
                : KeyPairHealthProbeResult.Healthy($"The in-memory replay cache has room: {figures}.", data);
        return ValueTask.FromResult(result);
    }
}
