using KeyPairAuth.Cli.Commands;
using KeyPairAuth.Keys;
using KeyPairAuth.Testing;

namespace KeyPairAuth.Cli.Tests;

/// <summary>Reading the private key: a key file others can read is used, with a warning on stderr (as ssh does).</summary>
public sealed class KeyLoaderTests : IDisposable
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private async Task<string> WriteKeyFileAsync(UnixFileMode mode)
    {
        using SigningKey key = SigningKey.Generate();
        string path = _cli.PathOf("k.secret");
        await File.WriteAllTextAsync(path, key.ExportSecret());
        File.SetUnixFileMode(path, mode);
        return path;
    }

    [Theory]
    [InlineData(OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, "0644")]
    [InlineData(OwnerReadWrite | UnixFileMode.GroupRead, "0640")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.OtherRead, "0404")]
    [InlineData(OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite, "0666")]
    public async Task Sign_KeyFileReadableByGroupOrOthers_WarnsOnStderrAndStillSigns(UnixFileMode mode, string octal)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // POSIX file modes only
        }

        string path = await WriteKeyFileAsync(mode);

        CliResult result = await _cli.RunAsync("sign", "GET", "https://api.example.com/x", "--key-file", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Signature-Input: ", result.Output, StringComparison.Ordinal);
        Assert.Contains($"warning: key file '{path}' is accessible by group or others", result.Error, StringComparison.Ordinal);
        Assert.Contains($"mode {octal}", result.Error, StringComparison.Ordinal);
        Assert.Contains($"chmod 600 {CurlCommand.Quote(path)}", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Signature", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(OwnerReadWrite)]
    [InlineData(UnixFileMode.UserRead)]
    public async Task Sign_KeyFileReadableByOwnerOnly_NoWarning(UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string path = await WriteKeyFileAsync(mode);

        CliResult result = await _cli.RunAsync("sign", "GET", "https://api.example.com/x", "--key-file", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task Request_KeyFileReadableByOthers_Warns()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string path = await WriteKeyFileAsync(OwnerReadWrite | UnixFileMode.OtherRead);

        // Nothing listens on port 1: the request fails, but the warning comes first.
        CliResult result = await _cli.RunAsync("request", "GET", "http://127.0.0.1:1/x", "--key-file", path, "--timeout", "5");

        Assert.Contains($"warning: key file '{path}' is accessible by group or others", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sign")]
    [InlineData("inspect")]
    public async Task KeyFromStdinThatNeverEnds_IsRefusedAsTooLarge_AfterABoundedRead(string command)
    {
        // A key is a few hundred bytes: an endless or huge input (a wrong pipe, /dev/zero) must not be read to its end.
        var stdin = new EndlessStream(failAfter: 1024 * 1024);
        _cli.OpenStdin = () => stdin;

        CliResult result = command == "sign"
            ? await _cli.RunAsync("sign", "GET", "https://api.example.com/x", "--key-file", "-")
            : await _cli.RunAsync("inspect", "--key-file", "-");

        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}: {result.Error}");
        Assert.Contains("stdin is too large to be a key", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
        Assert.InRange(stdin.BytesRead, 1, 128 * 1024);
    }

    [Fact]
    public async Task Sign_KeyFileThatNeverEnds_IsRefusedAsTooLarge()
    {
        if (!File.Exists("/dev/zero"))
        {
            return; // a device that never ends: POSIX only
        }

        CliResult result = await _cli.RunAsync("sign", "GET", "https://api.example.com/x", "--key-file", "/dev/zero");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("key file '/dev/zero' is too large to be a key", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_KeyFileThatIsADirectory_SaysSo()
    {
        CliResult result = await _cli.RunAsync("sign", "GET", "https://api.example.com/x", "--key-file", _cli.Directory);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"Cannot read key file '{_cli.Directory}': it is a directory.", result.Error, StringComparison.Ordinal);
    }
}
