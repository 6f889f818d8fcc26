using KeyPairAuth.Signatures;
using Microsoft.Extensions.Options;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>
/// Validates <see cref="KeyPairAuthenticationOptions"/> at start-up; each message names the setting and the scheme. The
/// <see cref="KeyPairAuthenticationOptions.Verification"/> policy is checked by the core's validator (one set of rules
/// for the scheme and for anyone who builds an <see cref="HttpMessageVerifier"/> from options).
/// </summary>
internal sealed class KeyPairAuthenticationOptionsValidator(IEnumerable<IValidateOptions<SignatureVerificationOptions>> verificationValidators)
    : IValidateOptions<KeyPairAuthenticationOptions>
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

        // The verification policy has one owner of its rules, registered by AddKeyPairAuth(): its messages are kept whole.
        foreach (IValidateOptions<SignatureVerificationOptions> validator in verificationValidators)
        {
            ValidateOptionsResult result = validator.Validate(name, options.Verification);
            if (result.Failed)
            {
                failures.AddRange(result.Failures.Select(f => $"KeyPairAuthenticationOptions.Verification of scheme '{scheme}': {f}"));
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
