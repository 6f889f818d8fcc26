using KeyPairAuth;
using KeyPairAuth.Issuance;
using KeyPairAuth.Replay;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers KeyPairAuth's core services.</summary>
public static class KeyPairAuthServiceCollectionExtensions
{
    /// <summary>
    /// Adds KeyPairAuth: <see cref="TimeProvider.System"/> (unless a <see cref="TimeProvider"/> is registered), the
    /// <see cref="IKeyPairIssuer"/>, the <see cref="PublicKeyCache"/> in front of the key store, an
    /// <see cref="HttpMessageVerifier"/> over that cache for verifying outside the ASP.NET Core scheme (its policy from
    /// <c>IOptions&lt;SignatureVerificationOptions&gt;</c>, validated at start-up), and, unless the
    /// application registers its own, an <see cref="InMemoryPublicKeyStore"/> and an <see cref="InMemoryReplayCache"/>.
    /// Choose the parts with the returned builder (<c>AddPublicKeyStore&lt;TStore&gt;()</c>,
    /// <c>AddReplayCache&lt;TCache&gt;()</c>, <c>UseInMemoryStores()</c>, <c>ConfigureKeyCache(...)</c>).
    /// <see cref="PublicKeyCacheOptions"/> and <see cref="InMemoryReplayCacheOptions"/> are validated at start-up.
    /// Safe to call more than once.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder for further configuration (stores, caches).</returns>
    public static KeyPairAuthBuilder AddKeyPairAuth(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = new KeyPairAuthBuilder(services);

        // Registered once: ValidateOnStart adds a registration per call, so a second call adds nothing at all.
        if (services.Any(d => d.ServiceType == typeof(InMemoryFallbackUsage)))
        {
            return builder;
        }

        services.AddOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => new InMemoryFallbackUsage());

        // The fallbacks record that they were used, so a host can warn when a production app runs on them by default.
        services.TryAddSingleton<IPublicKeyStore>(sp =>
        {
            sp.GetRequiredService<InMemoryFallbackUsage>().MarkPublicKeyStore();
            return new InMemoryPublicKeyStore();
        });
        services.TryAddSingleton<IReplayCache>(sp =>
        {
            sp.GetRequiredService<InMemoryFallbackUsage>().MarkReplayCache();
            return CreateInMemoryReplayCache(sp);
        });

        // Transient so the issuer follows its store's lifetime: a scoped (database) store gives a per-scope issuer.
        services.TryAddTransient<IKeyPairIssuer, KeyPairIssuer>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KeyPairIssuerOptions>, KeyPairIssuerOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PublicKeyCacheOptions>, PublicKeyCacheOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InMemoryReplayCacheOptions>, InMemoryReplayCacheOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SignatureVerificationOptions>, SignatureVerificationOptionsValidator>());
        services.AddOptions<PublicKeyCacheOptions>().ValidateOnStart();
        services.AddOptions<InMemoryReplayCacheOptions>().ValidateOnStart();

        // The key cache is a singleton whatever the store's lifetime: it opens a scope per store call (on a miss only).
        // The issuer picks it up to drop revoked and newly registered key ids at once.
        services.TryAddSingleton(sp => new PublicKeyCache(
            sp.GetRequiredService<IServiceScopeFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<PublicKeyCacheOptions>>().Value,
            sp.GetService<ILogger<PublicKeyCache>>()));

        // For verifying outside the ASP.NET Core scheme (a gateway, a queue consumer): the application's key cache, so
        // revocations through the issuer (and a fan-out) reach it at once; the policy from IOptions<SignatureVerificationOptions>.
        services.AddOptions<SignatureVerificationOptions>().ValidateOnStart();
        services.TryAddSingleton(sp => new HttpMessageVerifier(
            sp.GetRequiredService<PublicKeyCache>(),
            sp.GetRequiredService<IReplayCache>(),
            sp.GetRequiredService<IOptions<SignatureVerificationOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));
        return builder;
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

    /// <summary>The in-memory replay cache with its validated options.</summary>
    internal static InMemoryReplayCache CreateInMemoryReplayCache(IServiceProvider services) =>
        new(services.GetRequiredService<TimeProvider>(), services.GetRequiredService<IOptions<InMemoryReplayCacheOptions>>().Value);
}
