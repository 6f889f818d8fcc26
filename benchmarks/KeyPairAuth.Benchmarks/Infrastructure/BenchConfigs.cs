using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace KeyPairAuth.Benchmarks.Infrastructure;

/// <summary>The two BenchmarkDotNet configurations: the full one behind committed results, and the quick smoke run.</summary>
internal static class BenchConfigs
{
    /// <summary>
    /// Full run: the iteration settings of the baseline measurements (1 launch, 5 warm-up, 15 measured iterations,
    /// default 500 ms per iteration, Release) plus MemoryDiagnoser and GitHub-markdown reports. In-process: on the
    /// shared 2-core machine BenchmarkDotNet's out-of-process boilerplate build (a full rebuild of the solution without
    /// shared compilation) regularly exceeded its 2-minute build timeout; the host is a Release build with the same
    /// runtime and GC settings, so only process isolation between suites is lost (run.sh runs one suite per process).
    /// </summary>
    public static IConfig Full(string artifactsPath) =>
        Common(artifactsPath)
            .AddJob(Job.Default
                .WithLaunchCount(1)
                .WithWarmupCount(5)
                .WithIterationCount(15)
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithId("Full"));

    /// <summary>
    /// Quick run: in-process (no extra build), 1 warm-up and 3 iterations of 100 ms. Numbers are indicative only;
    /// it exists to prove that every suite still runs and to eyeball ratios.
    /// </summary>
    public static IConfig Quick(string artifactsPath) =>
        Common(artifactsPath)
            .AddJob(Job.Default
                .WithLaunchCount(1)
                .WithWarmupCount(1)
                .WithIterationCount(3)
                .WithIterationTime(TimeInterval.FromMilliseconds(100))
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithId("Quick"));

    private static ManualConfig Common(string artifactsPath) =>
        ManualConfig.CreateEmpty()
            .AddLogger(ConsoleLogger.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddColumn(RankColumn.Arabic)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddExporter(MarkdownExporter.GitHub)
            .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Value))
            .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared))
            .WithArtifactsPath(artifactsPath)
            .WithOptions(ConfigOptions.DisableLogFile | ConfigOptions.StopOnFirstError);
}
