namespace KeyPairAuth.Replay;

/// <summary>
/// Remembers (key id, nonce) pairs until the end of the freshness window, so a captured request cannot be
/// accepted twice. Implementations must make the check and the insert one atomic step.
/// </summary>
public interface IReplayCache
{
    /// <summary>
    /// Atomically records the pair if it has not been seen, and reports whether it had been.
    /// </summary>
    /// <param name="keyId">The key id of the verified signature.</param>
    /// <param name="nonce">The signature's <c>nonce</c> parameter.</param>
    /// <param name="rememberUntil">When the pair may be forgotten: after this instant the signature is stale anyway.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether the pair was new, a replay, or could not be recorded.</returns>
    ValueTask<ReplayCheckResult> TryAddAsync(string keyId, string nonce, DateTimeOffset rememberUntil, CancellationToken cancellationToken = default);
}

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
