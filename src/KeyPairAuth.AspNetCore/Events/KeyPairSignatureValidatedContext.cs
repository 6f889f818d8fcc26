using KeyPairAuth.Stores;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace KeyPairAuth.AspNetCore;

/// <summary>
/// Context for <see cref="KeyPairAuthenticationEvents.SignatureValidated"/>: the signature and the body digest
/// verified and <see cref="ResultContext{TOptions}.Principal"/> holds the caller. The handler may add claims,
/// replace the principal, or call <c>Fail</c> to refuse the request anyway.
/// </summary>
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
