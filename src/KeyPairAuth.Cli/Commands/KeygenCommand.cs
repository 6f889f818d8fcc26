using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using KeyPairAuth.Keys;

namespace KeyPairAuth.Cli.Commands;

/// <summary>
/// <c>keypairauth keygen</c>: creates a key pair locally (bring your own key). The private key goes to a file readable
/// by the owner only; the public key and key id are printed to register with the server.
/// </summary>
/// <remarks>
/// A PKCS#8 PEM carries no key id, so the key id is printed and later passed with <c>--key-id</c> (or
/// <c>KEYPAIRAUTH_KEY_ID</c>). <c>--format secret</c> writes the one-line KeyPairAuth secret instead, which carries its
/// key id and needs no <c>--key-id</c>.
/// </remarks>
internal static class KeygenCommand
{
    public static Command Create(TextWriter output, CliContext context)
    {
        var outFile = new Option<string>("--out", "-o")
        {
            Description = "Where to write the private key (created with file mode 0600).",
            Required = true,
        };
        var keyIdOption = new Option<string?>("--key-id")
        {
            Description = "The key id to register the key under (PEM format only; default: a new kpa_ key id).",
        };
        var format = new Option<string>("--format")
        {
            Description = "pem: PKCS#8 PEM, readable by openssl, Node and Python (sign with --key-id); secret: the one-line KeyPairAuth secret, which carries its key id.",
            DefaultValueFactory = _ => "pem",
        };
        format.AcceptOnlyFromAmong("pem", "secret");
        var force = new Option<bool>("--force") { Description = "Overwrite the private key file if it exists." };

        var command = new Command("keygen", "Create an Ed25519 key pair locally: write the private key to a file and print the public key (PEM and JWK) and key id to register with the server.")
        {
            outFile, keyIdOption, format, force,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            output,
            parseResult.GetValue(outFile)!,
            parseResult.GetValue(keyIdOption),
            parseResult.GetValue(format) ?? "pem",
            parseResult.GetValue(force),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(TextWriter output, string path, string? keyId, string format, bool force, CancellationToken cancellationToken)
    {
        bool asSecret = format == "secret";
        if (asSecret && keyId is not null)
        {
            throw CliException.Usage("--key-id applies to --format pem only: a secret string carries the key id it was generated with.");
        }

        if (keyId is not null && (keyId.Length is 0 or > 256 || keyId.AsSpan().ContainsAnyExceptInRange((char)0x21, (char)0x7E)))
        {
            throw CliException.Usage("--key-id must be 1 to 256 printable ASCII characters without spaces.");
        }

        if (File.Exists(path) && !force)
        {
            throw CliException.Usage($"'{path}' already exists; pass --force to overwrite it.");
        }

        using SigningKey key = SigningKey.Generate();
        string effectiveKeyId = keyId ?? key.KeyId;
        string privateText = asSecret ? key.ExportSecret() + "\n" : key.ExportPkcs8Pem();
        await WritePrivateKeyAsync(path, privateText, force, cancellationToken).ConfigureAwait(false);

        Ed25519PublicKey publicKey = key.PublicKey;
        var text = new StringBuilder();
        text.Append("Wrote the private key to ").Append(path)
            .Append(asSecret ? " (KeyPairAuth secret" : " (PKCS#8 PEM").AppendLine(", file mode 0600). Keep it secret; it never needs to leave this machine.")
            .AppendLine()
            .Append("Key id:      ").AppendLine(effectiveKeyId)
            .Append("Fingerprint: ").AppendLine(publicKey.Fingerprint)
            .AppendLine()
            .AppendLine("Public key (SPKI PEM):")
            .AppendLine(publicKey.ExportSpkiPem().TrimEnd())
            .AppendLine()
            .AppendLine("Public key (JWK):")
            .AppendLine(publicKey.ExportJwk())
            .AppendLine()
            .AppendLine("Register the public key with the API under this key id, then sign requests with:")
            .Append("  keypairauth request GET https://api.example.com/ --key-file ").Append(CurlCommand.Quote(path));
        if (!asSecret)
        {
            text.Append(" --key-id ").Append(CurlCommand.Quote(effectiveKeyId));
        }

        await output.WriteLineAsync(text.ToString()).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static async Task WritePrivateKeyAsync(string path, string content, bool force, CancellationToken cancellationToken)
    {
        try
        {
            if (force && File.Exists(path))
            {
                // Deleting first means the new file is created with 0600 rather than inheriting the old file's mode.
                File.Delete(path);
            }

            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            var stream = new FileStream(path, options);
            await using (stream.ConfigureAwait(false))
            {
                byte[] bytes = Encoding.ASCII.GetBytes(content);
                try
                {
                    await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(bytes);
                }
            }

            if (!OperatingSystem.IsWindows())
            {
                // UnixCreateMode is filtered by the umask; make the mode exactly 0600 either way.
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliException(ExitCodes.Error, $"Cannot write the private key to '{path}': {KeyLoader.Describe(ex)}", ex);
        }
    }
}
