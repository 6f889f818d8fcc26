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
    /// Full run: the job used for <c>perf-baseline.md</c> (1 launch, 5 warm-up, 15 measured iterations, default
    /// 500 ms per iteration, out-of-process, Release) plus MemoryDiagnoser and GitHub-markdown reports.
    /// </summary>
    public static IConfig Full(string artifactsPath) =>
        Common(artifactsPath)
            .AddJob(Job.Default
                .WithLaunchCount(1)
                .WithWarmupCount(5)
                .WithIterationCount(15)
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
