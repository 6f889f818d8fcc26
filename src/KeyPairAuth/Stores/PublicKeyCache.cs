using System.Collections.Concurrent;
using KeyPairAuth.Internal;
using KeyPairAuth.Keys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KeyPairAuth.Stores;

/// <summary>
/// A bounded, time-limited cache in front of <see cref="IPublicKeyStore"/> so the hot path does not wait on the
/// database for keys seen recently. Revocation is visible after at most <see cref="PublicKeyCacheOptions.Duration"/>,
/// immediately in the process that calls <see cref="Invalidate"/>.
/// </summary>
/// <remarks>
/// <para>
/// A hit completes synchronously and allocates nothing; it never touches the store nor opens a DI scope. A key id that
/// is not a well-formed KeyPairAuth key id (see <see cref="KeyId.IsValid(string)"/>) is unknown by definition: it is
/// answered <see langword="null"/> without a store lookup and never cached. Concurrent misses for the same key id share
/// one store lookup. Store exceptions propagate to every caller waiting on that lookup and are never cached.
/// </para>
/// <para>
/// Found keys and unknown key ids are kept in two separate bounded tables
/// (<see cref="PublicKeyCacheOptions.MaxEntries"/> and <see cref="PublicKeyCacheOptions.MaxUnknownEntries"/>), both
/// for <see cref="PublicKeyCacheOptions.Duration"/>: anonymous traffic with made-up key ids can only displace other
/// made-up key ids, never a real key, and a key id that exists costs the same store lookups over time as one that does
/// not. Lookups that find nothing are limited to <see cref="PublicKeyCacheOptions.MaxUnknownLookupsPerSecond"/>: beyond
/// that, key ids this instance has not found before are answered as unknown without a store lookup until the rate
/// drops, so a flood of random key ids cannot hammer the store; keys already found keep being refreshed.
/// </para>
/// <para>
/// The store is either one instance given to the constructor (it must then be thread-safe and live as long as the
/// cache), or resolved from a new DI scope for each store call, so a singleton, scoped (a <c>DbContext</c>) or
/// transient store all work. <c>AddKeyPairAuth()</c> registers the cache the second way.
/// </para>
/// </remarks>
public sealed class PublicKeyCache
{
    private readonly IPublicKeyStore? _store;
    private readonly IServiceScopeFactory? _scopeFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly long _durationTicks;
    private readonly int _maxUnknownLookupsPerSecond;
    private readonly BoundedTable _found;
    private readonly BoundedTable _unknown;
    private readonly UnknownLookupBudget _budget;
    private readonly ConcurrentDictionary<string, Task<PublicKeyRecord?>> _inFlight = new(StringComparer.Ordinal);

    // Bumped by Invalidate: a lookup that started before an invalidation must not cache what it read.
    private long _version;

