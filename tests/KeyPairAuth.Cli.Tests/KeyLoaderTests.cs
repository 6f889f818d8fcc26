using KeyPairAuth.Cli.Commands;
using KeyPairAuth.Keys;

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
}
