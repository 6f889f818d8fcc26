using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace KeyPairAuth.AspNetCore;

/// <summary>
/// Context for <see cref="KeyPairAuthenticationEvents.Forbidden"/>: the caller authenticated but authorization
/// refused. When a scope requirement failed, <see cref="MissingScope"/> names it and the default response is a 403
/// problem body with the error code <c>scope_missing</c>. Call <see cref="HandleResponse"/> to write your own.
/// </summary>
public sealed class KeyPairForbiddenContext : PropertiesContext<KeyPairAuthenticationOptions>
{
    /// <summary>Initializes a new instance of the <see cref="KeyPairForbiddenContext"/> class.</summary>
    /// <param name="context">The request.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="options">The scheme's options.</param>
    /// <param name="properties">The authentication properties.</param>
    /// <param name="missingScope">The first scope the key lacks, or <see langword="null"/> when another requirement failed.</param>
    public KeyPairForbiddenContext(HttpContext context, AuthenticationScheme scheme, KeyPairAuthenticationOptions options, AuthenticationProperties properties, string? missingScope)
        : base(context, scheme, options, properties) => MissingScope = missingScope;

    /// <summary>Gets the first scope the key lacks, or <see langword="null"/> when another requirement failed.</summary>
    public string? MissingScope { get; }

    /// <summary>Gets whether the event handler wrote the response itself.</summary>
    public bool Handled { get; private set; }

    /// <summary>Skips the default response: the event handler writes it.</summary>
    public void HandleResponse() => Handled = true;
}