    /// <summary>Initializes a new instance of the <see cref="PublicKeyCache"/> class over one store instance, with the default options.</summary>
    /// <param name="store">The store, used for every lookup from any thread: it must be thread-safe and outlive the cache.</param>
    /// <param name="timeProvider">The clock.</param>
    public PublicKeyCache(IPublicKeyStore store, TimeProvider timeProvider)
        : this(store, timeProvider, options: null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PublicKeyCache"/> class over one store instance.</summary>
    /// <param name="store">The store, used for every lookup from any thread: it must be thread-safe and outlive the cache.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the parameter name names the setting.</exception>
    public PublicKeyCache(IPublicKeyStore store, TimeProvider timeProvider, PublicKeyCacheOptions? options)
        : this(timeProvider, options, logger: null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>
    /// Initializes a new instance of the <see cref="PublicKeyCache"/> class that resolves <see cref="IPublicKeyStore"/>
    /// from a new DI scope for each store call (only on a cache miss), so the store may be singleton, scoped or transient.
    /// </summary>
    /// <param name="scopeFactory">Creates the scope of each store call.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger (a warning when lookups of unknown key ids are suspended), or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the parameter name names the setting.</exception>
    public PublicKeyCache(IServiceScopeFactory scopeFactory, TimeProvider timeProvider, PublicKeyCacheOptions options, ILogger<PublicKeyCache>? logger)
        : this(timeProvider, options, logger)
    {
        ArgumentNullException.ThrowIfNull(scopeFactory);
        ArgumentNullException.ThrowIfNull(options);
        _scopeFactory = scopeFactory;
    }

    private PublicKeyCache(TimeProvider timeProvider, PublicKeyCacheOptions? options, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        options ??= new PublicKeyCacheOptions();
        if (PublicKeyCacheOptionsValidator.FirstFailure(options) is { } failure)
        {
            throw new ArgumentOutOfRangeException($"PublicKeyCacheOptions.{failure.Setting}", failure.Message);
        }

        _timeProvider = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _durationTicks = (long)Math.Min(options.Duration.TotalSeconds * timeProvider.TimestampFrequency, long.MaxValue / 2);
        _maxUnknownLookupsPerSecond = options.MaxUnknownLookupsPerSecond;
        _found = new BoundedTable(options.MaxEntries);
        _unknown = new BoundedTable(options.MaxUnknownEntries);
        _budget = new UnknownLookupBudget(options.MaxUnknownLookupsPerSecond, timeProvider.TimestampFrequency, timeProvider.GetTimestamp());
    }

    /// <summary>Gets the number of cached entries, found and unknown, including ones that have expired but are not yet dropped.</summary>
    internal int Count => _found.Count + _unknown.Count;

    /// <summary>Gets the number of found keys held (fresh or expired but not yet dropped).</summary>
    internal int FoundCount => _found.Count;

    /// <summary>Gets the number of unknown key ids held (fresh or expired but not yet dropped).</summary>
    internal int UnknownCount => _unknown.Count;

    /// <summary>Finds a key, from the cache when fresh, else from the store.</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="cancellationToken">Cancels the store call.</param>
    /// <returns>The record, or <see langword="null"/> when unknown (including a key id that is not well-formed).</returns>
    public ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        if (TryGetFresh(keyId, out PublicKeyRecord? record))
        {
            return new ValueTask<PublicKeyRecord?>(record);
        }

        return FindSlowAsync(keyId, cancellationToken);
    }

    /// <summary>
    /// The synchronous hit path of <see cref="FindAsync"/> for a key id still inside a header value (no string is
    /// allocated): <see langword="true"/> with the cached answer (a record, or <see langword="null"/> for a key id known to
    /// be unknown or not well-formed); <see langword="false"/> when <see cref="FindAsync"/> must be called.
    /// </summary>
    internal bool TryGetFresh(ReadOnlySpan<char> keyId, out PublicKeyRecord? record)
    {
        record = null;
        if (!KeyId.IsValid(keyId))
        {
            return true;
        }

        long now = _timeProvider.GetTimestamp();
        if (_found.TryGetFresh(keyId, now, out Entry? entry) || _unknown.TryGetFresh(keyId, now, out entry))
        {
            record = entry.Record;
            return true;
        }

        return false;
    }

    /// <summary>Drops a key id from the cache, found or unknown (after revocation, registration or update).</summary>
    /// <param name="keyId">The key id.</param>
    public void Invalidate(string keyId)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        Interlocked.Increment(ref _version);

        // A lookup already running may have read the record before the change: later callers must not join it.
        _inFlight.TryRemove(keyId, out _);
        _found.Remove(keyId);
        _unknown.Remove(keyId);
    }

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
            // Another leader may have filled an entry between our miss and our registration.
            if (TryGetFresh(keyId, out PublicKeyRecord? cached))
            {
                leader.SetResult(cached);
                return cached;
            }

            // A key this instance has found before (its entry may have expired) is always refreshed; any other key id
            // costs a store lookup only while lookups that find nothing stay within their budget.
            if (!_found.Contains(keyId) && !_budget.TryBegin(_timeProvider.GetTimestamp(), out bool suspensionStarted))
            {
                if (suspensionStarted)
                {
                    Log.UnknownKeyLookupsSuspended(_logger, _maxUnknownLookupsPerSecond);
                }

                leader.SetResult(null);
                return null;
            }

            long version = Volatile.Read(ref _version);
            PublicKeyRecord? record = await FindInStoreAsync(keyId, cancellationToken).ConfigureAwait(false);
            long now = _timeProvider.GetTimestamp();
            if (record is null)
            {
                _budget.Spend(now);
            }

