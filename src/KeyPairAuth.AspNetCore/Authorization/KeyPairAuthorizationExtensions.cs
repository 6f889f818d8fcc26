using KeyPairAuth.AspNetCore;

namespace Microsoft.AspNetCore.Authorization;

/// <summary>Scope policies for the KeyPair scheme: <c>policy.RequireScope("orders:write")</c> and <c>options.AddScopePolicy("orders:write")</c>.</summary>
public static class KeyPairAuthorizationExtensions
{
    /// <summary>Requires an authenticated caller whose key holds every one of <paramref name="scopes"/>.</summary>
    /// <param name="builder">The policy builder.</param>
    /// <param name="scopes">The required scopes.</param>
    /// <returns>The builder.</returns>
    public static AuthorizationPolicyBuilder RequireScope(this AuthorizationPolicyBuilder builder, params string[] scopes)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(scopes);
        if (scopes.Length == 0)
        {
            throw new ArgumentException("At least one scope is required.", nameof(scopes));
        }

        builder.RequireAuthenticatedUser();
        foreach (string scope in scopes)
        {
            builder.AddRequirements(new KeyPairScopeRequirement(scope));
        }

        return builder;
    }

    /// <summary>
    /// Adds a policy named <c>scope:</c> + <paramref name="scope"/> (for example <c>scope:orders:write</c>) that requires
    /// the scope, for use as <c>[Authorize(Policy = "scope:orders:write")]</c>.
    /// </summary>
    /// <param name="options">The authorization options.</param>
    /// <param name="scope">The required scope.</param>
    /// <returns>The options.</returns>
    public static AuthorizationOptions AddScopePolicy(this AuthorizationOptions options, string scope)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        options.AddPolicy(KeyPairAuthenticationDefaults.ScopePolicyPrefix + scope, policy => policy.RequireScope(scope));
        return options;
    }
}
