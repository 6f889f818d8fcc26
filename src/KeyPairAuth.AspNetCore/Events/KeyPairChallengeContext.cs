using KeyPairAuth.Signatures;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace KeyPairAuth.AspNetCore;

/// <summary>
/// Context for <see cref="KeyPairAuthenticationEvents.Challenge"/>: the scheme is about to answer 401 (or 400, 413,
/// 503) with an <c>Accept-Signature</c> field and a problem body. Call <see cref="HandleResponse"/> to write your own.
/// </summary>
public sealed class KeyPairChallengeContext : PropertiesContext<KeyPairAuthenticationOptions>
{
    /// <summary>Initializes a new instance of the <see cref="KeyPairChallengeContext"/> class.</summary>
    /// <param name="context">The request.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="options">The scheme's options.</param>
    /// <param name="properties">The authentication properties.</param>
    /// <param name="failureReason">Why authentication did not succeed.</param>
    public KeyPairChallengeContext(HttpContext context, AuthenticationScheme scheme, KeyPairAuthenticationOptions options, AuthenticationProperties properties, KeyPairFailureReason failureReason)
        : base(context, scheme, options, properties) => FailureReason = failureReason;

    /// <summary>Gets why authentication did not succeed (<see cref="KeyPairFailureReason.MissingSignature"/> when no signature was sent).</summary>
    public KeyPairFailureReason FailureReason { get; }

    /// <summary>Gets or sets the caller-safe detail, written only when <see cref="KeyPairAuthenticationOptions.IncludeErrorDetails"/> is on.</summary>
    public string? FailureDetail { get; set; }

    /// <summary>Gets whether the event handler wrote the response itself.</summary>
    public bool Handled { get; private set; }

    /// <summary>Skips the default response: the event handler writes it.</summary>
    public void HandleResponse() => Handled = true;
}
