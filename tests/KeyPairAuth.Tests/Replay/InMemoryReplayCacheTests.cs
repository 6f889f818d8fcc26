using KeyPairAuth.Replay;
using KeyPairAuth.Signatures;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.Tests.Replay;

public sealed class InMemoryReplayCacheTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task TryAddAsync_SamePairTwice_AcceptsThenReportsReplay()
    {
        var cache = new InMemoryReplayCache(_time);

        Assert.Equal(ReplayCheckResult.Accepted, await cache.TryAddAsync("kpa_a", "n1", _time.GetUtcNow() + Window));
        Assert.Equal(ReplayCheckResult.Replayed, await cache.TryAddAsync("kpa_a", "n1", _time.GetUtcNow() + Window));
    }

    [Fact]
    public async Task TryAddAsync_SameNonceDifferentKeyIds_AreIndependent()
    {
        var cache = new InMemoryReplayCache(_time);
        DateTimeOffset until = _time.GetUtcNow() + Window;

        Assert.Equal(ReplayCheckResult.Accepted, await cache.TryAddAsync("kpa_a", "n1", until));
        Assert.Equal(ReplayCheckResult.Accepted, await cache.TryAddAsync("kpa_b", "n1", until));
        Assert.Equal(ReplayCheckResult.Accepted, await cache.TryAddAsync("kpa_a", "n2", until));
    }

    [Fact]
    public async Task TryAddAsync_SplitBetweenKeyIdAndNonceMoved_IsADifferentPair()
    {
        var cache = new InMemoryReplayCache(_time);
        DateTimeOffset until = _time.GetUtcNow() + Window;

        Assert.Equal(ReplayCheckResult.Accepted, await cache.TryAddAsync("ab", "c", until));
        Assert.Equal(ReplayCheckResult.Accepted, await cache.TryAddAsync("a", "bc", until));
    }

    [Fact]
    public async Task TryAddAsync_BeforeRememberUntil_StillReplayed()
    {
        var cache = new InMemoryReplayCache(_time);
        await cache.TryAddAsync("kpa_a", "n1", _time.GetUtcNow() + Window);

        _time.Advance(Window - TimeSpan.FromMilliseconds(1));

        Assert.Equal(ReplayCheckResult.Replayed, await cache.TryAddAsync("kpa_a", "n1", _time.GetUtcNow() + Window));
    }

    [Fact]
    public async Task TryAddAsync_AfterRememberUntil_PairIsForgottenAndCountDrops()
    {
        var cache = new InMemoryReplayCache(_time);
        for (int i = 0; i < 1000; i++)
        {
            await cache.TryAddAsync("kpa_a", $"n{i}", _time.GetUtcNow() + Window);
        }

        Assert.Equal(1000, cache.Count);

        _time.Advance(Window + TimeSpan.FromSeconds(1));

        Assert.Equal(0, cache.Count);
        Assert.Equal(ReplayCheckResult.Accepted, await cache.TryAddAsync("kpa_a", "n0", _time.GetUtcNow() + Window));
    }

    [Fact]
    public async Task TrimExpired_AfterWindow_ReleasesTableMemory()
    {
        var cache = new InMemoryReplayCache(_time);
        for (int i = 0; i < 10_000; i++)
        {
            await cache.TryAddAsync("kpa_a", $"n{i}", _time.GetUtcNow() + Window);
        }

        long slotsWhenFull = cache.SlotCapacity;
        _time.Advance(Window + TimeSpan.FromSeconds(1));
        cache.TrimExpired();

        Assert.True(slotsWhenFull >= 10_000);
        Assert.Equal(16 * cache.ShardCount, cache.SlotCapacity);
    }

    [Fact]
    public async Task TryAddAsync_ExpiredEntries_AreReclaimedByInsertsWithoutGrowing()
    {
        var cache = new InMemoryReplayCache(_time);

        // Ten windows of steady traffic: the table stays sized for one window, not ten.
        for (int window = 0; window < 10; window++)
        {
            for (int i = 0; i < 2_000; i++)
            {
                await cache.TryAddAsync("kpa_a", $"w{window}n{i}", _time.GetUtcNow() + Window);
            }

            _time.Advance(Window + TimeSpan.FromSeconds(1));
        }

        Assert.InRange(cache.SlotCapacity, 2_000, 8_192);
    }

    [Fact]
    public async Task TryAddAsync_Full_ReturnsCapacityExceededWithoutEvicting()
    {
        // One key may hold the whole cache here: this is about the global capacity, not the per-key share.
        var cache = new InMemoryReplayCache(_time, new InMemoryReplayCacheOptions { MaxEntries = 1000, MaxEntriesPerKey = 1000 });
        DateTimeOffset until = _time.GetUtcNow() + Window;
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(ReplayCheckResult.Accepted, await cache.TryAddAsync("kpa_a", $"n{i}", until));
        }

        Assert.Equal(ReplayCheckResult.CapacityExceeded, await cache.TryAddAsync("kpa_a", "one-too-many", until));

        // Every remembered pair is still a replay: nothing was silently evicted.
        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(ReplayCheckResult.Replayed, await cache.TryAddAsync("kpa_a", $"n{i}", until));
        }

        Assert.Equal(1000, cache.Count);
    }

    [Fact]
    public async Task TryAddAsync_FullThenWindowPasses_AcceptsAgain()
    {
        var cache = new InMemoryReplayCache(_time, new InMemoryReplayCacheOptions { MaxEntries = 100, MaxEntriesPerKey = 100 });
        for (int i = 0; i < 100; i++)
        {
            await cache.TryAddAsync("kpa_a", $"n{i}", _time.GetUtcNow() + Window);
        }

        Assert.Equal(ReplayCheckResult.CapacityExceeded, await cache.TryAddAsync("kpa_a", "next", _time.GetUtcNow() + Window));

        _time.Advance(Window + TimeSpan.FromSeconds(1));

        Assert.Equal(ReplayCheckResult.Accepted, await cache.TryAddAsync("kpa_a", "next", _time.GetUtcNow() + Window));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task TryAddAsync_FullWithSomeExpired_ReclaimsOnlyExpired()
    {
        var cache = new InMemoryReplayCache(_time, new InMemoryReplayCacheOptions { MaxEntries = 100, MaxEntriesPerKey = 100 });
        for (int i = 0; i < 50; i++)
        {
            await cache.TryAddAsync("kpa_a", $"short{i}", _time.GetUtcNow() + TimeSpan.FromSeconds(10));
        }

        for (int i = 0; i < 50; i++)
        {
            await cache.TryAddAsync("kpa_a", $"long{i}", _time.GetUtcNow() + Window);
        }

        _time.Advance(TimeSpan.FromSeconds(11));
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(ReplayCheckResult.Accepted, await cache.TryAddAsync("kpa_a", $"new{i}", _time.GetUtcNow() + Window));
        }

        Assert.Equal(ReplayCheckResult.CapacityExceeded, await cache.TryAddAsync("kpa_a", "extra", _time.GetUtcNow() + Window));
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(ReplayCheckResult.Replayed, await cache.TryAddAsync("kpa_a", $"long{i}", _time.GetUtcNow() + Window));
        }
    }

    [Fact]
    public async Task TryAddAsync_DefaultCapacityManyShards_NeverHoldsMoreThanMaxEntries()
    {
        var cache = new InMemoryReplayCache(_time, new InMemoryReplayCacheOptions { MaxEntries = 20_000, MaxEntriesPerKey = 20_000 });
        DateTimeOffset until = _time.GetUtcNow() + Window;
        int accepted = 0;
        for (int i = 0; i < 25_000; i++)
        {
            if (await cache.TryAddAsync("kpa_a", $"n{i}", until) == ReplayCheckResult.Accepted)
            {
                accepted++;
            }
        }

        Assert.True(cache.ShardCount > 1);
        Assert.InRange(accepted, 18_000, 20_000);
        Assert.Equal(accepted, cache.Count);
    }

    [Fact]
    public void TryAdd_OneKeyFloodsTheCache_AnotherKeyIsStillAccepted()
    {
        var cache = new InMemoryReplayCache(_time, new InMemoryReplayCacheOptions { MaxEntries = 10_000 });
        DateTimeOffset until = _time.GetUtcNow().AddMinutes(6);
        int accepted = 0;
        int rateLimited = 0;
        for (int i = 0; i < 20_000; i++)
        {
            switch (cache.TryAdd("kpa_noisyTenant00000", HttpMessageSigner.NewNonce(), until))
            {
                case ReplayCheckResult.Accepted:
                    accepted++;
                    break;
                case ReplayCheckResult.RateLimited:
                    rateLimited++;
                    break;
            }
        }

        ReplayCheckResult victim = cache.TryAdd("kpa_otherTenant00000", HttpMessageSigner.NewNonce(), until);
        Assert.True(victim == ReplayCheckResult.Accepted, $"after one key stored {accepted} nonces, another tenant's request got {victim} (503) for the rest of the window");

        // The noisy key is told to slow down (429), not the whole server to go away (503).
        Assert.Equal(20_000 - accepted, rateLimited);
        Assert.InRange(accepted, 1, 10_000 / 2);
    }

    [Fact]
    public void TryAdd_KeyOverItsShare_IsRateLimitedUntilItsPairsExpire_OtherKeysUnaffected()
    {
        var cache = new InMemoryReplayCache(_time, new InMemoryReplayCacheOptions { MaxEntries = 1000, MaxEntriesPerKey = 100 });
        DateTimeOffset until = _time.GetUtcNow() + Window;
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_noisy", $"n{i}", until));
        }

        Assert.Equal(ReplayCheckResult.RateLimited, cache.TryAdd("kpa_noisy", "one-too-many", until));
        for (int k = 0; k < 9; k++)
        {
            for (int i = 0; i < 100; i++)
            {
                Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd($"kpa_other{k}", $"n{i}", until));
            }
        }

        // The noisy key's remembered pairs are still replays (nothing was evicted to make room for others).
        Assert.Equal(1000, cache.Count);

        // Once its pairs expire (counted for up to about a minute more), the key gets its share back.
        _time.Advance(Window + TimeSpan.FromMinutes(2));
        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_noisy", "later", _time.GetUtcNow() + Window));
    }

    [Fact]
    public void TryAdd_ReplaysAndRefusals_DoNotCountAgainstTheShare()
    {
        var cache = new InMemoryReplayCache(_time, new InMemoryReplayCacheOptions { MaxEntries = 1000, MaxEntriesPerKey = 10 });
        DateTimeOffset until = _time.GetUtcNow() + Window;
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", $"n{i}", until));
        }

        for (int round = 0; round < 20; round++)
        {
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal(ReplayCheckResult.Replayed, cache.TryAdd("kpa_a", $"n{i}", until));
            }
        }

        for (int i = 5; i < 10; i++)
        {
            Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", $"n{i}", until));
        }

        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(ReplayCheckResult.RateLimited, cache.TryAdd("kpa_a", $"extra{i}", until));
        }

        Assert.Equal(10, cache.Count);
    }

    [Fact]
    public void TryAdd_DefaultShare_IsATenthOfTheCapacity()
    {
        var cache = new InMemoryReplayCache(_time, new InMemoryReplayCacheOptions { MaxEntries = 1000 });
        DateTimeOffset until = _time.GetUtcNow() + Window;
        int accepted = 0;
        while (cache.TryAdd("kpa_a", $"n{accepted}", until) == ReplayCheckResult.Accepted)
        {
            accepted++;
        }

        Assert.Equal(100, accepted);
        Assert.Equal(100, cache.MaxEntriesPerKey);
        Assert.Equal(100_000, new InMemoryReplayCache(_time).MaxEntriesPerKey);
    }

    [Fact]
    public void TryAdd_ShareEqualToCapacity_NoPerKeyLimitAndNoCounters()
    {
        var cache = new InMemoryReplayCache(_time, new InMemoryReplayCacheOptions { MaxEntries = 100, MaxEntriesPerKey = 100 });
        DateTimeOffset until = _time.GetUtcNow() + Window;
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", $"n{i}", until));
        }

        Assert.Equal(ReplayCheckResult.CapacityExceeded, cache.TryAdd("kpa_a", "n100", until));
        Assert.Equal(0, cache.KeyShareBytes);
    }

    [Fact]
    public void TryAdd_ManyModestKeysBesideOneAtItsShare_NoneIsRateLimited()
    {
        var cache = new InMemoryReplayCache(_time, new InMemoryReplayCacheOptions { MaxEntries = 100_000, MaxEntriesPerKey = 1000 });
        DateTimeOffset until = _time.GetUtcNow() + Window;
        while (cache.TryAdd("kpa_noisy", HttpMessageSigner.NewNonce(), until) == ReplayCheckResult.Accepted)
        {
        }

        var refused = new List<string>();
        for (int k = 0; k < 500; k++)
        {
            for (int i = 0; i < 100; i++)
            {
                ReplayCheckResult result = cache.TryAdd($"kpa_{k:D16}", $"n{i}", until);
                if (result != ReplayCheckResult.Accepted)
                {
                    refused.Add($"key {k} pair {i}: {result}");
                    break;
                }
            }
        }

        Assert.Empty(refused);
        Assert.Equal(1000 + (500 * 100), cache.Count);
    }

    [Fact]
    public void TryAdd_PairsSpreadOverTime_ShareFollowsWhatIsStillRemembered()
    {
        // A steady key: 50 pairs a minute, each remembered 5 minutes, so about 250 held at once; a share of 400 is never hit.
        var cache = new InMemoryReplayCache(_time, new InMemoryReplayCacheOptions { MaxEntries = 4000, MaxEntriesPerKey = 400 });
        for (int minute = 0; minute < 60; minute++)
        {
            for (int i = 0; i < 50; i++)
            {
                Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_steady", $"m{minute}n{i}", _time.GetUtcNow() + Window));
            }

            _time.Advance(TimeSpan.FromMinutes(1));
        }
    }

    [Theory]
    [InlineData(0, null, "InMemoryReplayCacheOptions.MaxEntries")]
    [InlineData(100, 0, "InMemoryReplayCacheOptions.MaxEntriesPerKey")]
    [InlineData(100, 101, "InMemoryReplayCacheOptions.MaxEntriesPerKey")]
    public void Constructor_OptionOutOfRange_ThrowsNamingSetting(int maxEntries, int? perKey, string setting)
    {
        var options = new InMemoryReplayCacheOptions { MaxEntries = maxEntries, MaxEntriesPerKey = perKey };

        ArgumentOutOfRangeException ex = Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryReplayCache(_time, options));
        Assert.Equal(setting, ex.ParamName);

        Microsoft.Extensions.Options.ValidateOptionsResult result = new InMemoryReplayCacheOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.StartsWith(setting + " must be", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryAddAsync_RememberUntilInThePast_StillRemembersBriefly()
    {
        var cache = new InMemoryReplayCache(_time);
        DateTimeOffset past = _time.GetUtcNow() - TimeSpan.FromMinutes(1);

        Assert.Equal(ReplayCheckResult.Accepted, await cache.TryAddAsync("kpa_a", "n1", past));
        Assert.Equal(ReplayCheckResult.Replayed, await cache.TryAddAsync("kpa_a", "n1", past));
    }

    [Fact]
    public async Task TryAddAsync_LongNonce_IsHandled()
    {
        var cache = new InMemoryReplayCache(_time);
        string nonce = new('n', 10_000);

        Assert.Equal(ReplayCheckResult.Accepted, await cache.TryAddAsync("kpa_a", nonce, _time.GetUtcNow() + Window));
        Assert.Equal(ReplayCheckResult.Replayed, await cache.TryAddAsync("kpa_a", nonce, _time.GetUtcNow() + Window));
        Assert.Equal(ReplayCheckResult.Accepted, await cache.TryAddAsync("kpa_a", nonce + "x", _time.GetUtcNow() + Window));
    }

    [Fact]
    public async Task TryAddAsync_CancelledToken_ReturnsCancelledWithoutRemembering()
    {
        var cache = new InMemoryReplayCache(_time);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.TryAddAsync("kpa_a", "n1", _time.GetUtcNow() + Window, cts.Token).AsTask());
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Constructor_NullTimeProvider_ThrowsArgumentNull()
    {
        ArgumentNullException ex = Assert.Throws<ArgumentNullException>(() => new InMemoryReplayCache(null!));
        Assert.Equal("timeProvider", ex.ParamName);
    }

    [Fact]
    public async Task TryAddAsync_NullKeyIdOrNonce_ThrowsArgumentNullWithoutRemembering()
    {
        var cache = new InMemoryReplayCache(_time);
        DateTimeOffset until = _time.GetUtcNow() + Window;

        ArgumentNullException keyId = await Assert.ThrowsAsync<ArgumentNullException>(async () => await cache.TryAddAsync(null!, "n1", until));
        ArgumentNullException nonce = await Assert.ThrowsAsync<ArgumentNullException>(async () => await cache.TryAddAsync("kpa_a", null!, until));

        Assert.Equal("keyId", keyId.ParamName);
        Assert.Equal("nonce", nonce.ParamName);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void AfterProbe_RunsForANewPairBeforeItIsRemembered_AndNotForAReplay()
    {
        // The many-thread test widens the race window through this seam: it must run between the lookup and the insert.
        var cache = new InMemoryReplayCache(_time);
        var countsSeen = new List<int>();
        cache.AfterProbe = () => countsSeen.Add(cache.Count);
        DateTimeOffset until = _time.GetUtcNow() + Window;

        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", "n1", until));
        Assert.Equal(ReplayCheckResult.Replayed, cache.TryAdd("kpa_a", "n1", until));
        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", "n2", until));

        Assert.Equal([0, 1], countsSeen);
    }

    [Fact]
    public void Constructor_NonPositiveMaxEntries_ThrowsNamingSetting()
    {
        ArgumentOutOfRangeException ex = Assert.Throws<ArgumentOutOfRangeException>(
            () => new InMemoryReplayCache(_time, new InMemoryReplayCacheOptions { MaxEntries = 0 }));
        Assert.Contains("MaxEntries", ex.ParamName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryAddAsync_NewPairWithoutTableGrowth_DoesNotAllocate()
    {
        var cache = new InMemoryReplayCache(_time);
        DateTimeOffset until = _time.GetUtcNow() + Window;
        await cache.TryAddAsync("kpa_a", "warm-up", until);
        const string Nonce = "fresh-nonce";

        long before = GC.GetAllocatedBytesForCurrentThread();
        ValueTask<ReplayCheckResult> result = cache.TryAddAsync("kpa_a", Nonce, until);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(result.IsCompletedSuccessfully);
        Assert.Equal(ReplayCheckResult.Accepted, await result);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void TryAddAsync_SamePairFromManyThreadsAtOnce_AcceptedExactlyOncePerRound()
    {
        const int Threads = 64;
        const int Rounds = 20;
        // The seam yields between the lookup and the insert, so without the shard lock several threads would all
        // find the pair absent and all accept it; with the lock the others wait and then see it.
        var cache = new InMemoryReplayCache(_time) { AfterProbe = () => Thread.Sleep(1) };
        DateTimeOffset until = _time.GetUtcNow() + Window;
        var results = new ReplayCheckResult[Rounds, Threads];

        // Each round every thread is released by the barrier at the same moment and submits the same pair.
        using var barrier = new Barrier(Threads);
        Thread[] threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            for (int round = 0; round < Rounds; round++)
            {
                barrier.SignalAndWait();
                ValueTask<ReplayCheckResult> attempt = cache.TryAddAsync("kpa_a", $"round-{round}", until);
                results[round, t] = attempt.IsCompletedSuccessfully ? attempt.Result : default;
            }
        })).ToArray();
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        for (int round = 0; round < Rounds; round++)
        {
            ReplayCheckResult[] row = Enumerable.Range(0, Threads).Select(t => results[round, t]).ToArray();
            Assert.Equal(1, row.Count(r => r == ReplayCheckResult.Accepted));
            Assert.Equal(Threads - 1, row.Count(r => r == ReplayCheckResult.Replayed));
        }
    }
}
