using KeyPairAuth.Replay;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.Tests.Replay;

/// <summary>
/// The salted SHA-256 digest a pair is remembered by: salted per instance, computed over exactly the pair whatever its
/// size (on the stack up to 1 KB of input, in a pooled buffer beyond), so a replay always has the same digest.
/// </summary>
public sealed class InMemoryReplayCacheSaltedDigestTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private DateTimeOffset Until => _time.GetUtcNow().AddMinutes(5);

    [Fact]
    public void TryAdd_SamePairsInTwoCaches_SpreadOverTheShardsDifferently()
    {
        // Two shards of 4096 pairs, chosen by the digest: once one is full, the pairs refused are those whose digest
        // falls in it. Caches with the same digests would refuse the same pairs; each instance's random salt keeps
        // one instance's layout (which an attacker could probe) from predicting another's.
        var options = new InMemoryReplayCacheOptions { MaxEntries = 8192, MaxEntriesPerKey = 8192 };
        var first = new InMemoryReplayCache(_time, options);
        var second = new InMemoryReplayCache(_time, options);
        var refusedByFirst = new HashSet<int>();
        var refusedBySecond = new HashSet<int>();
        for (int i = 0; i < 8192 + 512; i++)
        {
            if (first.TryAdd("kpa_a", $"n{i}", Until) != ReplayCheckResult.Accepted)
            {
                refusedByFirst.Add(i);
            }

            if (second.TryAdd("kpa_a", $"n{i}", Until) != ReplayCheckResult.Accepted)
            {
                refusedBySecond.Add(i);
            }
        }

        Assert.Equal(2, first.ShardCount);
        Assert.NotEmpty(refusedByFirst);
        Assert.NotEmpty(refusedBySecond);
        Assert.False(refusedByFirst.SetEquals(refusedBySecond), "two caches refused exactly the same pairs: their digests are not salted apart");
    }

    [Fact]
    public void TryAdd_LongPairsOfOtherKeysInBetween_ALongPairIsStillAReplay()
    {
        // 1200-char nonces make inputs of about 2.4 KB, hashed in a buffer from the shared pool: whatever another
        // pair left in it must not change the next pair's digest.
        var cache = new InMemoryReplayCache(_time);
        string nonce = new('n', 1200);
        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", nonce, Until));

        foreach (string other in (string[])["kpa_bbbbbbbbbbbbbbbb", "kpa_cccccccccccccccc", "kpa_d"])
        {
            Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd(other, nonce, Until));
            Assert.Equal(ReplayCheckResult.Replayed, cache.TryAdd("kpa_a", nonce, Until));
        }
    }

    [Fact]
    public void TryAdd_NonceOfTenMegabytes_IsHashedOffTheStack()
    {
        var cache = new InMemoryReplayCache(_time);
        string nonce = new('n', 5 * 1024 * 1024);

        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", nonce, Until));
        Assert.Equal(ReplayCheckResult.Replayed, cache.TryAdd("kpa_a", nonce, Until));
    }

    [Fact]
    public void TryAdd_PairOverTheStackLimit_HashedInAPooledBufferWithoutAllocating()
    {
        var cache = new InMemoryReplayCache(_time);
        DateTimeOffset until = Until;
        string[] nonces = [.. Enumerable.Range(0, 2).Select(i => new string('n', 100_000) + i)];
        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", nonces[0], until));

        long before = GC.GetAllocatedBytesForCurrentThread();
        ReplayCheckResult result = cache.TryAdd("kpa_a", nonces[1], until);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ReplayCheckResult.Accepted, result);
        Assert.Equal(0, allocated);
    }
}
