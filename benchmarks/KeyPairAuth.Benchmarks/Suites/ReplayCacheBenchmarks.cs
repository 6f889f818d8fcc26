using BenchmarkDotNet.Attributes;
using KeyPairAuth.Benchmarks.Infrastructure;
using KeyPairAuth.Replay;

namespace KeyPairAuth.Benchmarks.Suites;

/// <summary>
/// Replay cache: <see cref="InMemoryReplayCache.TryAddAsync"/> check-and-set throughput. Each invocation performs a
/// batch of operations (reported per operation). "New pair" rows insert nonces never seen by the current cache: a
/// pool of distinct nonces is cycled, and when it wraps a fresh cache replaces the old one (creation and growth are
/// included, amortised). "Replayed" rows look up pairs already remembered. The multi-threaded row runs one batch per
/// core in parallel, each thread on its own nonces; its time per operation is wall time, so a value below the
/// single-threaded row means the shards scale. Bytes per remembered nonce are measured separately
/// (<c>run.sh replay-memory</c>), because they need a whole-heap measurement, not a per-operation one.
/// </summary>
[BenchmarkCategory("Replay")]
public class ReplayCacheBenchmarks
{
    private const int Batch = 1024;
    private const int PoolSize = 1 << 17;
    private const int Threads = 2;

    private readonly FixedTimeProvider _time = new(TimeProvider.System.GetUtcNow());
    private string[] _nonces = null!;
    private InMemoryReplayCache _fresh = null!;
    private InMemoryReplayCache _full = null!;
    private DateTimeOffset _until;
    private int _cursor;
    private int _replayCursor;

    [GlobalSetup]
    public void Setup()
    {
        _nonces = new string[PoolSize];
        for (int i = 0; i < _nonces.Length; i++)
        {
            _nonces[i] = Fixtures.NewNonce();
        }

        _until = _time.GetUtcNow().AddMinutes(6);
        _fresh = NewCache();
        _full = NewCache();
        foreach (string nonce in _nonces)
        {
            Fixtures.Require(_full.TryAddAsync(Fixtures.KeyId, nonce, _until).Result == ReplayCheckResult.Accepted, "a new pair is accepted");
        }

        Fixtures.Require(_full.TryAddAsync(Fixtures.KeyId, _nonces[0], _until).Result == ReplayCheckResult.Replayed, "a replay is refused");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "TryAdd new pair, 1 thread")]
    public int AddNewSingleThread()
    {
        int start = Reserve(Batch);
        return AddRange(_fresh, start, Batch, ReplayCheckResult.Accepted);
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "TryAdd replayed pair, 1 thread")]
    public int AddReplayedSingleThread()
    {
        int start = _replayCursor;
        _replayCursor = (start + Batch) % PoolSize;
        return AddRange(_full, start, Batch, ReplayCheckResult.Replayed);
    }

    [Benchmark(OperationsPerInvoke = Batch * Threads, Description = "TryAdd new pair, 2 threads in parallel (wall time per op)")]
    public int AddNewMultiThread()
    {
        int start = Reserve(Batch * Threads);
        int total = 0;
        Parallel.For(0, Threads, t => Interlocked.Add(ref total, AddRange(_fresh, start + (t * Batch), Batch, ReplayCheckResult.Accepted)));
        return total;
    }

    private int Reserve(int count)
    {
        if (_cursor + count > PoolSize)
        {
            _cursor = 0;
            _fresh = NewCache();
        }

        int start = _cursor;
        _cursor += count;
        return start;
    }

    private int AddRange(InMemoryReplayCache cache, int start, int count, ReplayCheckResult expected)
    {
        int ok = 0;
        for (int i = start; i < start + count; i++)
        {
            if (cache.TryAddAsync(Fixtures.KeyId, _nonces[i], _until).Result == expected)
            {
                ok++;
            }
        }

        return ok == count ? ok : throw new InvalidOperationException($"expected {expected} for every pair, got {ok}/{count}");
    }

    // One key inserts the whole pool: it may hold half the cache, so the per-key counters run (as in production) but
    // never refuse a benchmark pair.
    private InMemoryReplayCache NewCache() => new(_time, new InMemoryReplayCacheOptions { MaxEntries = 1_000_000, MaxEntriesPerKey = 500_000 });
}
