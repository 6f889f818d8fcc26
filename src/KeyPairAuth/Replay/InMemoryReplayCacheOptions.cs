namespace KeyPairAuth.Replay;

/// <summary>Options for <see cref="InMemoryReplayCache"/>. Validated at start-up when registered through <c>AddKeyPairAuth()</c>.</summary>
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

    /// <summary>
    /// Gets or sets the share of <see cref="MaxEntries"/> one key may hold: the most pairs of a single key id remembered
    /// at once. Beyond it that key gets <see cref="ReplayCheckResult.RateLimited"/> (429 with <c>Retry-After</c>) while
    /// every other key keeps working, so one busy or hostile key cannot fill the cache for everyone.
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/>: a tenth of <see cref="MaxEntries"/> (100,000 with the default
    /// capacity, about 280 requests per second per key sustained over the default 6-minute window). Set it to
    /// <see cref="MaxEntries"/> to give a single key the whole cache (no per-key limit).
    /// </value>
    /// <remarks>
    /// A key's pairs are counted in minute-long buckets of their expiry, so a pair counts toward its key's share up to
    /// about a minute after it is forgotten, and pairs remembered for more than about 8 minutes count only for the
    /// first 8. Counts are kept without key ids, in a fixed table of hashed counters (a per-instance random seed, three
    /// counters per key, the smallest one decides): a key is never under-counted, and is refused with a busy key only
    /// if all three of its counters are shared with busy keys — for one busy key, about one key in a billion; even with
    /// the whole cache held by keys at their share, fewer than one in 250,000 (for a share of at least 1/1,024 of
    /// <see cref="MaxEntries"/>). The counters take a fixed 96 KB with the
    /// default settings, more (up to 6 MB) when the share is a very small fraction of <see cref="MaxEntries"/>.
    /// </remarks>
    public int? MaxEntriesPerKey { get; set; }
}
