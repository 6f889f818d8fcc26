using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace KeyPairAuth.AspNetCore;

/// <summary>
/// Context for <see cref="KeyPairAuthenticationEvents.MessageReceived"/>: a request that carries a <c>Signature</c> or
/// <c>Signature-Input</c> field, before anything is verified.
/// </summary>
/// <remarks>
/// <para>What it carries: <see cref="BaseContext{TOptions}.HttpContext"/> (the request as received: headers, target,
/// an unread body), <see cref="BaseContext{TOptions}.Scheme"/> and <see cref="BaseContext{TOptions}.Options"/>.
/// <see cref="ResultContext{TOptions}.Principal"/> is <see langword="null"/>: no key has been looked up, no signature
/// checked, no nonce recorded and no body read. The event is not raised for a request without signature fields, nor
/// on an <c>[AllowAnonymous]</c> endpoint unless <see cref="KeyPairAuthenticationOptions.AuthenticateAllowAnonymousEndpoints"/>
/// is on.</para>
/// <para>What each result does:</para>
/// <list type="bullet">
/// <item><description>None called: the scheme verifies the request.</description></item>
/// <item><description><c>Success()</c>: the request authenticates as the <see cref="ResultContext{TOptions}.Principal"/>
/// you set, without any verification (the application vouches for it); counted as a success.</description></item>
/// <item><description><c>Fail(…)</c>: refused with 401 <c>rejected_by_application</c> (or, when you fail with a
/// <see cref="KeyPairAuthenticationException"/>, its reason and message); logged (event 110), counted, and
/// <see cref="KeyPairAuthenticationEvents.AuthenticationFailed"/> runs. A plain failure message is never sent to the
/// client.</description></item>
/// <item><description><c>NoResult()</c>: this scheme does not authenticate the request (another scheme may); logged and
/// counted as <c>rejected_by_application</c>, and a challenge by this scheme answers 401 <c>rejected_by_application</c>.
/// <see cref="KeyPairAuthenticationEvents.AuthenticationFailed"/> does not run.</description></item>
/// </list>
/// </remarks>
public sealed class KeyPairMessageReceivedContext : ResultContext<KeyPairAuthenticationOptions>
{
    /// <summary>Initializes a new instance of the <see cref="KeyPairMessageReceivedContext"/> class.</summary>
    /// <param name="context">The request.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="options">The scheme's options.</param>
    public KeyPairMessageReceivedContext(HttpContext context, AuthenticationScheme scheme, KeyPairAuthenticationOptions options)
        : base(context, scheme, options)
    {
    }
}
