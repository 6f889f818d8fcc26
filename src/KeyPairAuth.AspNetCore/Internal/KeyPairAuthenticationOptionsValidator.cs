using KeyPairAuth.Signatures;
using Microsoft.Extensions.Options;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>Validates <see cref="KeyPairAuthenticationOptions"/> at start-up; each message names the setting and the scheme.</summary>
internal sealed class KeyPairAuthenticationOptionsValidator : IValidateOptions<KeyPairAuthenticationOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyPairAuthenticationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string scheme = string.IsNullOrEmpty(name) ? "(default)" : name;
        var failures = new List<string>();
        void Fail(string setting, string rule, object? value) =>
            failures.Add($"KeyPairAuthenticationOptions.{setting} of scheme '{scheme}' {rule}; found {value}.");

        if (options.MaxBodySize <= 0)
        {
            Fail(nameof(options.MaxBodySize), "must be positive", options.MaxBodySize);
        }

        if (options.BodyBufferThreshold <= 0)
        {
            Fail(nameof(options.BodyBufferThreshold), "must be positive", options.BodyBufferThreshold);
        }

        if (options.LastUsedInterval < TimeSpan.Zero)
        {
            Fail(nameof(options.LastUsedInterval), "must not be negative", options.LastUsedInterval);
        }

        if (options.ReplayCacheFullRetryAfter < TimeSpan.Zero)
        {
            Fail(nameof(options.ReplayCacheFullRetryAfter), "must not be negative", options.ReplayCacheFullRetryAfter);
        }

        SignatureVerificationOptions v = options.Verification;
        if (v.MaxSignatureAge <= TimeSpan.Zero)
        {
            Fail("Verification.MaxSignatureAge", "must be positive", v.MaxSignatureAge);
        }

        if (v.MaxFutureSkew < TimeSpan.Zero)
        {
            Fail("Verification.MaxFutureSkew", "must not be negative", v.MaxFutureSkew);
        }

        if (v.MaxSignatures < 1)
        {
            Fail("Verification.MaxSignatures", "must be at least 1", v.MaxSignatures);
        }

        if (v.MaxNonceLength < 1)
        {
            Fail("Verification.MaxNonceLength", "must be at least 1", v.MaxNonceLength);
        }

        if (v.FieldLimits is null)
        {
            Fail("Verification.FieldLimits", "must be set", "null");
        }

        foreach (string component in v.AdditionalRequiredComponents)
        {
            if (string.IsNullOrWhiteSpace(component) || component.Any(c => c is < ' ' or > '~' or '"' or '\\'))
            {
                Fail("Verification.AdditionalRequiredComponents", "must hold component identifiers of visible ASCII without quotes or backslashes", $"'{component}'");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
