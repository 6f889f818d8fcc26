using System.Security.Cryptography;
using System.Text;
using KeyPairAuth.Keys;

namespace KeyPairAuth.Cli;

/// <summary>
/// Finds the private key a command signs with: <c>--key-file</c> (a secret string or a PKCS#8 PEM, <c>-</c> for stdin),
/// else the <c>KEYPAIRAUTH_KEY</c> environment variable. A PEM carries no key id: it signs under <c>--key-id</c> or
/// <c>KEYPAIRAUTH_KEY_ID</c> when given, else under the id derived from its public key (the id a KeyPairAuth server
/// registers it under). Error messages name where the key came from, never its content.
/// </summary>
internal static class KeyLoader
{
    /// <summary>A PEM is at most a few hundred bytes; refuse to slurp anything much larger.</summary>
    private const int MaxKeyFileSize = 64 * 1024;

    /// <summary>Group and other permission bits (octal 077).</summary>
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Loads the private key to sign with; warns on <paramref name="warnings"/> when its file is open to group or others.</summary>
    public static SigningKey Load(string? keyFile, string? keyId, CliContext context, TextWriter warnings)
    {
        (string text, string source) = ReadKeyText(keyFile, context, allowStdinFallback: false)
            ?? throw CliException.Usage($"No key given: pass --key-file <path>, or set {CliContext.KeyVariable} to the secret.");
        if (keyFile is not null and not "-")
        {
            WarnIfAccessibleByOthers(keyFile, warnings);
        }

        return Parse(text, source, keyId ?? context.GetEnvironmentVariable(CliContext.KeyIdVariable));
    }

    /// <summary>
    /// Like ssh, points out a private-key file that group or others can read (or write): anyone who reads it can sign
    /// requests as its owner. The key is still used; ssh refuses, but a CLI run in CI with a mounted secret should not
    /// break on a mode it may not control.
    /// </summary>
    private static void WarnIfAccessibleByOthers(string path, TextWriter warnings)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        UnixFileMode mode;
        try
        {
            mode = File.GetUnixFileMode(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return; // it was just read; a file replaced in between is not worth a second error
        }

        if ((mode & GroupOrOther) != 0)
        {
            string octal = Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0');
            warnings.WriteLine(
                $"keypairauth: warning: key file '{path}' is accessible by group or others (mode {octal}): anyone who can read it can sign " +
                $"requests with it. Restrict it with: chmod 600 {Commands.CurlCommand.Quote(path)}");
        }
    }

    /// <summary>Reads the key text: the file (or stdin for <c>-</c>), else the environment variable, else (when allowed) redirected stdin.</summary>
    public static (string Text, string Source)? ReadKeyText(string? keyFile, CliContext context, bool allowStdinFallback)
    {
        if (keyFile is not null)
        {
            if (keyFile == "-")
            {
                return (ReadStdinText(context), "stdin");
            }

            return (ReadFile(keyFile), $"key file '{keyFile}'");
        }

        string? fromEnvironment = context.GetEnvironmentVariable(CliContext.KeyVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return (fromEnvironment, $"the {CliContext.KeyVariable} environment variable");
        }

        if (allowStdinFallback && context.IsStdinRedirected)
        {
            return (ReadStdinText(context), "stdin");
        }

        return null;
    }

    public static SigningKey Parse(string text, string source, string? keyId)
    {
        string trimmed = text.Trim();
        try
        {
            if (trimmed.StartsWith("-----BEGIN", StringComparison.Ordinal))
            {
                // A PEM carries no key id; without --key-id, sign under the id derived from the key, which is the id a
                // KeyPairAuth server registers the public key under.
                return string.IsNullOrWhiteSpace(keyId) ? SigningKey.FromPkcs8Pem(trimmed) : SigningKey.FromPkcs8Pem(keyId.Trim(), trimmed);
            }

            return SigningKey.Parse(trimmed);
        }
        catch (KeyFormatException ex)
        {
            // KeyFormatException messages say what is wrong without quoting the input.
            throw new CliException(ExitCodes.Error, $"The key in {source} is not valid: {ex.Message}", ex);
        }
        catch (ArgumentException ex)
        {
            throw CliException.Usage($"The key id is not valid: {ex.Message}");
        }
    }

    public static string ReadFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw new CliException(ExitCodes.Error, $"Cannot read key file '{path}': it is a directory.");
        }

        try
        {
            // Bounded by bytes read, not by the reported length: a pipe, a process substitution or a device such as
            // /dev/zero reports no length and may never end.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.None);
            return ReadBounded(stream, $"The key file '{path}'");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliException(ExitCodes.Error, $"Cannot read key file '{path}': {Describe(ex)}", ex);
        }
    }

    public static string ReadStdinText(CliContext context)
    {
        using Stream stdin = context.OpenStdin();
        return ReadBounded(stdin, "The input on stdin");
    }

    /// <summary>Reads at most <see cref="MaxKeyFileSize"/> bytes as UTF-8; more is refused, never read to its end.</summary>
    private static string ReadBounded(Stream stream, string what)
    {
        byte[] buffer = new byte[MaxKeyFileSize + 1];
        try
        {
            int total = 0;
            int read;
            while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += read;
            }

            if (total > MaxKeyFileSize)
            {
                throw new CliException(ExitCodes.Error, $"{what} is too large to be a key (more than {MaxKeyFileSize} bytes).");
            }

            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetString(buffer, 0, total).TrimStart('\uFEFF');
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    public static string Describe(Exception ex) => ex switch
    {
        FileNotFoundException => "no such file.",
        DirectoryNotFoundException => "no such directory.",
        UnauthorizedAccessException => "permission denied.",
        _ => ex.Message,
    };
}
