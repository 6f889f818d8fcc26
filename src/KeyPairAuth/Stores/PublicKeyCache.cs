using System.Collections.Concurrent;

namespace KeyPairAuth.Stores;

/// <summary>
/// A bounded, time-limited cache in front of <see cref="IPublicKeyStore"/> so the hot path does not wait on the
/// database for keys seen recently. Revocation is visible after at most <see cref="PublicKeyCacheOptions.Duration"/>,
/// immediately in the process that calls <see cref="Invalidate"/>.
/// </summary>
/// <remarks>
/// <para>
/// A hit completes synchronously and allocates nothing. Unknown key ids are remembered as unknown for
/// <see cref="PublicKeyCacheOptions.NegativeDuration"/>, so random key ids cannot hammer the store. Concurrent misses
/// for the same key id share one store lookup. Store exceptions propagate to every caller waiting on that lookup and
/// are never cached.
/// </para>
/// <para>
/// The cache never holds more than <see cref="PublicKeyCacheOptions.MaxEntries"/> entries: when full it drops expired
/// entries first, then arbitrary ones (a dropped key is simply fetched again). Key ids longer than
/// <see cref="MaxKeyIdLength"/> characters are never looked up nor cached: <see cref="FindAsync"/> returns
/// <see langword="null"/> for them.
/// </para>
/// </remarks>
public sealed class PublicKeyCache
{
    /// <summary>The longest key id, in characters, that is looked up; longer ids are unknown by definition.</summary>
    public const int MaxKeyIdLength = 256;

    private readonly IPublicKeyStore _store;
    private readonly TimeProvider _timeProvider;
    private readonly long _positiveTicks;
    private readonly long _negativeTicks;
    private readonly int _maxEntries;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<PublicKeyRecord?>> _inFlight = new(StringComparer.Ordinal);
    private readonly Lock _evictionLock = new();
    private int _count;

    // Bumped by Invalidate: a lookup that started before an invalidation must not cache what it read.
    private long _version;