            if (Volatile.Read(ref _version) == version)
            {
                if (record is null)
                {
                    _found.Remove(keyId);
                    if (_durationTicks > 0)
                    {
                        SetUnlessInvalidated(_unknown, keyId, new Entry(null, now + _durationTicks), now, version);
                    }
                }
                else
                {
                    // Kept even with a zero Duration (already expired): it marks the key id as one that exists.
                    _unknown.Remove(keyId);
                    SetUnlessInvalidated(_found, keyId, new Entry(record, now + _durationTicks), now, version);
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

    /// <summary>
    /// Caches what a lookup read, unless an <see cref="Invalidate"/> started since the lookup did: checking the version
    /// only before the insert leaves a window in which an invalidation (a revocation notice) removes nothing and the
    /// stale entry lands just after it, to be served for a whole <see cref="PublicKeyCacheOptions.Duration"/>. So the
    /// version is read again after the insert, with a full fence between (Invalidate bumps the version, then removes):
    /// either this sees the bump and takes its own entry back, or the invalidation runs after the insert and removes it.
    /// </summary>
    private void SetUnlessInvalidated(BoundedTable table, string keyId, Entry entry, long now, long version)
    {
        table.Set(keyId, entry, now);
        if (Interlocked.Read(ref _version) != version)
        {
            table.Remove(keyId, entry);
        }
    }

    private ValueTask<PublicKeyRecord?> FindInStoreAsync(string keyId, CancellationToken cancellationToken) =>
        _store is not null ? _store.FindAsync(keyId, cancellationToken) : FindInScopeAsync(keyId, cancellationToken);

    private async ValueTask<PublicKeyRecord?> FindInScopeAsync(string keyId, CancellationToken cancellationToken)
    {
        // One scope per store call: a scoped store (a DbContext) is never shared between requests, nor resolved from
        // the root provider (which scope validation refuses), and is disposed when the call ends.
        AsyncServiceScope scope = _scopeFactory!.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            IPublicKeyStore store = scope.ServiceProvider.GetRequiredService<IPublicKeyStore>();
            return await store.FindAsync(keyId, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class Entry(PublicKeyRecord? record, long expiresAt)
    {
        public PublicKeyRecord? Record { get; } = record;

        public long ExpiresAt { get; } = expiresAt;
    }

    /// <summary>
    /// A concurrent dictionary that never holds more than its bound: when full it drops expired entries first, then
    /// about a tenth of the entries (arbitrary ones), so the next inserts do not each pay for a scan.
    /// </summary>
    private sealed class BoundedTable
    {
        private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
        private readonly Lock _evictionLock = new();
        private readonly int _maxEntries;
        private int _count;

        public BoundedTable(int maxEntries)
        {
            _maxEntries = maxEntries;
            _bySpan = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public int Count => Volatile.Read(ref _count);

        public bool TryGetFresh(ReadOnlySpan<char> keyId, long now, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Entry? entry) =>
            _bySpan.TryGetValue(keyId, out entry) && entry.ExpiresAt > now;

        public bool Contains(string keyId) => _entries.ContainsKey(keyId);

        public void Remove(string keyId)
        {
            if (_entries.TryRemove(keyId, out _))
            {
                Interlocked.Decrement(ref _count);
            }
        }

        /// <summary>Removes <paramref name="keyId"/> only while it still maps to <paramref name="entry"/>.</summary>
        public void Remove(string keyId, Entry entry)
        {
            if (_entries.TryRemove(new KeyValuePair<string, Entry>(keyId, entry)))
            {
                Interlocked.Decrement(ref _count);
            }
        }

        public void Set(string keyId, Entry entry, long now)
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
                    MakeRoom(now);
                    continue;
                }

                if (_entries.TryAdd(keyId, entry))
                {
                    return;
                }

                Interlocked.Decrement(ref _count);
            }
        }

        private void MakeRoom(long now)
        {
            lock (_evictionLock)
            {
                if (Volatile.Read(ref _count) < _maxEntries)
                {
                    return;
                }

                foreach (KeyValuePair<string, Entry> pair in _entries)
                {
                    if (pair.Value.ExpiresAt <= now && _entries.TryRemove(pair))
                    {
                        Interlocked.Decrement(ref _count);
                    }
                }

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
    }

    /// <summary>
    /// A token bucket for store lookups that find nothing: refilled at the configured rate up to one second's worth.
    /// A lookup may start while a token is left and pays for itself only when it finds nothing (so a burst of lookups
    /// for keys that exist, after a restart, is never held back); concurrent misses can overdraw the bucket, by at most
    /// a minute's worth, which then suspends lookups of unknown key ids for as long.
    /// </summary>
    private sealed class UnknownLookupBudget
    {
        private readonly Lock _lock = new();
        private readonly double _capacity;
        private readonly double _floor;
        private readonly double _perTick;
        private double _tokens;
        private long _updatedAt;
        private bool _suspended;

        public UnknownLookupBudget(int perSecond, long frequency, long now)
        {
            _capacity = perSecond;
            _floor = -60.0 * perSecond;
            _perTick = (double)perSecond / frequency;
            _tokens = _capacity;
            _updatedAt = now;
        }

        /// <summary>Whether a lookup may start; <paramref name="suspensionStarted"/> when this refusal begins a suspension.</summary>
        public bool TryBegin(long now, out bool suspensionStarted)
        {
            lock (_lock)
            {
                Refill(now);
                suspensionStarted = false;
                if (_tokens > 0)
                {
                    return true;
                }

                suspensionStarted = !_suspended;
                _suspended = true;
                return false;
            }
        }

        public void Spend(long now)
        {
            lock (_lock)
            {
                Refill(now);
                _tokens = Math.Max(_floor, _tokens - 1);
            }
        }

        private void Refill(long now)
        {
            if (now > _updatedAt)
            {
                _tokens = Math.Min(_capacity, _tokens + ((now - _updatedAt) * _perTick));
                _updatedAt = now;
            }

            // A full bucket ends a suspension: the next one is logged again.
            if (_tokens >= _capacity)
            {
                _suspended = false;
            }
        }
    }
}
