using KeyPairAuth.Stores;

namespace KeyPairAuth.Testing;

/// <summary>
/// The test projects' one hand-written key store: the contract of <see cref="InMemoryPublicKeyStore"/> (per-owner
/// active-key limit, revocation keeps the first time, last-used only moves forward), plus what tests need to see and
/// to break: <see cref="Add"/> replaces a record outright, calls are counted, last-used writes are listed,
/// <see cref="Gate"/> holds lookups back, and <see cref="Failure"/> makes calls throw (an outage), for ever or for the
/// next <see cref="FailuresLeft"/> calls.
/// </summary>
internal sealed class FakePublicKeyStore : IPublicKeyStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, PublicKeyRecord> _records = new(StringComparer.Ordinal);
    private readonly List<(string KeyId, DateTimeOffset At)> _lastUsed = [];
    private int _findCalls;
    private readonly TaskCompletionSource _firstLastUsedCall = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _lastUsedCalls;

    /// <summary>Gets or sets the exception every call throws while set (see <see cref="FailuresLeft"/>); null: the store works.</summary>
    public Exception? Failure { get; set; }

    /// <summary>Gets or sets how many more calls throw <see cref="Failure"/> before the store works again; null: all of them.</summary>
    public int? FailuresLeft { get; set; }

    /// <summary>Gets or sets a task <see cref="FindAsync"/> waits for before it answers (a slow store); null: it answers at once.</summary>
    public Task? Gate { get; set; }

    /// <summary>Gets how many times <see cref="FindAsync"/> was called (failed calls included).</summary>
    public int FindCalls => Volatile.Read(ref _findCalls);

    /// <summary>Gets how many times <see cref="RecordLastUsedAsync"/> was called (failed calls included).</summary>
    public int LastUsedCalls => Volatile.Read(ref _lastUsedCalls);

    /// <summary>Gets a task that completes when <see cref="RecordLastUsedAsync"/> is first called (a signal to wait on instead of polling).</summary>
    public Task FirstLastUsedCall => _firstLastUsedCall.Task;

    /// <summary>Gets the last-used writes the store accepted, in order.</summary>
    public IReadOnlyList<(string KeyId, DateTimeOffset At)> LastUsed
    {
        get
        {
            lock (_lock)
            {
                return [.. _lastUsed];
            }
        }
    }

    /// <summary>A store whose every call throws, as a database outage does.</summary>
    public static FakePublicKeyStore Unavailable() => new() { Failure = new InvalidOperationException("The key store is unavailable.") };

    /// <summary>Adds or replaces a record, bypassing the active-key limit.</summary>
    public FakePublicKeyStore Add(PublicKeyRecord record)
    {
        lock (_lock)
        {
            _records[record.KeyId] = record;
        }

        return this;
    }

    public ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _findCalls);
        return Gate is { } gate ? FindAfterAsync(gate, keyId, cancellationToken) : Find(keyId);
    }

    public ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            ThrowIfFailing();
            return ValueTask.FromResult<IReadOnlyList<PublicKeyRecord>>([.. _records.Values.Where(r => r.Owner == owner).OrderBy(r => r.CreatedAt)]);
        }
    }

    public ValueTask<PublicKeyAddResult> AddAsync(PublicKeyRecord record, int maxActiveKeysPerOwner, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            ThrowIfFailing();
            if (_records.ContainsKey(record.KeyId))
            {
                return ValueTask.FromResult(PublicKeyAddResult.DuplicateKeyId);
            }

            int active = _records.Values.Count(r => r.Owner == record.Owner && r.IsActiveAt(record.CreatedAt));
            if (record.IsActiveAt(record.CreatedAt) && active >= maxActiveKeysPerOwner)
            {
                return ValueTask.FromResult(PublicKeyAddResult.ActiveKeyLimitReached);
            }

            _records.Add(record.KeyId, record);
            return ValueTask.FromResult(PublicKeyAddResult.Added);
        }
    }

    public ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            ThrowIfFailing();
            if (!_records.TryGetValue(keyId, out PublicKeyRecord? record))
            {
                return ValueTask.FromResult<PublicKeyRecord?>(null);
            }

            if (record.RevokedAt is null)
            {
                record = record with { RevokedAt = revokedAt };
                _records[keyId] = record;
            }

            return ValueTask.FromResult<PublicKeyRecord?>(record);
        }
    }

    public ValueTask RecordLastUsedAsync(string keyId, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _lastUsedCalls);
        try
        {
            lock (_lock)
            {
                ThrowIfFailing();
                _lastUsed.Add((keyId, lastUsedAt));
                if (_records.TryGetValue(keyId, out PublicKeyRecord? record) && (record.LastUsedAt is null || record.LastUsedAt < lastUsedAt))
                {
                    _records[keyId] = record with { LastUsedAt = lastUsedAt };
                }
            }
        }
        finally
        {
            _firstLastUsedCall.TrySetResult();
        }

        return ValueTask.CompletedTask;
    }

    private ValueTask<PublicKeyRecord?> Find(string keyId)
    {
        lock (_lock)
        {
            ThrowIfFailing();
            return ValueTask.FromResult(_records.GetValueOrDefault(keyId));
        }
    }

    private async ValueTask<PublicKeyRecord?> FindAfterAsync(Task gate, string keyId, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        return await Find(keyId);
    }

    // Called under the lock, so concurrent callers consume FailuresLeft one at a time.
    private void ThrowIfFailing()
    {
        if (Failure is null || FailuresLeft == 0)
        {
            return;
        }

        if (FailuresLeft is { } left)
        {
            FailuresLeft = left - 1;
        }

        throw Failure;
    }
}
