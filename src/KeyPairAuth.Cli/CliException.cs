namespace KeyPairAuth.Cli;

/// <summary>A mistake reported to the user as one line on stderr with an exit code. Messages never contain secrets.</summary>
internal sealed class CliException : Exception
{
    public CliException(int exitCode, string message)
        : base(message) => ExitCode = exitCode;

    public CliException(int exitCode, string message, Exception innerException)
        : base(message, innerException) => ExitCode = exitCode;

    public CliException()
    {
    }

    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int ExitCode { get; } = ExitCodes.Error;

    public static CliException Usage(string message) => new(ExitCodes.Usage, message);
}
