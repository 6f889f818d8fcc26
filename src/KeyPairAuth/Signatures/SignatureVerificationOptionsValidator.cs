using System.Buffers;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace KeyPairAuth.Signatures;

/// <summary>
/// The one set of rules for <see cref="SignatureVerificationOptions"/>; each message names the setting. Registered by
/// <c>AddKeyPairAuth()</c>; the ASP.NET Core scheme runs it on its <c>Verification</c> options at start-up.
/// </summary>
internal sealed class SignatureVerificationOptionsValidator : IValidateOptions<SignatureVerificationOptions>
{
    /// <summary>The derived components (RFC 9421 §2.2) a request signature can cover as a plain identifier.</summary>
    internal static readonly string[] RequirableDerivedComponents = ["@method", "@target-uri", "@authority", "@scheme", "@request-target", "@path", "@query"];

    // RFC 9110 §5.6.2 tchar, lower case only (identifiers are lower-cased: RFC 9421 §2.1).
    private static readonly SearchValues<char> FieldNameChars = SearchValues.Create("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz");

    public ValidateOptionsResult Validate(string? name, SignatureVerificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> failures = [.. Failures(options)];
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>What <see cref="IsRequirableComponent"/> accepts, in words, for error messages.</summary>
    internal static string RequirableComponentsRule { get; } =
        "HTTP field names (RFC 9110 tokens: letters, digits and !#$%&'*+-.^_`|~; stored lower case) or the derived components "
        + string.Join(", ", RequirableDerivedComponents);

    /// <summary>
    /// Whether <paramref name="component"/> can be required of every signature: an HTTP field name (RFC 9110 token,
    /// lower case) or one of <see cref="RequirableDerivedComponents"/>.
    /// </summary>
    internal static bool IsRequirableComponent(string? component) =>
        !string.IsNullOrEmpty(component)
        && (component[0] == '@'
            ? Array.IndexOf(RequirableDerivedComponents, component) >= 0
            : !component.AsSpan().ContainsAnyExcept(FieldNameChars));

    private static IEnumerable<string> Failures(SignatureVerificationOptions options)
    {
        if (options.MaxSignatureAge <= TimeSpan.Zero)
        {
            yield return Message(nameof(options.MaxSignatureAge), "must be positive", options.MaxSignatureAge);
        }

        if (options.MaxFutureSkew < TimeSpan.Zero)
        {
            yield return Message(nameof(options.MaxFutureSkew), "must not be negative", options.MaxFutureSkew);
        }

        if (options.MaxSignatures < 1)
        {
            yield return Message(nameof(options.MaxSignatures), "must be at least 1", options.MaxSignatures);
        }

        if (options.MaxNonceLength < 1)
        {
            yield return Message(nameof(options.MaxNonceLength), "must be at least 1", options.MaxNonceLength);
        }

        if (options.FieldLimits is null)
        {
            yield return Message(nameof(options.FieldLimits), "must be set", "null");
        }

        foreach (string component in options.AdditionalRequiredComponents)
        {
            if (!IsRequirableComponent(component))
            {
                yield return Message(nameof(options.AdditionalRequiredComponents), "must hold " + RequirableComponentsRule, $"'{component}'");
            }
        }
    }

    private static string Message(string setting, string rule, object value) =>
        string.Create(CultureInfo.InvariantCulture, $"SignatureVerificationOptions.{setting} {rule}; found {value}.");
}
