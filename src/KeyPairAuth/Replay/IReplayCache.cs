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
