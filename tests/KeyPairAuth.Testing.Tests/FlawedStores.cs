using System.Collections.Concurrent;
using KeyPairAuth.Stores;

namespace KeyPairAuth.Testing.Tests;

/// <summary>
/// A deliberately simple store with one flaw switched on, to show the conformance suite catches it. Where the flaw is
/// a race, the store holds its window open until enough callers are inside it, so the race is lost every run.
/// </summary>
internal sealed class FlawedStore : IPublicKeyStore
{
    private static readonly TimeSpan WindowTimeout = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, PublicKeyRecord> _records = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _inWindow = new(StringComparer.Ordinal);

    public FlawedStore(Flaw flaw) => Flaws = flaw;

    public Flaw Flaws { get; }

    public IReadOnlyCollection<object?> StoredValues()
    {
        lock (_lock)
        {
            return [.. _records.Values.SelectMany(r => new object?[] { r.KeyId, r.Owner, r.Name, r.PublicKey.RawBytes.ToArray() })];
        }
    }

    public ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (Flaws.HasFlag(Flaw.CaseInsensitiveKeyIds))
            {
                return ValueTask.FromResult(_records.Values.FirstOrDefault(r => string.Equals(r.KeyId, keyId, StringComparison.OrdinalIgnoreCase)));
            }

            return ValueTask.FromResult(_records.GetValueOrDefault(keyId));
        }
    }

    public ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IEnumerable<PublicKeyRecord> mine = _records.Values.Where(r => r.Owner == owner);

            // The flaw: orders by the local text of the time (what a DateTimeOffset stored as text with its offset does).
            mine = Flaws.HasFlag(Flaw.OrdersByLocalTime)
                ? mine.OrderBy(r => r.CreatedAt.ToString("yyyy-MM-dd HH:mm:ss.fffffffzzz", System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal)
                : mine.OrderBy(r => r.CreatedAt);
            return ValueTask.FromResult<IReadOnlyList<PublicKeyRecord>>([.. mine]);
        }
    }

    public async ValueTask<PublicKeyAddResult> AddAsync(PublicKeyRecord record, int maxActiveKeysPerOwner, CancellationToken cancellationToken = default)
    {
        int active;
        lock (_lock)
        {
            if (_records.ContainsKey(record.KeyId))
            {
                return PublicKeyAddResult.DuplicateKeyId;
            }

            active = _records.Values.Count(r => r.Owner == record.Owner && r.IsActiveAt(record.CreatedAt));
        }

        if (Flaws.HasFlag(Flaw.NonAtomicLimit))
        {
            // The flaw: check, then insert later, outside the lock.
            await WindowAsync("add:" + record.Owner, maxActiveKeysPerOwner + 1);
        }

        lock (_lock)
        {
            if (!Flaws.HasFlag(Flaw.NonAtomicLimit))
            {
                active = _records.Values.Count(r => r.Owner == record.Owner && r.IsActiveAt(record.CreatedAt));
            }

            if (active >= maxActiveKeysPerOwner)
            {
                return PublicKeyAddResult.ActiveKeyLimitReached;
            }

            return _records.TryAdd(record.KeyId, record) ? PublicKeyAddResult.Added : PublicKeyAddResult.DuplicateKeyId;
        }
    }

    public async ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default)
    {
        PublicKeyRecord? snapshot = await FindAsync(keyId, cancellationToken);
        if (snapshot is null)
        {
            return null;
        }

        if (Flaws.HasFlag(Flaw.LostUpdates))
        {
            await WindowAsync("update:" + keyId, 2);
            return Write(snapshot.RevokedAt is null || Flaws.HasFlag(Flaw.RevokeOverwrites) ? snapshot with { RevokedAt = revokedAt } : snapshot);
        }

        lock (_lock)
        {
            PublicKeyRecord current = _records[keyId];
            if (current.RevokedAt is null || Flaws.HasFlag(Flaw.RevokeOverwrites))
            {
                current = _records[keyId] = current with { RevokedAt = revokedAt };
            }

            return current;
        }
    }

    public async ValueTask RecordLastUsedAsync(string keyId, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default)
    {
        PublicKeyRecord? snapshot = await FindAsync(keyId, cancellationToken);
        if (snapshot is null)
        {
            return;
        }

        if (Flaws.HasFlag(Flaw.LostUpdates))
        {
            await WindowAsync("update:" + keyId, 2);
            Write(snapshot with { LastUsedAt = lastUsedAt });
            return;
        }

        lock (_lock)
        {
            PublicKeyRecord current = _records[keyId];
            if (Flaws.HasFlag(Flaw.LastUsedMovesBackwards) || current.LastUsedAt is null || current.LastUsedAt < lastUsedAt)
            {
                _records[keyId] = current with { LastUsedAt = lastUsedAt };
            }
        }
    }

    private PublicKeyRecord Write(PublicKeyRecord record)
    {
        lock (_lock)
        {
            return _records[record.KeyId] = record;
        }
    }

    // Holds a caller until `callers` callers are inside the same window (or a timeout, so a miscount cannot hang a run).
    private async Task WindowAsync(string window, int callers)
    {
        _inWindow.AddOrUpdate(window, 1, (_, n) => n + 1);
        using CancellationTokenSource timeout = new(WindowTimeout);
        while (_inWindow[window] < callers && !timeout.IsCancellationRequested)
        {
            await Task.Yield();
        }
    }
}

[Flags]
internal enum Flaw
{
    None = 0,
    NonAtomicLimit = 1,
    LastUsedMovesBackwards = 2,
    RevokeOverwrites = 4,
    LostUpdates = 8,
    OrdersByLocalTime = 16,
    CaseInsensitiveKeyIds = 32,
    ReadsNothing = 64,
}
