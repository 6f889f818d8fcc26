using KeyPairAuth.Signatures;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace KeyPairAuth.AspNetCore;

/// <summary>
/// Context for <see cref="KeyPairAuthenticationEvents.AuthenticationFailed"/>: either a refusal
/// (<see cref="FailureReason"/> set) or an infrastructure failure (<see cref="Exception"/> set, for example the key
/// store is down). For an exception, calling <c>Success</c>, <c>Fail</c> or <c>NoResult</c> handles it; otherwise it
/// is re-thrown so the server answers 500 rather than a misleading 401.
/// </summary>
public sealed class KeyPairAuthenticationFailedContext : ResultContext<KeyPairAuthenticationOptions>
{
    /// <summary>Initializes a new instance of the <see cref="KeyPairAuthenticationFailedContext"/> class.</summary>
    /// <param name="context">The request.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="options">The scheme's options.</param>
    public KeyPairAuthenticationFailedContext(HttpContext context, AuthenticationScheme scheme, KeyPairAuthenticationOptions options)
        : base(context, scheme, options)
    {
    }

    /// <summary>Gets or sets why the request was refused, or <see langword="null"/> when <see cref="Exception"/> is set.</summary>
    public KeyPairFailureReason? FailureReason { get; set; }

    /// <summary>Gets or sets the exception thrown during verification, or <see langword="null"/> for a refusal.</summary>
    public Exception? Exception { get; set; }
}