    /// <summary>Initializes a new instance of the <see cref="PublicKeyCache"/> class.</summary>
    /// <param name="store">The store.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">A duration is negative or <see cref="PublicKeyCacheOptions.MaxEntries"/> is not positive.</exception>
    public PublicKeyCache(IPublicKeyStore store, TimeProvider timeProvider, PublicKeyCacheOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options ??= new PublicKeyCacheOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Duration, TimeSpan.Zero, "PublicKeyCacheOptions.Duration");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.NegativeDuration, TimeSpan.Zero, "PublicKeyCacheOptions.NegativeDuration");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxEntries, 1, "PublicKeyCacheOptions.MaxEntries");

        _store = store;
        _timeProvider = timeProvider;
        _positiveTicks = ToTimestampTicks(options.Duration, timeProvider.TimestampFrequency);
        _negativeTicks = ToTimestampTicks(options.NegativeDuration, timeProvider.TimestampFrequency);
        _maxEntries = options.MaxEntries;
    }

    /// <summary>Gets the number of cached entries, found and not-found, including ones that have expired but are not yet dropped.</summary>
    internal int Count => Volatile.Read(ref _count);

    /// <summary>Finds a key, from the cache when fresh, else from the store.</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="cancellationToken">Cancels the store call.</param>
    /// <returns>The record, or <see langword="null"/> when unknown.</returns>
    public ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        if (keyId.Length is 0 or > MaxKeyIdLength)
        {
            return new ValueTask<PublicKeyRecord?>((PublicKeyRecord?)null);
        }

        if (_entries.TryGetValue(keyId, out Entry? entry) && entry.ExpiresAt > _timeProvider.GetTimestamp())
        {
            return new ValueTask<PublicKeyRecord?>(entry.Record);
        }

        return FindSlowAsync(keyId, cancellationToken);
    }

    /// <summary>Drops a key from the cache (after revocation or update).</summary>
    /// <param name="keyId">The key id.</param>
    public void Invalidate(string keyId)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        Interlocked.Increment(ref _version);

        // A lookup already running may have read the record before the change: later callers must not join it.
        _inFlight.TryRemove(keyId, out _);
        if (_entries.TryRemove(keyId, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    private static long ToTimestampTicks(TimeSpan duration, long frequency) =>
        (long)Math.Min(duration.TotalSeconds * frequency, long.MaxValue / 2);

    private async ValueTask<PublicKeyRecord?> FindSlowAsync(string keyId, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();

            var leader = new TaskCompletionSource<PublicKeyRecord?>(TaskCreationOptions.RunContinuationsAsynchronously);
            Task<PublicKeyRecord?> shared = _inFlight.GetOrAdd(keyId, leader.Task);
            if (shared != leader.Task)
            {
                try
                {
                    return await shared.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (shared.IsCanceled && !cancellationToken.IsCancellationRequested)
                {
                    // The caller that ran the shared lookup was cancelled, not this one: look up again.
                    continue;
                }
            }

            return await LeadLookupAsync(keyId, leader, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<PublicKeyRecord?> LeadLookupAsync(string keyId, TaskCompletionSource<PublicKeyRecord?> leader, CancellationToken cancellationToken)
    {
        try
        {
            // Another leader may have filled the entry between our miss and our registration.
            if (_entries.TryGetValue(keyId, out Entry? entry) && entry.ExpiresAt > _timeProvider.GetTimestamp())
            {
                leader.SetResult(entry.Record);
                return entry.Record;
            }

            long version = Volatile.Read(ref _version);
            PublicKeyRecord? record = await _store.FindAsync(keyId, cancellationToken).ConfigureAwait(false);
            if (Volatile.Read(ref _version) == version)
            {
                long lifetime = record is null ? _negativeTicks : _positiveTicks;
                if (lifetime > 0)
                {
                    Set(keyId, new Entry(record, _timeProvider.GetTimestamp() + lifetime));
                }
            }

            leader.SetResult(record);
            return record;
        }
        catch (OperationCanceledException ex)
        {
            leader.SetCanceled(ex.CancellationToken);
            throw;
        }
        catch (Exception ex)
        {
            leader.SetException(ex);

            // Observe it here: followers (if any) rethrow it themselves; none must not raise UnobservedTaskException.
            _ = leader.Task.Exception;
            throw;
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<string, Task<PublicKeyRecord?>>(keyId, leader.Task));
        }
    }

    private void Set(string keyId, Entry entry)
    {
        while (true)
        {
            if (_entries.TryGetValue(keyId, out Entry? existing))
            {
                if (_entries.TryUpdate(keyId, entry, existing))
                {
                    return;
                }

                continue;
            }

            // Reserve a slot first so concurrent inserts can never push the count past the bound.
            if (Interlocked.Increment(ref _count) > _maxEntries)
            {
                Interlocked.Decrement(ref _count);
                MakeRoom();
                continue;
            }

            if (_entries.TryAdd(keyId, entry))
            {
                return;
            }

            Interlocked.Decrement(ref _count);
        }
    }

    private void MakeRoom()
    {
        lock (_evictionLock)
        {
            if (Volatile.Read(ref _count) < _maxEntries)
            {
                return;
            }

            long now = _timeProvider.GetTimestamp();
            foreach (KeyValuePair<string, Entry> pair in _entries)
            {
                if (pair.Value.ExpiresAt <= now && _entries.TryRemove(pair))
                {
                    Interlocked.Decrement(ref _count);
                }
            }

            // Nothing expired: drop about a tenth (at least one) so the next inserts do not each pay for a scan.
            int target = _maxEntries - Math.Max(1, _maxEntries / 10);
            if (Volatile.Read(ref _count) <= target)
            {
                return;
            }

            foreach (KeyValuePair<string, Entry> pair in _entries)
            {
                if (_entries.TryRemove(pair) && Interlocked.Decrement(ref _count) <= target)
                {
                    return;
                }
            }
        }
    }

    private sealed class Entry(PublicKeyRecord? record, long expiresAt)
    {
        public PublicKeyRecord? Record { get; } = record;

        public long ExpiresAt { get; } = expiresAt;
    }
}

/// <summary>Options for <see cref="PublicKeyCache"/>.</summary>
public sealed class PublicKeyCacheOptions
{
    /// <summary>Gets or sets how long a found key is served from memory (the bound on revocation delay across instances).</summary>
    /// <value>The default value is 30 seconds. <see cref="TimeSpan.Zero"/> disables caching of found keys.</value>
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long an unknown key id is remembered as unknown (so random key ids cannot hammer the store).</summary>
    /// <value>The default value is 5 seconds. <see cref="TimeSpan.Zero"/> disables negative caching.</value>
    public TimeSpan NegativeDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the maximum number of cached entries.</summary>
    /// <value>The default value is 100,000.</value>
    public int MaxEntries { get; set; } = 100_000;
}
