using System.Runtime.CompilerServices;
using KeyPairAuth.Replay;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace KeyPairAuth.Tests.Replay;

/// <summary>Runs alone: a whole-heap measurement must not see other tests' allocations.</summary>
[CollectionDefinition(nameof(ReplayMemoryMeasurement), DisableParallelization = true)]
public sealed class ReplayMemoryMeasurement;

[Collection(nameof(ReplayMemoryMeasurement))]
public sealed class InMemoryReplayCacheMemoryTests(ITestOutputHelper output)
{
    private const int Pairs = 200_000;

    private static readonly string[] KeyIds = [.. Enumerable.Range(0, 16).Select(i => $"kpa_{i:D16}")];

    [Fact]
    public void Slot_IsTwentyBytes()
    {
        Assert.Equal(20, InMemoryReplayCache.SlotSize);
    }

    [Fact]
    public async Task TryAddAsync_AtEveryFillLevel_TableStaysWithin64BytesPerPair()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var cache = new InMemoryReplayCache(time, new InMemoryReplayCacheOptions { MaxEntries = 8_000, MaxEntriesPerKey = 8_000 });
        DateTimeOffset until = time.GetUtcNow() + TimeSpan.FromMinutes(5);
        Assert.Equal(1, cache.ShardCount);

        for (int pairs = 1; pairs <= 8_000; pairs++)
        {
            Assert.Equal(ReplayCheckResult.Accepted, await cache.TryAddAsync("kpa_a", $"nonce-{pairs}", until));
            if (pairs >= 16)
            {
                Assert.True(cache.SlotCapacity * InMemoryReplayCache.SlotSize <= 64L * pairs, $"{cache.SlotCapacity} slots for {pairs} pairs");
            }
        }
    }

    [Fact]
    public void TryAddAsync_200kDistinctNonces_RetainsAtMost64BytesEach()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

        long before = GC.GetTotalMemory(forceFullCollection: true);
        InMemoryReplayCache cache = Fill(time);
        long after = GC.GetTotalMemory(forceFullCollection: true);

        double measured = (double)(after - before) / Pairs;
        double structural = (double)cache.SlotCapacity * InMemoryReplayCache.SlotSize / Pairs;
        Assert.Equal(Pairs, cache.Count);
        GC.KeepAlive(cache);
        output.WriteLine($"{Pairs} pairs, {cache.ShardCount} shards, {cache.SlotCapacity} slots, {cache.KeyShareBytes} B of per-key counters: table {structural:F1} B/pair, heap {measured:F1} B/pair");

        Assert.True(structural <= 64, $"table holds {structural:F1} bytes per pair");
        Assert.True(measured <= 64, $"heap grew by {measured:F1} bytes per pair");
    }

    // Not inlined: the nonce strings must be unreachable garbage when the heap is measured.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static InMemoryReplayCache Fill(FakeTimeProvider time)
    {
        var cache = new InMemoryReplayCache(time);
        DateTimeOffset until = time.GetUtcNow() + TimeSpan.FromMinutes(5);
        for (int i = 0; i < Pairs; i++)
        {
            // Default options, so the per-key share (a tenth) applies: the pairs come from sixteen keys.
            ValueTask<ReplayCheckResult> result = cache.TryAddAsync(KeyIds[i % KeyIds.Length], $"nonce-{i}", until);
            if (!result.IsCompletedSuccessfully || result.Result != ReplayCheckResult.Accepted)
            {
                throw new InvalidOperationException($"pair {i} not accepted");
            }
        }

        return cache;
    }
}
