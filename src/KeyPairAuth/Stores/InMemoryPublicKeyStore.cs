namespace KeyPairAuth.Stores;

/// <summary>
/// A thread-safe <see cref="IPublicKeyStore"/> that keeps records in process memory: for tests, demos and
/// single-instance apps that re-register keys at start-up. Everything is lost when the process ends.
/// </summary>
/// <remarks>Every operation takes one lock, so <see cref="AddAsync"/>'s limit check and insert are atomic.</remarks>
public sealed class InMemoryPublicKeyStore : IPublicKeyStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, PublicKeyRecord> _byKeyId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _keyIdsByOwner = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        lock (_lock)
        {
            return ValueTask.FromResult(_byKeyId.GetValueOrDefault(keyId));
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        lock (_lock)
        {
            if (!_keyIdsByOwner.TryGetValue(owner, out List<string>? keyIds))
            {
                return ValueTask.FromResult<IReadOnlyList<PublicKeyRecord>>([]);
            }

            // OrderBy is stable: records created at the same instant stay in insertion order.
            PublicKeyRecord[] records = [.. keyIds.Select(id => _byKeyId[id]).OrderBy(r => r.CreatedAt)];
            return ValueTask.FromResult<IReadOnlyList<PublicKeyRecord>>(records);
        }
    }

    /// <inheritdoc/>
    public ValueTask<PublicKeyAddResult> AddAsync(PublicKeyRecord record, int maxActiveKeysPerOwner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxActiveKeysPerOwner);
        lock (_lock)
        {
            if (_byKeyId.ContainsKey(record.KeyId))
            {
                return ValueTask.FromResult(PublicKeyAddResult.DuplicateKeyId);
            }

            if (!_keyIdsByOwner.TryGetValue(record.Owner, out List<string>? keyIds))
            {
                keyIds = [];
                _keyIdsByOwner.Add(record.Owner, keyIds);
            }

            int active = keyIds.Count(id => _byKeyId[id].IsActiveAt(record.CreatedAt));
            if (record.IsActiveAt(record.CreatedAt) && active >= maxActiveKeysPerOwner)
            {
                return ValueTask.FromResult(PublicKeyAddResult.ActiveKeyLimitReached);
            }

            _byKeyId.Add(record.KeyId, record);
            keyIds.Add(record.KeyId);
            return ValueTask.FromResult(PublicKeyAddResult.Added);
        }
    }

    /// <inheritdoc/>
    public ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        lock (_lock)
        {
            if (!_byKeyId.TryGetValue(keyId, out PublicKeyRecord? record))
            {
                return ValueTask.FromResult<PublicKeyRecord?>(null);
            }

            if (record.RevokedAt is null)
            {
                record = record with { RevokedAt = revokedAt };
                _byKeyId[keyId] = record;
            }

            return ValueTask.FromResult<PublicKeyRecord?>(record);
        }
    }

    /// <inheritdoc/>
    public ValueTask RecordLastUsedAsync(string keyId, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        lock (_lock)
        {
            if (_byKeyId.TryGetValue(keyId, out PublicKeyRecord? record) && (record.LastUsedAt is null || record.LastUsedAt < lastUsedAt))
            {
                _byKeyId[keyId] = record with { LastUsedAt = lastUsedAt };
            }
        }

        return ValueTask.CompletedTask;
    }
}
