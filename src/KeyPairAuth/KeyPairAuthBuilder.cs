using System.Diagnostics.CodeAnalysis;
using KeyPairAuth.Replay;
using KeyPairAuth.Stores;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Chooses KeyPairAuth's parts; returned by <see cref="KeyPairAuthServiceCollectionExtensions.AddKeyPairAuth(IServiceCollection)"/>:
/// <c>services.AddKeyPairAuth().AddPublicKeyStore&lt;MyStore&gt;().ConfigureKeyCache(o =&gt; o.Duration = TimeSpan.FromSeconds(10))</c>.
/// </summary>
/// <remarks>
/// Each verb replaces the part it chooses, so the last choice wins and calling a verb twice registers the part once.
/// Without a choice, <c>AddKeyPairAuth()</c> falls back to the in-memory key store and replay cache (and the ASP.NET
/// Core scheme warns about it at start-up outside Development); <see cref="UseInMemoryStores()"/> makes that choice explicit.
/// </remarks>
public sealed class KeyPairAuthBuilder
{
    /// <summary>Initializes a new instance of the <see cref="KeyPairAuthBuilder"/> class.</summary>
    /// <param name="services">The service collection.</param>
    public KeyPairAuthBuilder(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        Services = services;
    }

    /// <summary>Gets the service collection, for extension methods that add stores and caches.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Uses <typeparamref name="TStore"/> as the key store, registered scoped (one instance per request or key-cache
    /// lookup, like a store over a <c>DbContext</c>). Replaces any key store registered before.
    /// </summary>
    /// <typeparam name="TStore">The store type.</typeparam>
    /// <returns>This builder.</returns>
    public KeyPairAuthBuilder AddPublicKeyStore<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TStore>()
        where TStore : class, IPublicKeyStore =>
        AddPublicKeyStore<TStore>(ServiceLifetime.Scoped);

    /// <summary>Uses <typeparamref name="TStore"/> as the key store with the given lifetime. Replaces any key store registered before.</summary>
    /// <remarks>
    /// Any lifetime works: the key cache and the last-used recorder resolve the store in a new scope for each store
    /// call. A singleton store must be thread-safe.
    /// </remarks>
    /// <typeparam name="TStore">The store type.</typeparam>
    /// <param name="lifetime">The lifetime.</param>
    /// <returns>This builder.</returns>
    public KeyPairAuthBuilder AddPublicKeyStore<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TStore>(ServiceLifetime lifetime)
        where TStore : class, IPublicKeyStore
    {
        Services.RemoveAll<IPublicKeyStore>();
        Services.Add(ServiceDescriptor.Describe(typeof(IPublicKeyStore), typeof(TStore), lifetime));
        return this;
    }

    /// <summary>
    /// Uses <typeparamref name="TCache"/> as the replay cache (for example a distributed one shared by every instance),
    /// registered as a singleton: one cache must see every request. Replaces any replay cache registered before.
    /// </summary>
    /// <typeparam name="TCache">The replay-cache type; must be thread-safe.</typeparam>
    /// <returns>This builder.</returns>
    public KeyPairAuthBuilder AddReplayCache<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TCache>()
        where TCache : class, IReplayCache
    {
        Services.RemoveAll<IReplayCache>();
        Services.AddSingleton<IReplayCache, TCache>();
        return this;
    }

    /// <summary>
    /// Chooses the in-memory key store (<see cref="InMemoryPublicKeyStore"/>) and replay cache
    /// (<see cref="InMemoryReplayCache"/>) on purpose: for tests, demos and single-instance apps that re-register keys at
    /// start-up. Keys are lost on restart and replay protection is per instance. Replaces any key store and replay cache
    /// registered before; no start-up warning is logged for them.
    /// </summary>
    /// <returns>This builder.</returns>
    public KeyPairAuthBuilder UseInMemoryStores()
    {
        Services.RemoveAll<IPublicKeyStore>();
        Services.AddSingleton<IPublicKeyStore, InMemoryPublicKeyStore>();
        Services.RemoveAll<IReplayCache>();
        Services.AddSingleton<IReplayCache>(KeyPairAuthServiceCollectionExtensions.CreateInMemoryReplayCache);
        return this;
    }

    /// <summary>Chooses the in-memory key store and replay cache (see <see cref="UseInMemoryStores()"/>) and configures the replay cache.</summary>
    /// <param name="configureReplayCache">Configures <see cref="InMemoryReplayCacheOptions"/>, for example <c>o =&gt; o.MaxEntries = 2_000_000</c>.</param>
    /// <returns>This builder.</returns>
    public KeyPairAuthBuilder UseInMemoryStores(Action<InMemoryReplayCacheOptions> configureReplayCache)
    {
        ArgumentNullException.ThrowIfNull(configureReplayCache);
        Services.Configure(configureReplayCache);
        return UseInMemoryStores();
    }

    /// <summary>Configures the key cache in front of the store (<see cref="PublicKeyCacheOptions"/>); validated at start-up.</summary>
    /// <param name="configure">Configures the options, for example <c>o =&gt; o.Duration = TimeSpan.FromSeconds(10)</c>.</param>
    /// <returns>This builder.</returns>
    public KeyPairAuthBuilder ConfigureKeyCache(Action<PublicKeyCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }
}
