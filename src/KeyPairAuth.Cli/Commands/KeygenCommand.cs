using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using KeyPairAuth.Keys;

namespace KeyPairAuth.Cli.Commands;

/// <summary>
/// <c>keypairauth keygen</c>: creates a key pair locally (bring your own key). The private key goes to a file readable
/// by the owner only; the public key and its key id are printed, to register with the server.
/// </summary>
/// <remarks>
/// The key id is derived from the public key (<see cref="KeyId.FromPublicKey"/>), so the server registers the key
/// under exactly the id printed here. A PKCS#8 PEM carries no key id; the CLI derives it again when signing (or takes
/// <c>--key-id</c>). <c>--format secret</c> writes the one-line KeyPairAuth secret instead, which carries its key id.
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

        // Kept, hidden, only to refuse it clearly: the id is derived from the public key, so it cannot be chosen.
        var keyIdOption = new Option<string?>("--key-id") { Hidden = true };
        var format = new Option<string>("--format")
        {
            Description = "pem: PKCS#8 PEM, readable by openssl, Node and Python; secret: the one-line KeyPairAuth secret, which carries its key id.",
            DefaultValueFactory = _ => "pem",
        };
        format.AcceptOnlyFromAmong("pem", "secret");
        var force = new Option<bool>("--force") { Description = "Overwrite the private key file if it exists." };

        var command = new Command("keygen", "Create an Ed25519 key pair locally: write the private key to a file and print the public key (PEM and JWK) and its key id, to register with the server.")
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
        if (keyId is not null)
        {
            throw CliException.Usage(
                "keygen takes no --key-id: a key's id is derived from the public key (kpa_ + its RFC 7638 thumbprint), so the server registers it under the id keygen prints.");
        }

        bool asSecret = format == "secret";
        if (File.Exists(path) && !force)
        {
            throw CliException.Usage($"'{path}' already exists; pass --force to overwrite it.");
        }

        using SigningKey key = SigningKey.Generate();
        string privateText = asSecret ? key.ExportSecret() + "\n" : key.ExportPkcs8Pem();
        await WritePrivateKeyAsync(path, privateText, force, cancellationToken).ConfigureAwait(false);

        Ed25519PublicKey publicKey = key.PublicKey;
        var text = new StringBuilder();
        text.Append("Wrote the private key to ").Append(path)
            .Append(asSecret ? " (KeyPairAuth secret" : " (PKCS#8 PEM").AppendLine(", file mode 0600). Keep it secret; it never needs to leave this machine.")
            .AppendLine()
            .Append("Key id:      ").AppendLine(key.KeyId)
            .Append("Fingerprint: ").AppendLine(publicKey.Fingerprint)
            .AppendLine()
            .AppendLine("Public key (SPKI PEM):")
            .AppendLine(publicKey.ExportSpkiPem().TrimEnd())
            .AppendLine()
            .AppendLine("Public key (JWK):")
            .AppendLine(publicKey.ExportJwk())
            .AppendLine()
            .AppendLine("Register the public key with the API. The key id is derived from the public key, so the API knows the key by the id")
            .AppendLine("above; nothing needs copying back. Then sign requests with:")
            .Append("  keypairauth request GET https://api.example.com/ --key-file ").Append(CurlCommand.Quote(path));
        if (!asSecret)
        {
            text.Append(" --key-id ").Append(CurlCommand.Quote(key.KeyId));
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
