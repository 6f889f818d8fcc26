using KeyPairAuth.Issuance;
using KeyPairAuth.Stores;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers KeyPairAuth's core services.</summary>
public static class KeyPairAuthServiceCollectionExtensions
{
    /// <summary>
    /// Adds KeyPairAuth: <see cref="TimeProvider.System"/> (unless a <see cref="TimeProvider"/> is registered), an
    /// <see cref="InMemoryPublicKeyStore"/> (unless an <see cref="IPublicKeyStore"/> is registered) and the
    /// <see cref="IKeyPairIssuer"/>. Safe to call more than once.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder for further configuration (stores, caches).</returns>
    public static KeyPairAuthBuilder AddKeyPairAuth(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IPublicKeyStore, InMemoryPublicKeyStore>();

        // Transient so the issuer follows its store's lifetime: a scoped (database) store gives a per-scope issuer.
        services.TryAddTransient<IKeyPairIssuer, KeyPairIssuer>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KeyPairIssuerOptions>, KeyPairIssuerOptionsValidator>());

        // Verification services (PublicKeyCache, IReplayCache, HttpMessageVerifier) are registered here by the
        // verification engine; the issuer picks up a registered PublicKeyCache to invalidate revoked keys at once.
        return new KeyPairAuthBuilder(services);
    }

    /// <summary>Adds KeyPairAuth (see <see cref="AddKeyPairAuth(IServiceCollection)"/>) and configures the issuer.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures <see cref="KeyPairIssuerOptions"/>, for example <c>o => o.MaxActiveKeysPerOwner = 5</c>.</param>
    /// <returns>A builder for further configuration (stores, caches).</returns>
    public static KeyPairAuthBuilder AddKeyPairAuth(this IServiceCollection services, Action<KeyPairIssuerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        return services.AddKeyPairAuth();
    }
}
