using System.Diagnostics;

namespace KeyPairAuth.SampleServer.Tests.Infrastructure;

/// <summary>
/// Runs a sample program from its own build output (<c>dotnet samples/X/bin/.../X.dll args</c>), as <c>dotnet run</c>
/// would, and collects its output, bounded in time.
/// </summary>
public static class ProcessRunner
{
    public sealed record Result(int ExitCode, string Output, string Error);

    /// <summary>The sample's own output folder, same configuration and framework as the tests (built by the project reference).</summary>
    public static string SampleAssembly(string project)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = testOutput.Name;
        string configuration = testOutput.Parent!.Name;
        string root = Artifacts.RepositoryRoot;
        return Path.Combine(root, "samples", project, "bin", configuration, framework, project + ".dll");
    }

    public static async Task<Result> RunAsync(string project, IEnumerable<string> args, IDictionary<string, string?>? environment = null)
    {
        string path = SampleAssembly(project);
        Assert.True(File.Exists(path), $"sample not built: {path}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(path);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Start from a clean slate: no key or server inherited from the environment running the tests.
        start.Environment.Remove("KEYPAIRAUTH_SECRET");
        start.Environment.Remove("KEYPAIRAUTH_SERVER");
        foreach ((string name, string? value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new Result(process.ExitCode, await output, await error);
    }
}
