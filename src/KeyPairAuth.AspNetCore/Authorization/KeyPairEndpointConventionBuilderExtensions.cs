using KeyPairAuth.AspNetCore;
using KeyPairAuth.Signatures;
using Microsoft.AspNetCore.Authorization;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Scope and signature-coverage requirements for minimal APIs and route groups:
/// <c>app.MapPost(...).RequireScope("orders:write").RequireSignedComponents("content-type")</c>.
/// </summary>
public static class KeyPairEndpointConventionBuilderExtensions
{
    /// <summary>Requires an authenticated caller whose key holds every one of <paramref name="scopes"/>; a missing scope answers 403 <c>scope_missing</c>.</summary>
    /// <typeparam name="TBuilder">The endpoint convention builder type.</typeparam>
    /// <param name="builder">The endpoint builder.</param>
    /// <param name="scopes">The required scopes.</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, params string[] scopes)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(scopes);
        return builder.RequireAuthorization(policy => policy.RequireScope(scopes));
    }

    /// <summary>
    /// Requires every signature accepted for these endpoints to also cover <paramref name="components"/> (on top of the
    /// default coverage and the scheme's <c>AdditionalRequiredComponents</c>); see <see cref="RequireSignedComponentsAttribute"/>.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint convention builder type.</typeparam>
    /// <param name="builder">The endpoint or route group builder.</param>
    /// <param name="components">The component identifiers, e.g. <c>content-type</c>.</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequireSignedComponents<TBuilder>(this TBuilder builder, params string[] components)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(components);
        if (components.Length == 0)
        {
            throw new ArgumentException("At least one component identifier is required.", nameof(components));
        }

        // Minimal-API endpoints are mapped at start-up: a name no signature can cover fails here, naming it.
        var attribute = new RequireSignedComponentsAttribute(components);
        foreach (string component in attribute.Components)
        {
            if (!SignatureVerificationOptionsValidator.IsRequirableComponent(component))
            {
                throw new ArgumentException(
                    $"'{component}' cannot be required of a signature: component identifiers are {SignatureVerificationOptionsValidator.RequirableComponentsRule}.",
                    nameof(components));
            }
        }

        return builder.WithMetadata(attribute);
    }
}
