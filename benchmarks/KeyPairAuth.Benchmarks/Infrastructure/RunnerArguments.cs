namespace KeyPairAuth.Benchmarks.Infrastructure;

/// <summary>The options every custom runner (ratios, alloc-profile, replay-memory) shares: <c>[--quick] [--out FILE]</c>.</summary>
internal static class RunnerArguments
{
    /// <summary>Gets the <c>--out</c> path, or <see langword="null"/> to print only.</summary>
    public static string? OutputPath(string[] args)
    {
        for (int i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--out")
            {
                return args[i + 1];
            }
        }

        return null;
    }

    /// <summary>Writes the markdown report to <paramref name="output"/> when one was given.</summary>
    public static async Task WriteReportAsync(string? output, string markdown)
    {
        if (output is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            await File.WriteAllTextAsync(output, markdown);
        }
    }
}
