using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;
using Microsoft.Extensions.Options;

namespace KeyPairAuth.Client.Internal;

/// <summary>
/// Validates each signed client's options at start-up (with <c>ValidateOnStart</c>) and imports its key, so a malformed
/// secret stops the application with the precise reason instead of surfacing later as a 401. Every message names the
/// client and the setting.
/// </summary>
internal sealed class KeyPairSigningOptionsValidator : IValidateOptions<KeyPairSigningOptions>
{
    private readonly HashSet<string> _clientNames;
    private readonly KeyPairSigningRegistry _registry;

    public KeyPairSigningOptionsValidator(IEnumerable<KeyPairSigningRegistration> registrations, KeyPairSigningRegistry registry)
    {
        _clientNames = new HashSet<string>(registrations.Select(r => r.ClientName), StringComparer.Ordinal);
        _registry = registry;
    }

    public ValidateOptionsResult Validate(string? name, KeyPairSigningOptions options)
    {
        name ??= Options.DefaultName;
        if (!_clientNames.Contains(name))
        {
            return ValidateOptionsResult.Skip;
        }

        string client = $"HttpClient '{name}'";
        var errors = new List<string>();

        bool hasSecret = !string.IsNullOrWhiteSpace(options.Secret);
        bool hasPem = !string.IsNullOrWhiteSpace(options.PrivateKeyPem);
        bool hasFactory = options.KeyFactory is not null;
        int sources = (hasSecret ? 1 : 0) + (hasPem ? 1 : 0) + (hasFactory ? 1 : 0);
        if (sources == 0)
        {
            errors.Add($"No signing key is configured for {client}: set {nameof(KeyPairSigningOptions)}.{nameof(KeyPairSigningOptions.Secret)}, " +
                $"or {nameof(KeyPairSigningOptions.KeyId)} with {nameof(KeyPairSigningOptions.PrivateKeyPem)}, or {nameof(KeyPairSigningOptions.KeyFactory)}.");
        }
        else if (sources > 1)
        {
            errors.Add($"More than one signing key is configured for {client}: set only one of {nameof(KeyPairSigningOptions)}.{nameof(KeyPairSigningOptions.Secret)}, " +
                $"{nameof(KeyPairSigningOptions.PrivateKeyPem)} or {nameof(KeyPairSigningOptions.KeyFactory)}.");
        }
        else if (hasPem && string.IsNullOrWhiteSpace(options.KeyId))
        {
            errors.Add($"{nameof(KeyPairSigningOptions)}.{nameof(KeyPairSigningOptions.KeyId)} is required with {nameof(KeyPairSigningOptions.PrivateKeyPem)} for {client}.");
        }

        if (options.Signature is not { } signature)
        {
            errors.Add($"{Setting(null)} must not be null for {client}.");
        }
        else
        {
            ValidateSignature(signature, client, errors);
        }

        if (options.MaxAutomaticRedirections < 0)
        {
            errors.Add($"{nameof(KeyPairSigningOptions)}.{nameof(KeyPairSigningOptions.MaxAutomaticRedirections)} must not be negative for {client}; 0 follows no redirect.");
        }

        if (!Enum.IsDefined(options.DigestAlgorithm))
        {
            errors.Add($"{nameof(KeyPairSigningOptions)}.{nameof(KeyPairSigningOptions.DigestAlgorithm)} is not a supported Content-Digest algorithm for {client}.");
        }

        if (errors.Count == 0)
        {
            ValidateKey(options, client, hasSecret, hasPem, errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);

        void ValidateKey(KeyPairSigningOptions options, string client, bool hasSecret, bool hasPem, List<string> errors)
        {
            string setting = hasSecret ? nameof(KeyPairSigningOptions.Secret)
                : hasPem ? nameof(KeyPairSigningOptions.PrivateKeyPem)
                : nameof(KeyPairSigningOptions.KeyFactory);
            try
            {
                // Importing here caches the key, so the first request does not pay for it.
                RequestSigner signer = _registry.GetSigner(name, options);
                if (hasSecret && !string.IsNullOrWhiteSpace(options.KeyId)
                    && !string.Equals(options.KeyId.Trim(), signer.Key.KeyId, StringComparison.Ordinal))
                {
                    errors.Add($"{nameof(KeyPairSigningOptions)}.{nameof(KeyPairSigningOptions.KeyId)} for {client} does not match the key id carried by " +
                        $"{nameof(KeyPairSigningOptions.Secret)} ('{signer.Key.KeyId}'); leave KeyId unset.");
                }
            }
            catch (KeyFormatException ex)
            {
                // KeyFormatException messages never contain secret material.
                errors.Add($"{nameof(KeyPairSigningOptions)}.{setting} for {client} is not a valid key: {ex.Message}");
            }
            catch (ArgumentException ex) when (!hasFactory)
            {
                errors.Add($"{nameof(KeyPairSigningOptions)}.{nameof(KeyPairSigningOptions.KeyId)} for {client} is not valid: {ex.Message}");
            }
            catch (Exception ex) when (hasFactory && ex is not OutOfMemoryException)
            {
                errors.Add($"{nameof(KeyPairSigningOptions)}.{nameof(KeyPairSigningOptions.KeyFactory)} for {client} failed: {ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    private static void ValidateSignature(SigningOptions signature, string client, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(signature.Label))
        {
            errors.Add($"{Setting(nameof(SigningOptions.Label))} must not be empty for {client}.");
        }
        else if (!SignatureProfile.IsLabel(signature.Label))
        {
            // Caught here, at start-up, rather than by the signer on the first request.
            errors.Add($"{Setting(nameof(SigningOptions.Label))} for {client} must be a structured-field key (lower-case letters, digits, '_', '-', '.', '*', starting with a letter or '*'); found \"{signature.Label}\".");
        }

        if (signature.Components is { Count: 0 })
        {
            errors.Add($"{Setting(nameof(SigningOptions.Components))} must not be empty for {client}; set it to null for the default coverage.");
        }

        if (signature.ExpiresAfter is { } expires && expires <= TimeSpan.Zero)
        {
            errors.Add($"{Setting(nameof(SigningOptions.ExpiresAfter))} must be positive for {client}.");
        }

        if (signature.Tag is { Length: 0 })
        {
            errors.Add($"{Setting(nameof(SigningOptions.Tag))} must not be empty for {client}; set it to null to omit the tag.");
        }

        // Fixed values are for test vectors: every request of a client needs its own time and nonce.
        if (signature.Created is not null)
        {
            errors.Add($"{Setting(nameof(SigningOptions.Created))} must be null for {client}: each request is signed at the time it is sent.");
        }

        if (signature.Nonce is not null)
        {
            errors.Add($"{Setting(nameof(SigningOptions.Nonce))} must be null for {client}: a fixed nonce makes the server refuse every request after the first as a replay.");
        }
    }

    private static string Setting(string? name) =>
        name is null
            ? $"{nameof(KeyPairSigningOptions)}.{nameof(KeyPairSigningOptions.Signature)}"
            : $"{nameof(KeyPairSigningOptions)}.{nameof(KeyPairSigningOptions.Signature)}.{name}";
}
