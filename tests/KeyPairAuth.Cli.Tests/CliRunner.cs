using System.Text;

namespace KeyPairAuth.Cli.Tests;

internal sealed record CliResult(int ExitCode, string Output, string Error);

/// <summary>Runs the tool through its entry point with substituted stdin, environment and clock; a temp directory per test.</summary>
internal sealed class CliRunner : IDisposable
{
    public CliRunner()
    {
        Directory = Path.Combine(Path.GetTempPath(), "kpa-cli-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public Dictionary<string, string> Environment { get; } = [];

    public byte[]? Stdin { get; set; }

    /// <summary>Opens stdin instead of <see cref="Stdin"/> when set (a stream that never ends, say).</summary>
    public Func<Stream>? OpenStdin { get; set; }

    public TimeProvider TimeProvider { get; set; } = System.TimeProvider.System;

    public string PathOf(string name) => Path.Combine(Directory, name);

    public async Task<CliResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        byte[]? stdin = Stdin;
        var context = new CliContext
        {
            OpenStdin = OpenStdin ?? (() => new MemoryStream(stdin ?? [])),
            IsStdinRedirected = stdin is not null || OpenStdin is not null,
            GetEnvironmentVariable = name => Environment.TryGetValue(name, out string? value) ? value : null,
            TimeProvider = TimeProvider,
        };
        int exitCode = await Cli.RunAsync(args, output, error, context);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
