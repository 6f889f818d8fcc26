using BenchmarkDotNet.Running;
using KeyPairAuth.Benchmarks.EndToEnd;
using KeyPairAuth.Benchmarks.Infrastructure;

namespace KeyPairAuth.Benchmarks;

/// <summary>
/// Entry point. <c>e2e [--quick] [--out FILE]</c> runs the end-to-end Kestrel runner; anything else goes to
/// BenchmarkDotNet's <see cref="BenchmarkSwitcher"/> (e.g. <c>--filter *Verify*</c>). <c>--quick</c> selects the
/// short in-process job; <c>--artifacts DIR</c> sets where BenchmarkDotNet writes its reports.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "e2e")
        {
            return await EndToEndRunner.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "ratios")
        {
            return await PairedRatios.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "alloc-profile")
        {
            return await AllocationProfile.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "handler-profile")
        {
            return await Suites.HandlerBenchmarks.ProfileAsync();
        }

        if (args.Length > 0 && args[0] == "store")
        {
            return await Stores.StoreRunner.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "redis")
        {
            return await Redis.RedisReplayMeasurement.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "replay-memory")
        {
            return await ReplayMemoryMeasurement.RunAsync(args[1..]);
        }

        bool quick = args.Contains("--quick");
        string artifacts = "BenchmarkDotNet.Artifacts";
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--quick")
            {
                continue;
            }

            if (args[i] == "--artifacts" && i + 1 < args.Length)
            {
                artifacts = args[++i];
                continue;
            }

            rest.Add(args[i]);
        }

        var config = quick ? BenchConfigs.Quick(artifacts) : BenchConfigs.Full(artifacts);
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run([.. rest], config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
