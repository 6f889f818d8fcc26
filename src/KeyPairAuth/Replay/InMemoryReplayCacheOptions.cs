namespace KeyPairAuth.Replay;

/// <summary>Options for <see cref="InMemoryReplayCache"/>.</summary>
public sealed class InMemoryReplayCacheOptions
{
    /// <summary>Gets or sets the hard capacity: the most (key id, nonce) pairs remembered at once.</summary>
    /// <value>The default value is 1,000,000 (about 40 MB when full).</value>
    /// <remarks>
    /// When the cache is full and no remembered pair has expired, <see cref="IReplayCache.TryAddAsync"/> returns
    /// <see cref="ReplayCheckResult.CapacityExceeded"/> and the request must be refused: the cache never evicts a pair
    /// that is still inside its window, because that would let its request be replayed. Size it above the peak number
    /// of requests accepted within one freshness window (requests per second × window in seconds).
    /// </remarks>
    public int MaxEntries { get; set; } = 1_000_000;
}
