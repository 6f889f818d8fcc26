using KeyPairAuth.Stores;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace KeyPairAuth.AspNetCore;

/// <summary>
/// Context for <see cref="KeyPairAuthenticationEvents.SignatureValidated"/>: the request's signature verified; the
/// application may add claims, replace the principal, or refuse the request anyway.
/// </summary>
/// <remarks>
/// <para>What it carries: <see cref="Key"/>, the stored record of the key that signed (active: neither revoked nor
/// expired); <see cref="ResultContext{TOptions}.Principal"/>, the caller the scheme built (one identity whose name claim
/// is the key's owner, plus <see cref="KeyPairClaimTypes.KeyId"/>, <see cref="KeyPairClaimTypes.KeyName"/> and one
/// <see cref="KeyPairClaimTypes.Scope"/> claim per scope); <see cref="BaseContext{TOptions}.HttpContext"/>,
/// <see cref="BaseContext{TOptions}.Scheme"/> and <see cref="BaseContext{TOptions}.Options"/>. At this point the
/// signature, its coverage and freshness are checked, the nonce is recorded (a replay of this request is refused
/// whatever you decide), and a body covered by <c>Content-Digest</c> has been read and matched.</para>
/// <para>What each result does:</para>
/// <list type="bullet">
/// <item><description>None called: the request authenticates as <see cref="ResultContext{TOptions}.Principal"/> (as
/// you left it); setting it to <see langword="null"/> refuses the request like <c>Fail</c>.</description></item>
/// <item><description><c>Success()</c>: the same, with the <see cref="ResultContext{TOptions}.Properties"/> you set;
/// logged and counted as a verified request.</description></item>
/// <item><description><c>Fail(…)</c>: refused with 401 <c>rejected_by_application</c> (or, when you fail with a
/// <see cref="KeyPairAuthenticationException"/>, its reason and message); logged (event 110), counted, and
/// <see cref="KeyPairAuthenticationEvents.AuthenticationFailed"/> runs. A plain failure message is never sent to the
/// client.</description></item>
/// <item><description><c>NoResult()</c>: this scheme does not authenticate the request (another scheme may); logged and
/// counted as <c>rejected_by_application</c>, and a challenge by this scheme answers 401 <c>rejected_by_application</c>.
/// <see cref="KeyPairAuthenticationEvents.AuthenticationFailed"/> does not run.</description></item>
/// </list>
/// </remarks>
public sealed class KeyPairSignatureValidatedContext : ResultContext<KeyPairAuthenticationOptions>
{
    /// <summary>Initializes a new instance of the <see cref="KeyPairSignatureValidatedContext"/> class.</summary>
    /// <param name="context">The request.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="options">The scheme's options.</param>
    /// <param name="key">The key that signed the request.</param>
    public KeyPairSignatureValidatedContext(HttpContext context, AuthenticationScheme scheme, KeyPairAuthenticationOptions options, PublicKeyRecord key)
        : base(context, scheme, options)
    {
        ArgumentNullException.ThrowIfNull(key);
        Key = key;
    }

    /// <summary>Gets the stored record of the key that signed the request (public material only).</summary>
    public PublicKeyRecord Key { get; }
}
