namespace KeyPairAuth.Cli.Tests;

public sealed class CliTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Help_ListsEveryCommand()
    {
        CliResult result = await _cli.RunAsync("--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("keypairauth [command] [options]", result.Output, StringComparison.Ordinal);
        foreach (string command in (string[])["keygen", "inspect", "sign", "request"])
        {
            Assert.Contains(command, result.Output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("keygen", "--out")]
    [InlineData("inspect", "--key-file")]
    [InlineData("sign", "--curl")]
    [InlineData("request", "--timeout")]
    public async Task CommandHelp_ShowsUsageAndOptions(string command, string option)
    {
        CliResult result = await _cli.RunAsync(command, "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"keypairauth {command}", result.Output, StringComparison.Ordinal);
        Assert.Contains(option, result.Output, StringComparison.Ordinal);
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task NoCommand_IsUsageError()
    {
        CliResult result = await _cli.RunAsync();

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("Run 'keypairauth --help'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownOption_IsUsageErrorNamingTheCommandHelp()
    {
        CliResult result = await _cli.RunAsync("sign", "GET", "https://x.example/", "--bogus");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--bogus", result.Error, StringComparison.Ordinal);
        Assert.Contains("Run 'keypairauth sign --help'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingArgument_IsUsageError()
    {
        CliResult result = await _cli.RunAsync("sign", "GET");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Empty(result.Output);
    }
}
