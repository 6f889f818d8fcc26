namespace KeyPairAuth.Replay;

/// <summary>
/// A replay cache that can do its check-and-set synchronously on spans. <see cref="Signatures.HttpMessageVerifier"/>
/// calls it with the key id and nonce still inside the <c>Signature-Input</c> value, so no strings are allocated; any
/// other <see cref="IReplayCache"/> gets <see cref="IReplayCache.TryAddAsync"/>.
/// </summary>
internal interface ISpanReplayCache : IReplayCache
{
    /// <summary>The check-and-set of <see cref="IReplayCache.TryAddAsync"/>, atomic in the same way.</summary>
    /// <param name="keyId">The key id of the verified signature.</param>
    /// <param name="nonce">The signature's <c>nonce</c> parameter.</param>
    /// <param name="rememberUntil">When the pair may be forgotten.</param>
    /// <returns>Whether the pair was new, a replay, or could not be recorded.</returns>
    ReplayCheckResult TryAdd(ReadOnlySpan<char> keyId, ReadOnlySpan<char> nonce, DateTimeOffset rememberUntil);
}
