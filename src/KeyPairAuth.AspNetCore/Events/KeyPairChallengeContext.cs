using KeyPairAuth.Signatures;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace KeyPairAuth.AspNetCore;

/// <summary>
/// Context for <see cref="KeyPairAuthenticationEvents.Challenge"/>: the scheme is about to answer 401 (or 400, 413,
/// 429, 503) with a problem body.
/// </summary>
/// <remarks>
/// <para>What it carries: <see cref="FailureReason"/>, why the request did not authenticate
/// (<see cref="KeyPairFailureReason.MissingSignature"/> when it carried no signature,
/// <see cref="KeyPairFailureReason.RejectedByApplication"/> when an event refused it);
/// <see cref="FailureDetail"/>, the caller-safe detail; <see cref="PropertiesContext{TOptions}.Properties"/> from the
/// challenge call; <see cref="BaseContext{TOptions}.HttpContext"/> with the response not yet started.</para>
/// <para>What each result does: none called, the scheme writes the status for <see cref="FailureReason"/>,
/// <c>WWW-Authenticate: KeyPair error="…"</c> on a 401, <c>Accept-Signature</c> on a 400 or 401, <c>Retry-After</c> on a
/// 429 or 503, and an <c>application/problem+json</c> body whose <c>error</c> is the reason's code (with
/// <see cref="FailureDetail"/> when <see cref="KeyPairAuthenticationOptions.IncludeErrorDetails"/> is on). Changing
/// <see cref="FailureDetail"/> changes that detail. <see cref="HandleResponse"/> skips it all: your handler writes the
/// response.</para>
/// </remarks>
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
