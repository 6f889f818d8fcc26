using System.CommandLine;
using System.Text;
using KeyPairAuth.Keys;

namespace KeyPairAuth.Cli.Commands;

/// <summary>
/// <c>keypairauth inspect</c>: shows the key id, public key and fingerprint of a secret string or PEM (private or
/// public). The key id is the one a secret carries, else <c>--key-id</c>, else the id derived from the public key (the
/// id a KeyPairAuth server registers it under). Never prints private material.
/// </summary>
internal static class InspectCommand
{
    public static Command Create(TextWriter output, CliContext context)
    {
        var keyFile = new Option<string?>("--key-file", "-k")
        {
            Description = $"The key to inspect: a secret string, a PKCS#8 private key PEM or a public key (PEM, JWK). '-' reads stdin. Default: {CliContext.KeyVariable}, else stdin.",
        };
        var keyIdOption = new Option<string?>("--key-id") { Description = "The key id to show for a PEM or public key (default: the id derived from the public key)." };

        var command = new Command("inspect", "Show a key's id, public key (PEM and JWK) and fingerprint. The private part is never printed.")
        {
            keyFile, keyIdOption,
        };
        command.SetAction((parseResult, cancellationToken) =>
            RunAsync(output, context, parseResult.GetValue(keyFile), parseResult.GetValue(keyIdOption)));
        return command;
    }

    private static async Task<int> RunAsync(TextWriter output, CliContext context, string? keyFile, string? keyId)
    {
        (string text, string source) = KeyLoader.ReadKeyText(keyFile, context, allowStdinFallback: true)
            ?? throw CliException.Usage($"No key given: pass --key-file <path> (or '-' and pipe it in), or set {CliContext.KeyVariable}.");

        string trimmed = text.Trim();
        string? shownKeyId;
        Ed25519PublicKey publicKey;
        string kind;
        if (trimmed.StartsWith("-----BEGIN PUBLIC KEY", StringComparison.Ordinal) || trimmed.StartsWith('{') || trimmed.StartsWith("ssh-", StringComparison.Ordinal))
        {
            try
            {
                publicKey = Ed25519PublicKey.Parse(trimmed);
            }
            catch (KeyFormatException ex)
            {
                throw new CliException(ExitCodes.Error, $"The key in {source} is not valid: {ex.Message}", ex);
            }

            shownKeyId = keyId;
            kind = "public key";
        }
        else
        {
            bool isPem = trimmed.StartsWith("-----BEGIN", StringComparison.Ordinal);
            using SigningKey key = KeyLoader.Parse(trimmed, source, keyId);
            publicKey = key.PublicKey;
            shownKeyId = key.KeyId;
            kind = isPem ? "PKCS#8 private key PEM" : "KeyPairAuth secret";
        }

        string derivedKeyId = KeyId.FromPublicKey(publicKey);
        var result = new StringBuilder()
            .Append("Source:      ").Append(kind).Append(" from ").AppendLine(source)
            .Append("Key id:      ").AppendLine(shownKeyId ?? derivedKeyId);
        if (shownKeyId is not null && shownKeyId != derivedKeyId)
        {
            // A secret issued before key ids were derived, or an id another server assigned.
            result.Append("Derived id:  ").Append(derivedKeyId).AppendLine(" (the id derived from this public key; the key id above differs)");
        }

        result
            .Append("Fingerprint: ").AppendLine(publicKey.Fingerprint)
            .Append("Public key (base64url): ").AppendLine(publicKey.ExportBase64Url())
            .AppendLine()
            .AppendLine("Public key (SPKI PEM):")
            .AppendLine(publicKey.ExportSpkiPem().TrimEnd())
            .AppendLine()
            .AppendLine("Public key (JWK):")
            .Append(publicKey.ExportJwk());
        await output.WriteLineAsync(result.ToString()).ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
