namespace KeyPairAuth.Cli;

/// <summary>The process exit codes, documented in the package README.</summary>
internal static class ExitCodes
{
    /// <summary>Success (for <c>request</c>: a 1xx, 2xx or 3xx response).</summary>
    public const int Success = 0;

    /// <summary>Anything else went wrong: unreadable file, malformed key, network failure.</summary>
    public const int Error = 1;

    /// <summary>The command line is wrong: unknown option, missing argument, bad URL, no key given.</summary>
    public const int Usage = 2;

    /// <summary><c>request</c> received a 4xx response.</summary>
    public const int ClientErrorResponse = 4;

    /// <summary><c>request</c> received a 5xx response.</summary>
    public const int ServerErrorResponse = 5;
}
