using KeyPairAuth.Keys;
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

        if (string.IsNullOrWhiteSpace(options.Label))
        {
            errors.Add($"{nameof(KeyPairSigningOptions)}.{nameof(KeyPairSigningOptions.Label)} must not be empty for {client}.");
        }

        if (options.Components is { Count: 0 })
        {
            errors.Add($"{nameof(KeyPairSigningOptions)}.{nameof(KeyPairSigningOptions.Components)} must not be empty for {client}; set it to null for the default coverage.");
        }

        if (options.ExpiresAfter is { } expires && expires <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(KeyPairSigningOptions)}.{nameof(KeyPairSigningOptions.ExpiresAfter)} must be positive for {client}.");
        }

        if (options.MaxAutomaticRedirections < 0)
        {
            errors.Add($"{nameof(KeyPairSigningOptions)}.{nameof(KeyPairSigningOptions.MaxAutomaticRedirections)} must not be negative for {client}; 0 follows no redirect.");
        }

        if (options.Tag is { Length: 0 })
        {
            errors.Add($"{nameof(KeyPairSigningOptions)}.{nameof(KeyPairSigningOptions.Tag)} must not be empty for {client}; set it to null to omit the tag.");
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
}
