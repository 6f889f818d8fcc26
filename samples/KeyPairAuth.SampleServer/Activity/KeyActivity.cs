using System.Collections.Concurrent;
using KeyPairAuth.Keys;

namespace KeyPairAuth.SampleServer.Activity;

/// <summary>
/// Counts signed requests per key over the last hour, by outcome (<c>accepted</c> or a refusal's error code), so an
/// owner can see a key being used — or a leaked key being tried. Bounded: at most <see cref="MaxTrackedKeys"/> keys, one
/// bucket per minute for 60 minutes, and outcomes come from a closed set of codes.
/// </summary>
/// <remarks>
/// Refusals before the signature verified name the key id the caller <em>claimed</em>: anyone can claim any id, so
/// those counts show attempts, not proof of a leak. Accepted requests and refusals after verification (revoked,
/// expired, replayed, scope missing) come from the key's holder.
/// </remarks>
public sealed class KeyActivity
{
    public const int MaxTrackedKeys = 10_000;
    public const string Accepted = "accepted";
    private const int Minutes = 60;

    private readonly ConcurrentDictionary<string, KeyCounters> _keys = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private long _untracked;

    public KeyActivity(TimeProvider timeProvider) => _timeProvider = timeProvider;

    /// <summary>Gets how many events were not counted because <see cref="MaxTrackedKeys"/> keys were already tracked.</summary>
    public long Untracked => Interlocked.Read(ref _untracked);

    public void Record(string? keyId, string outcome)
    {
        if (!KeyId.IsValid(keyId))
        {
            return;
        }

        long minute = CurrentMinute();
        if (!_keys.TryGetValue(keyId, out KeyCounters? counters))
        {
            if (_keys.Count >= MaxTrackedKeys)
            {
                Prune(minute);
                if (_keys.Count >= MaxTrackedKeys)
                {
                    Interlocked.Increment(ref _untracked);
                    return;
                }
            }

            counters = _keys.GetOrAdd(keyId, static _ => new KeyCounters());
        }

        counters.Add(minute, outcome);
    }

    /// <summary>Counts by outcome over the last hour (empty when the key had no traffic).</summary>
    public IReadOnlyDictionary<string, int> LastHour(string keyId) =>
        _keys.TryGetValue(keyId, out KeyCounters? counters) ? counters.Sum(CurrentMinute()) : new Dictionary<string, int>();

    private long CurrentMinute() => _timeProvider.GetUtcNow().ToUnixTimeSeconds() / 60;

    private void Prune(long minute)
    {
        foreach ((string keyId, KeyCounters counters) in _keys)
        {
            if (counters.LatestMinute <= minute - Minutes)
            {
                _keys.TryRemove(keyId, out _);
            }
        }
    }

    private sealed class KeyCounters
    {
        private readonly long[] _bucketMinute = new long[Minutes];
        private readonly Dictionary<string, int>[] _buckets = new Dictionary<string, int>[Minutes];
        private readonly Lock _lock = new();

        public long LatestMinute { get; private set; }

        public void Add(long minute, string outcome)
        {
            lock (_lock)
            {
                int index = (int)(minute % Minutes);
                Dictionary<string, int> bucket = _buckets[index] ??= new Dictionary<string, int>(StringComparer.Ordinal);
                if (_bucketMinute[index] != minute)
                {
                    bucket.Clear();
                    _bucketMinute[index] = minute;
                }

                bucket[outcome] = bucket.GetValueOrDefault(outcome) + 1;
                LatestMinute = Math.Max(LatestMinute, minute);
            }
        }

        public Dictionary<string, int> Sum(long minute)
        {
            var total = new Dictionary<string, int>(StringComparer.Ordinal);
            lock (_lock)
            {
                for (int i = 0; i < Minutes; i++)
                {
                    if (_buckets[i] is { } bucket && _bucketMinute[i] > minute - Minutes)
                    {
                        foreach ((string outcome, int count) in bucket)
                        {
                            total[outcome] = total.GetValueOrDefault(outcome) + count;
                        }
                    }
                }
            }

            return total;
        }
    }
}
