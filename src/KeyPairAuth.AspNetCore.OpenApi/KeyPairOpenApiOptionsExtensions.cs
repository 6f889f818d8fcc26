using KeyPairAuth.AspNetCore;
using KeyPairAuth.AspNetCore.OpenApi.Internal;

namespace Microsoft.AspNetCore.OpenApi;

/// <summary>Describes KeyPair request signatures in the documents <c>Microsoft.AspNetCore.OpenApi</c> generates.</summary>
public static class KeyPairOpenApiOptionsExtensions
{
    /// <summary>
    /// Adds the KeyPair security scheme to the document (what a client must sign: covered components, signature
    /// parameters, <c>Content-Digest</c>), marks every operation whose endpoint requires authorization with it, and adds
    /// those operations' <c>401</c> and <c>403</c> <c>application/problem+json</c> responses.
    /// </summary>
    /// <param name="options">The OpenAPI document options (<c>services.AddOpenApi(o =&gt; o.AddKeyPairSecurityScheme())</c>).</param>
    /// <param name="authenticationScheme">The KeyPair authentication scheme's name, also used as the security scheme's name in the document.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <remarks>
    /// An operation counts as protected when its endpoint carries authorization metadata (<c>RequireAuthorization</c>,
    /// <c>[Authorize]</c>, <c>RequireScope</c>) and no <c>[AllowAnonymous]</c>; authorization metadata that names only other
    /// authentication schemes is left alone. Calling this twice for the same scheme adds nothing twice.
    /// </remarks>
    public static OpenApiOptions AddKeyPairSecurityScheme(this OpenApiOptions options, string authenticationScheme = KeyPairAuthenticationDefaults.AuthenticationScheme)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(authenticationScheme);
        var transformer = new KeyPairSecuritySchemeTransformer(authenticationScheme);
        options.AddDocumentTransformer(transformer);
        options.AddOperationTransformer(transformer);
        return options;
    }
}
