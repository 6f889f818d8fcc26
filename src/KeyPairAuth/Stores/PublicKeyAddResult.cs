namespace KeyPairAuth.Stores;

/// <summary>The outcome of <see cref="IPublicKeyStore.AddAsync"/>.</summary>
public enum PublicKeyAddResult
{
    /// <summary>The record was stored.</summary>
    Added = 1,

    /// <summary>A record with the same key id exists; nothing was written.</summary>
    DuplicateKeyId,

    /// <summary>The owner is at the active-key limit; nothing was written.</summary>
    ActiveKeyLimitReached,
}
