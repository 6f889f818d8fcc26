using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace KeyPairAuth.AspNetCore;

/// <summary>
/// Context for <see cref="KeyPairAuthenticationEvents.MessageReceived"/>: a request carrying signature fields,
/// before verification. Calling <c>Success</c>, <c>Fail</c> or <c>NoResult</c> short-circuits the scheme.
/// </summary>
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
