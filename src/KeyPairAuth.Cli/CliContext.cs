namespace KeyPairAuth.Cli;

/// <summary>What the commands read from the process: stdin, environment, clock, network. Tests substitute each.</summary>
internal sealed class CliContext
{
    /// <summary>The environment variable holding a secret string (or PEM) when <c>--key-file</c> is not given.</summary>
    public const string KeyVariable = "KEYPAIRAUTH_KEY";

    /// <summary>The environment variable holding the key id for a PEM key when <c>--key-id</c> is not given.</summary>
    public const string KeyIdVariable = "KEYPAIRAUTH_KEY_ID";

    public Func<Stream> OpenStdin { get; init; } = () => Stream.Null;

    public bool IsStdinRedirected { get; init; } = true;

    public Func<string, string?> GetEnvironmentVariable { get; init; } = _ => null;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Creates the handler <c>request</c> sends with; the default is a fresh <see cref="SocketsHttpHandler"/>. Automatic
    /// redirects are switched off on it either way: a signed request is never re-sent to another location.
    /// </summary>
    public Func<HttpMessageHandler> CreateHandler { get; init; } = () => new SocketsHttpHandler { AllowAutoRedirect = false };

    public static CliContext FromConsole() => new()
    {
        OpenStdin = Console.OpenStandardInput,
        IsStdinRedirected = Console.IsInputRedirected,
        GetEnvironmentVariable = Environment.GetEnvironmentVariable,
    };
}
