using System.Diagnostics.CodeAnalysis;
using KeyPairAuth.Issuance;
using KeyPairAuth.Replay;
using KeyPairAuth.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>What <c>AddKeyPair</c> registers so the scheme fits an ASP.NET Core app without further calls.</summary>
internal static class KeyPairSchemeServices
{
    public static void Add(IServiceCollection services)
    {
        // [Authorize(Policy = "scope:orders:write")] without a per-scope AddScopePolicy.
        KeyPairScopePolicyProvider.TryRegister(services);

        // appsettings: Authentication:Schemes:<scheme> for each KeyPair scheme, KeyPairAuth:KeyCache / ReplayCache /
        // Issuance for the core services. Configuration is applied first, so whatever code configures wins.
        AddConfigurationFirst<KeyPairAuthenticationOptions, KeyPairAuthenticationConfigureOptions>(services);
        AddConfigurationFirst<PublicKeyCacheOptions, KeyPairAuthConfigureOptions>(services);
        AddConfigurationFirst<InMemoryReplayCacheOptions, KeyPairAuthConfigureOptions>(services);
        AddConfigurationFirst<KeyPairIssuerOptions, KeyPairAuthConfigureOptions>(services);

        // A bad value in the KeyPairAuth section stops the host at start-up rather than at the first request.
        services.AddOptions<PublicKeyCacheOptions>().ValidateOnStart();
        services.AddOptions<InMemoryReplayCacheOptions>().ValidateOnStart();
        services.AddOptions<KeyPairIssuerOptions>().ValidateOnStart();
    }

    /// <summary>
    /// Registers <typeparamref name="TConfigure"/> ahead of every <see cref="IConfigureOptions{TOptions}"/> registered so
    /// far: options run their configure actions in registration order, so values set in code, before or after
    /// <c>AddKeyPair</c>, override the configuration. Safe to call more than once.
    /// </summary>
    private static void AddConfigurationFirst<TOptions, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TConfigure>(IServiceCollection services)
        where TOptions : class
        where TConfigure : class, IConfigureOptions<TOptions>
    {
        Type serviceType = typeof(IConfigureOptions<TOptions>);
        int first = -1;
        for (int i = 0; i < services.Count; i++)
        {
            ServiceDescriptor descriptor = services[i];
            if (descriptor.ServiceType != serviceType)
            {
                continue;
            }

            if (descriptor.ImplementationType == typeof(TConfigure))
            {
                return;
            }

            if (first < 0)
            {
                first = i;
            }
        }

        var configure = ServiceDescriptor.Singleton(serviceType, typeof(TConfigure));
        if (first < 0)
        {
            services.Add(configure);
        }
        else
        {
            services.Insert(first, configure);
        }
    }
}
