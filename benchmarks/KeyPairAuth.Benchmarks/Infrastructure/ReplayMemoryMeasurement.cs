using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using KeyPairAuth.Replay;

namespace KeyPairAuth.Benchmarks.Infrastructure;

/// <summary>
/// Bytes per remembered nonce: the managed heap growth (<see cref="GC.GetTotalMemory(bool)"/> after full collections)
/// from inserting N distinct (key id, nonce) pairs into an empty cache, divided by N. The nonce strings are created
/// before the first measurement and stay alive throughout, so they are not counted: they belong to the requests, and the
/// cache does not keep them. For comparison, the same for a naive <see cref="ConcurrentDictionary{TKey, TValue}"/> keyed by
/// "keyid:nonce" (which must keep the string).
/// </summary>
internal static class ReplayMemoryMeasurement
{
    private static readonly string[] KeyIds = [.. Enumerable.Range(0, 16).Select(i => $"kpa_bench{i:D11}")];

    public static async Task<int> RunAsync(string[] args)
    {
        bool quick = args.Contains("--quick");
        string? output = RunnerArguments.OutputPath(args);

        int[] sizes = quick ? [10_000, 100_000] : [10_000, 100_000, 900_000];
        var time = new FixedTimeProvider(TimeProvider.System.GetUtcNow());
        DateTimeOffset until = time.GetUtcNow().AddMinutes(6);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("# Replay cache: bytes per remembered nonce");
        sb.AppendLine();
        sb.AppendLine(inv, $"Command: `benchmarks/run.sh{(quick ? " --quick" : string.Empty)} replay-memory`. .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, workstation GC.");
        sb.AppendLine();
        sb.AppendLine("Heap growth after full GCs from inserting N distinct 22-character base64url nonces (spread over 16 key ids, so the default");
        sb.AppendLine("per-key share of a tenth is never reached) into an empty cache with the default options (MaxEntries 1,000,000, so 64");
        sb.AppendLine("shards). Nonce strings are allocated beforehand and not counted (the cache keeps 128-bit digests, not the strings). The");
        sb.AppendLine("table grows by doubling and stays at most 3/4 full, so bytes per nonce between slot size ÷ 0.75 and slot size ÷ 0.375 are");
        sb.AppendLine("expected depending on where N falls between two doublings, plus the fixed per-key counters (96 KB) spread over N.");
        sb.AppendLine();
        sb.AppendLine("| implementation | N | heap growth | bytes per nonce | table slots × slot size ÷ N |");
        sb.AppendLine("|---|---:|---:|---:|---:|");
        foreach (int n in sizes)
        {
            string[] nonces = new string[n];
            for (int i = 0; i < n; i++)
            {
                nonces[i] = Fixtures.NewNonce();
            }

            long before = Settle();
            var cache = new InMemoryReplayCache(time);
            for (int i = 0; i < n; i++)
            {
                Fixtures.Require(await cache.TryAddAsync(KeyIds[i % KeyIds.Length], nonces[i], until) == ReplayCheckResult.Accepted, "accepted");
            }

            long after = Settle();
            double slotBytes = (double)cache.SlotCapacity * InMemoryReplayCache.SlotSize / n;
            sb.AppendLine(inv, $"| InMemoryReplayCache | {n:N0} | {after - before:N0} B | **{(after - before) / (double)n:F1}** | {slotBytes:F1} ({cache.SlotCapacity:N0} × {InMemoryReplayCache.SlotSize} B) |");
            GC.KeepAlive(cache);
            cache = null;

            before = Settle();
            var naive = new ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            for (int i = 0; i < n; i++)
            {
                naive.TryAdd(KeyIds[i % KeyIds.Length] + ":" + nonces[i], until);
            }

            after = Settle();
            sb.AppendLine(inv, $"| naive ConcurrentDictionary<string, DateTimeOffset> | {n:N0} | {after - before:N0} B | {(after - before) / (double)n:F1} | — |");
            GC.KeepAlive(naive);
            GC.KeepAlive(nonces);
        }

        string markdown = sb.ToString();
        Console.WriteLine(markdown);
        await RunnerArguments.WriteReportAsync(output, markdown);

        return 0;
    }

    private static long Settle()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
