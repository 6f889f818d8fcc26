namespace KeyPairAuth.Replay;

/// <summary>The outcome of <see cref="IReplayCache.TryAddAsync"/>.</summary>
public enum ReplayCheckResult
{
    /// <summary>The pair was new and is now remembered.</summary>
    Accepted = 1,

    /// <summary>The pair had already been accepted: the request is a replay.</summary>
    Replayed,

    /// <summary>
    /// The cache is at its hard capacity and could not remember the pair. The request must be refused
    /// (fail closed): accepting it would silently re-open replay.
    /// </summary>
    CapacityExceeded,

    /// <summary>
    /// This key has used its bounded share of the cache within the window. The request must be refused (the
    /// caller is told to slow down); other keys are unaffected.
    /// </summary>
    RateLimited,

    /// <summary>
    /// The cache could not be consulted (a distributed cache is unreachable or timed out). The request must be
    /// refused (fail closed).
    /// </summary>
    Unavailable,
}
