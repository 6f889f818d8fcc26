using System.Diagnostics;

namespace KeyPairAuth.Samples.Tests;

/// <summary>Runs the README's demo as a process: the run command must keep working and keep telling the truth.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task Demo_RunsEveryStepAsDescribed_AndExitsZero()
    {
        string demo = Path.Combine(AppContext.BaseDirectory, "KeyPairAuth.Samples.Demo.dll");
        Assert.True(File.Exists(demo), $"demo not built next to the tests: {demo}");

        var start = new ProcessStartInfo("dotnet", [demo])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
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

        string stdout = await output;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{stdout}\n{await error}");
        Assert.Contains("ok   signed GET: 200", stdout, StringComparison.Ordinal);
        Assert.Contains("ok   signed POST with Content-Digest: 200", stdout, StringComparison.Ordinal);
        Assert.Contains("ok   unsigned GET is refused: 401 error=missing_signature", stdout, StringComparison.Ordinal);
        Assert.Contains("ok   signature moved to another query is refused: 401 error=invalid_signature", stdout, StringComparison.Ordinal);
        Assert.Contains("ok   the same request replayed is refused: 401 error=replayed_nonce", stdout, StringComparison.Ordinal);
        Assert.Contains("ok   after revocation: 401 error=key_revoked", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", stdout, StringComparison.Ordinal);

        // The demo shows the secret's prefix only, never the secret itself.
        Assert.DoesNotMatch("kpa_sk_[A-Za-z0-9_-]{10}", stdout);
    }
}
