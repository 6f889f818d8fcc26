namespace KeyPairAuth.Stores;

/// <summary>
/// Persists <see cref="PublicKeyRecord"/>s. The issuer decides; the store remembers.
/// Implementations must be safe for concurrent use.
/// </summary>
public interface IPublicKeyStore
{
    /// <summary>Finds a key by id.</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The record, or <see langword="null"/> when no such key exists.</returns>
    ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default);

    /// <summary>Lists every key of an owner (active, expired and revoked), oldest first.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The owner's records.</returns>
    ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a record, atomically refusing when the owner already holds <paramref name="maxActiveKeysPerOwner"/>
    /// keys that are active at <paramref name="record"/>'s <see cref="PublicKeyRecord.CreatedAt"/>.
    /// </summary>
    /// <param name="record">The record to add; its key id must be new.</param>
    /// <param name="maxActiveKeysPerOwner">The owner's limit of active keys.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see cref="PublicKeyAddResult.Added"/>, or why nothing was written.</returns>
    ValueTask<PublicKeyAddResult> AddAsync(PublicKeyRecord record, int maxActiveKeysPerOwner, CancellationToken cancellationToken = default);

    /// <summary>Marks a key revoked. Idempotent: a key already revoked keeps its first revocation time.</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="revokedAt">When it is revoked.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The updated record, or <see langword="null"/> when no such key exists.</returns>
    ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default);

    /// <summary>Records the last time a key authenticated a request. Never moves the time backwards.</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="lastUsedAt">When it was used.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when recorded.</returns>
    ValueTask RecordLastUsedAsync(string keyId, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default);
}
