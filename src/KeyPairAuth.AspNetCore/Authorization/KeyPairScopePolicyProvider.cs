using System.Collections.Concurrent;
using KeyPairAuth.Issuance;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KeyPairAuth.AspNetCore;

/// <summary>
/// Resolves policy names of the form <c>scope:</c> + scope (for example <c>scope:orders:write</c>) to a policy that
/// requires an authenticated caller whose key holds that scope, so <c>[Authorize(Policy = "scope:orders:write")]</c>
/// and <c>RequireAuthorization("scope:orders:write")</c> work without registering each scope. Every other name, and
/// any <c>scope:</c> policy the application registered itself, comes from the fallback provider.
/// </summary>
/// <remarks>
/// <para>
/// <c>AddKeyPair()</c> registers it in place of ASP.NET Core's <see cref="DefaultAuthorizationPolicyProvider"/>, whichever
/// of <c>AddAuthorization</c> / <c>AddControllers</c> and <c>AddKeyPair</c> runs first. An application that registered
/// its own <see cref="IAuthorizationPolicyProvider"/> keeps it: to get <c>scope:</c> policies too, wrap it
/// (<c>new KeyPairScopePolicyProvider(myProvider)</c>) or have it fall back to this class.
/// </para>
/// <para>
/// Built policies are cached. A <c>scope:</c> name whose scope does not match the scope grammar
/// (<see cref="KeyScopes.Pattern"/>) can never be satisfied by a key, so it is refused with an
/// <see cref="InvalidOperationException"/> naming it rather than silently denying every caller.
/// </para>
/// </remarks>
public sealed class KeyPairScopePolicyProvider : IAuthorizationPolicyProvider
{
    // Policy names come from endpoint metadata (the application's code), not from requests; the bound is a backstop.
    private const int MaxCachedPolicies = 1024;

    private static readonly Func<IServiceProvider, object> DefaultFactory =
        services => new KeyPairScopePolicyProvider(new DefaultAuthorizationPolicyProvider(services.GetRequiredService<IOptions<AuthorizationOptions>>()));

    private readonly IAuthorizationPolicyProvider _fallback;
    private readonly ConcurrentDictionary<string, AuthorizationPolicy> _policies = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="KeyPairScopePolicyProvider"/> class.</summary>
    /// <param name="fallback">The provider asked first, for every policy name (usually <see cref="DefaultAuthorizationPolicyProvider"/>).</param>
    public KeyPairScopePolicyProvider(IAuthorizationPolicyProvider fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        _fallback = fallback;
    }

    /// <inheritdoc/>
    public bool AllowsCachingPolicies => _fallback.AllowsCachingPolicies;

    /// <inheritdoc/>
    public Task<AuthorizationPolicy> GetDefaultPolicyAsync() => _fallback.GetDefaultPolicyAsync();

    /// <inheritdoc/>
    public Task<AuthorizationPolicy?> GetFallbackPolicyAsync() => _fallback.GetFallbackPolicyAsync();

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The name starts with <c>scope:</c> but the rest is not a valid scope.</exception>
    public Task<AuthorizationPolicy?> GetPolicyAsync(string policyName)
    {
        ArgumentNullException.ThrowIfNull(policyName);
        Task<AuthorizationPolicy?> registered = _fallback.GetPolicyAsync(policyName);
        if (!policyName.StartsWith(KeyPairAuthenticationDefaults.ScopePolicyPrefix, StringComparison.Ordinal))
        {
            return registered;
        }

        // The application's own policy of that name wins; the default provider answers synchronously.
        return registered.IsCompletedSuccessfully
            ? Task.FromResult<AuthorizationPolicy?>(registered.Result ?? GetScopePolicy(policyName))
            : ResolveAsync(registered, policyName);
    }

    /// <summary>Registers the provider in place of the default one, unless the application registered its own.</summary>
    /// <param name="services">The service collection.</param>
    internal static void TryRegister(IServiceCollection services)
    {
        ServiceDescriptor? current = services.LastOrDefault(d => d.ServiceType == typeof(IAuthorizationPolicyProvider) && !d.IsKeyedService);
        var ours = ServiceDescriptor.Singleton(typeof(IAuthorizationPolicyProvider), DefaultFactory);
        if (current is null)
        {
            // AddAuthorization, if it runs later, uses TryAdd and leaves this in place.
            services.Add(ours);
        }
        else if (current.ImplementationType == typeof(DefaultAuthorizationPolicyProvider))
        {
            // The framework default, added by AddAuthorization/AddControllers: take its place (it becomes our fallback).
            services[services.IndexOf(current)] = ours;
        }

        // Otherwise it is ours already, or the application's own provider, which is left alone (see the remarks).
    }

    private async Task<AuthorizationPolicy?> ResolveAsync(Task<AuthorizationPolicy?> registered, string policyName) =>
        await registered.ConfigureAwait(false) ?? GetScopePolicy(policyName);

    private AuthorizationPolicy GetScopePolicy(string policyName)
    {
        if (_policies.TryGetValue(policyName, out AuthorizationPolicy? cached))
        {
            return cached;
        }

        string scope = policyName[KeyPairAuthenticationDefaults.ScopePolicyPrefix.Length..];
        if (!KeyScopes.IsValid(scope))
        {
            throw new InvalidOperationException(
                $"The authorization policy '{policyName}' names the scope '{scope}', which no key can hold: a scope matches {KeyScopes.Pattern} and is at most {KeyScopes.MaxLength} characters, for example 'scope:orders:write'.");
        }

        AuthorizationPolicy policy = new AuthorizationPolicyBuilder().RequireScope(scope).Build();
        if (_policies.Count < MaxCachedPolicies)
        {
            policy = _policies.GetOrAdd(policyName, policy);
        }

        return policy;
    }
}
