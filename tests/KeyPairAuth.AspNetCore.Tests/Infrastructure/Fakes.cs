using KeyPairAuth.Replay;
using KeyPairAuth.Stores;

namespace KeyPairAuth.AspNetCore.Tests.Infrastructure;

/// <summary>A store whose every call throws: a database outage.</summary>
internal sealed class ThrowingPublicKeyStore : IPublicKeyStore
{
    public ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default) => throw new InvalidOperationException("The key store is unavailable.");

    public ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default) => throw new InvalidOperationException("The key store is unavailable.");

    public ValueTask<PublicKeyAddResult> AddAsync(PublicKeyRecord record, int maxActiveKeysPerOwner, CancellationToken cancellationToken = default) => throw new InvalidOperationException("The key store is unavailable.");

    public ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default) => throw new InvalidOperationException("The key store is unavailable.");

    public ValueTask RecordLastUsedAsync(string keyId, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default) => throw new InvalidOperationException("The key store is unavailable.");
}

/// <summary>Wraps the in-memory store and counts calls.</summary>
internal sealed class CountingPublicKeyStore : IPublicKeyStore
{
    private readonly InMemoryPublicKeyStore _inner = new();
    private int _finds;
    private int _lastUsedWrites;

    public int Finds => Volatile.Read(ref _finds);

    public int LastUsedWrites => Volatile.Read(ref _lastUsedWrites);

    public List<(string KeyId, DateTimeOffset At)> LastUsed { get; } = [];

    public ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _finds);
        return _inner.FindAsync(keyId, cancellationToken);
    }

    public ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default) => _inner.ListByOwnerAsync(owner, cancellationToken);

    public ValueTask<PublicKeyAddResult> AddAsync(PublicKeyRecord record, int maxActiveKeysPerOwner, CancellationToken cancellationToken = default) => _inner.AddAsync(record, maxActiveKeysPerOwner, cancellationToken);

    public ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default) => _inner.RevokeAsync(keyId, revokedAt, cancellationToken);

    public ValueTask RecordLastUsedAsync(string keyId, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _lastUsedWrites);
        lock (LastUsed)
        {
            LastUsed.Add((keyId, lastUsedAt));
        }

        return _inner.RecordLastUsedAsync(keyId, lastUsedAt, cancellationToken);
    }
}

/// <summary>A replay cache at its hard capacity.</summary>
internal sealed class FullReplayCache : IReplayCache
{
    public ValueTask<ReplayCheckResult> TryAddAsync(string keyId, string nonce, DateTimeOffset rememberUntil, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(ReplayCheckResult.CapacityExceeded);
}
