using Microsoft.AspNetCore.Authorization;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Scope requirements for minimal APIs and controllers: <c>app.MapPost(...).RequireScope("orders:write")</c>.</summary>
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
}
