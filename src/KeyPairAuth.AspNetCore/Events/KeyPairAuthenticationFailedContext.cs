using KeyPairAuth.Signatures;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace KeyPairAuth.AspNetCore;

/// <summary>
/// Context for <see cref="KeyPairAuthenticationEvents.AuthenticationFailed"/>: a signed request was refused, or
/// verifying it threw.
/// </summary>
/// <remarks>
/// <para>What it carries: either <see cref="FailureReason"/> (a refusal by the verifier, the body check, or the
/// application's <c>Fail</c> in an earlier event, then <see cref="KeyPairFailureReason.RejectedByApplication"/>) or
/// <see cref="Exception"/> (an infrastructure failure, for example the key store is down, or an exception thrown by an
/// earlier event); never both. <see cref="ResultContext{TOptions}.Principal"/> is <see langword="null"/>. The refusal
/// or error has already been logged and counted when this runs.</para>
/// <para>What each result does:</para>
/// <list type="bullet">
/// <item><description>None called: a refusal is answered with its reason (the challenge's status, code and
/// <c>WWW-Authenticate</c>); an exception is re-thrown, so the server answers 500 rather than a misleading
/// 401.</description></item>
/// <item><description><c>Success()</c>, <c>Fail(…)</c> or <c>NoResult()</c>: that becomes the scheme's result
/// instead (for an exception, this handles it). A challenge then answers with the reason of a
/// <see cref="KeyPairAuthenticationException"/> you fail with, and <c>rejected_by_application</c> for any other failure
/// or no result.</description></item>
/// </list>
/// </remarks>
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
