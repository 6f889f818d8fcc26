using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace KeyPairAuth.AspNetCore;

/// <summary>
/// Context for <see cref="KeyPairAuthenticationEvents.Forbidden"/>: the caller authenticated but authorization
/// refused. When a scope requirement failed, <see cref="MissingScopes"/> names the scopes and the default response is a
/// 403 problem body with the error code <c>scope_missing</c> and a <c>scope</c> member, plus
/// <c>WWW-Authenticate: KeyPair error="insufficient_scope", scope="…"</c> (RFC 6750 §3). Call <see cref="HandleResponse"/>
/// to write your own.
/// </summary>
/// <remarks>
/// What it carries: <see cref="MissingScopes"/>, <see cref="PropertiesContext{TOptions}.Properties"/> from the forbid
/// call, and <see cref="BaseContext{TOptions}.HttpContext"/> whose <c>User</c> is the authenticated caller. Without
/// <see cref="HandleResponse"/>, the scheme writes the 403 described above (a bare 403 when no scope is missing).
/// </remarks>
public sealed class KeyPairForbiddenContext : PropertiesContext<KeyPairAuthenticationOptions>
{
    /// <summary>Initializes a new instance of the <see cref="KeyPairForbiddenContext"/> class.</summary>
    /// <param name="context">The request.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="options">The scheme's options.</param>
    /// <param name="properties">The authentication properties.</param>
    /// <param name="missingScope">The first scope the key lacks, or <see langword="null"/> when another requirement failed.</param>
    public KeyPairForbiddenContext(HttpContext context, AuthenticationScheme scheme, KeyPairAuthenticationOptions options, AuthenticationProperties properties, string? missingScope)
        : this(context, scheme, options, properties, missingScope is null ? [] : [missingScope])
    {
    }

    /// <summary>Initializes a new instance of the <see cref="KeyPairForbiddenContext"/> class.</summary>
    /// <param name="context">The request.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="options">The scheme's options.</param>
    /// <param name="properties">The authentication properties.</param>
    /// <param name="missingScopes">Every scope the key lacks, in requirement order; empty when another requirement failed.</param>
    public KeyPairForbiddenContext(HttpContext context, AuthenticationScheme scheme, KeyPairAuthenticationOptions options, AuthenticationProperties properties, IReadOnlyList<string> missingScopes)
        : base(context, scheme, options, properties)
    {
        ArgumentNullException.ThrowIfNull(missingScopes);
        MissingScopes = missingScopes;
    }

    /// <summary>Gets the first scope the key lacks, or <see langword="null"/> when another requirement failed.</summary>
    public string? MissingScope => MissingScopes.Count > 0 ? MissingScopes[0] : null;

    /// <summary>
    /// Gets every scope the key lacks, in requirement order; empty when another requirement failed. The default response
    /// names them in the problem body's <c>scope</c> member and in <c>WWW-Authenticate: KeyPair error="insufficient_scope", scope="…"</c>.
    /// </summary>
    public IReadOnlyList<string> MissingScopes { get; }

    /// <summary>Gets whether the event handler wrote the response itself.</summary>
    public bool Handled { get; private set; }

    /// <summary>Skips the default response: the event handler writes it.</summary>
    public void HandleResponse() => Handled = true;
}
