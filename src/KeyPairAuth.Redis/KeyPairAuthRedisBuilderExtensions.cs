using KeyPairAuth.Redis;
using KeyPairAuth.Redis.Internal;
using KeyPairAuth.Replay;
using KeyPairAuth.Stores;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds KeyPairAuth's Redis parts to <see cref="KeyPairAuthBuilder"/>, for several instances behind one load balancer.</summary>
public static class KeyPairAuthRedisBuilderExtensions
{
    /// <summary>
    /// Replaces the in-memory replay cache with one in Redis that every instance shares, so a request accepted by one
    /// instance and replayed to another is refused. Fails closed: while Redis is unreachable or slower than
    /// <see cref="KeyPairAuthRedisOptions.Timeout"/>, signed requests get 503 <c>replay_cache_unavailable</c>.
    /// </summary>
    /// <param name="builder">The builder from <c>services.AddKeyPairAuth()</c>.</param>
    /// <param name="configure">
    /// Sets <see cref="KeyPairAuthRedisOptions"/>, for example <c>o => o.Configuration = "redis:6379,ssl=true,password=…"</c>;
    /// may be omitted when the options are bound from configuration or an <c>IConnectionMultiplexer</c> is registered.
    /// </param>
    /// <returns>The builder.</returns>
    /// <remarks>Safe to call more than once; the options are validated at start-up.</remarks>
    public static KeyPairAuthBuilder AddRedisReplayCache(this KeyPairAuthBuilder builder, Action<KeyPairAuthRedisOptions>? configure = null)
    {
        AddRedisCore(builder, configure);

        // Replace, not TryAdd: AddKeyPairAuth() has already registered the in-memory cache as the default.
        builder.Services.TryAddSingleton<RedisReplayCache>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IReplayCache>(static sp => sp.GetRequiredService<RedisReplayCache>()));
        return builder;
    }

    /// <summary>
    /// Tells every instance about keys revoked through <c>IKeyPairIssuer.RevokeAsync</c> on any one of them (Redis
    /// pub/sub on <see cref="KeyPairAuthRedisOptions.RevocationChannel"/>), so each drops the key from its key cache
    /// within about a round trip instead of after <c>PublicKeyCacheOptions.Duration</c>. The key-cache duration stays
    /// the bound when pub/sub is down. Needs the generic host (a hosted service keeps the subscription).
    /// </summary>
    /// <param name="builder">The builder from <c>services.AddKeyPairAuth()</c>.</param>
    /// <param name="configure">Sets <see cref="KeyPairAuthRedisOptions"/> (shared with <see cref="AddRedisReplayCache"/>).</param>
    /// <returns>The builder.</returns>
    /// <remarks>Safe to call more than once.</remarks>
    public static KeyPairAuthBuilder AddRedisRevocationFanOut(this KeyPairAuthBuilder builder, Action<KeyPairAuthRedisOptions>? configure = null)
    {
        AddRedisCore(builder, configure);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IKeyRevocationNotifier, RedisKeyRevocationNotifier>());
        builder.Services.TryAddSingleton<RedisRevocationSubscriber>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RevocationSubscriberHost>());
        return builder;
    }

    private static void AddRedisCore(KeyPairAuthBuilder builder, Action<KeyPairAuthRedisOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        OptionsBuilder<KeyPairAuthRedisOptions> options = services.AddOptions<KeyPairAuthRedisOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KeyPairAuthRedisOptions>, KeyPairAuthRedisOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RedisConnection>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RedisConnectionWarmUp>());
    }
}
