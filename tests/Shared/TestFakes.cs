using System.Collections.Concurrent;
using KeyPairAuth.Replay;
using KeyPairAuth.Stores;

namespace KeyPairAuth.Testing;

/// <summary>A replay cache that remembers every pair for ever.</summary>
internal sealed class FakeReplayCache : IReplayCache
{
    private readonly ConcurrentDictionary<(string, string), bool> _seen = new();

    public ValueTask<ReplayCheckResult> TryAddAsync(string keyId, string nonce, DateTimeOffset rememberUntil, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_seen.TryAdd((keyId, nonce), true) ? ReplayCheckResult.Accepted : ReplayCheckResult.Replayed);
}

/// <summary>A dictionary-backed key store.</summary>
internal sealed class FakePublicKeyStore : IPublicKeyStore
{
    private readonly ConcurrentDictionary<string, PublicKeyRecord> _records = new(StringComparer.Ordinal);

    public void Add(PublicKeyRecord record) => _records[record.KeyId] = record;

    public ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_records.TryGetValue(keyId, out PublicKeyRecord? record) ? record : null);

    public ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<PublicKeyRecord>>([.. _records.Values.Where(r => r.Owner == owner)]);

    public ValueTask<PublicKeyAddResult> AddAsync(PublicKeyRecord record, int maxActiveKeysPerOwner, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_records.TryAdd(record.KeyId, record) ? PublicKeyAddResult.Added : PublicKeyAddResult.DuplicateKeyId);

    public ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<PublicKeyRecord?>(null);

    public ValueTask RecordLastUsedAsync(string keyId, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
