namespace KeyPairAuth;

/// <summary>
/// Tells whether the application runs on an in-memory part only because it chose none: <c>AddKeyPairAuth()</c> falls
/// back to <see cref="Stores.InMemoryPublicKeyStore"/> and <see cref="Replay.InMemoryReplayCache"/> when no key store or
/// replay cache was registered, and records here when it created one. Parts chosen explicitly (with
/// <c>UseInMemoryStores()</c>, <c>AddPublicKeyStore&lt;TStore&gt;()</c>, <c>AddReplayCache&lt;TCache&gt;()</c> or
/// the application's own registration) are never reported.
/// </summary>
/// <remarks>
/// A singleton registered by <c>AddKeyPairAuth()</c>. The ASP.NET Core scheme reads it at start-up and, outside the
/// Development environment, logs one warning that keys are lost on restart and replay protection is per instance.
/// The flags are set when the fallback is first resolved, so resolve <c>IPublicKeyStore</c> (in a scope) and
/// <c>IReplayCache</c> before reading them.
/// </remarks>
public sealed class InMemoryFallbackUsage
{
    private int _publicKeyStore;
    private int _replayCache;

    internal InMemoryFallbackUsage()
    {
    }

    /// <summary>Gets whether the key store in use is the in-memory fallback (no store was chosen).</summary>
    public bool PublicKeyStore => Volatile.Read(ref _publicKeyStore) != 0;

    /// <summary>Gets whether the replay cache in use is the in-memory fallback (no replay cache was chosen).</summary>
    public bool ReplayCache => Volatile.Read(ref _replayCache) != 0;

    internal void MarkPublicKeyStore() => Volatile.Write(ref _publicKeyStore, 1);

    internal void MarkReplayCache() => Volatile.Write(ref _replayCache, 1);
}
