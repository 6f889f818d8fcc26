using KeyPairAuth.Issuance;
using KeyPairAuth.Redis;
using KeyPairAuth.Replay;
using KeyPairAuth.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KeyPairAuth.Testing;

/// <summary>
/// The Redis settings one group of instances shares: a configuration string, and a key prefix and channel no other
/// test uses (so tests can run in parallel on one Redis). <see cref="Apply"/> fits
/// <c>AddRedisReplayCache(settings.Apply)</c> in a test host too (a two-Kestrel test reuses it).
/// </summary>
internal sealed record RedisInstanceSettings(string Configuration, string KeyPrefix, string RevocationChannel, TimeSpan Timeout)
{
    /// <summary>
    /// Fresh names on <paramref name="configuration"/>. The timeout defaults to 2 s, not the production 250 ms: tests run
    /// in parallel on a small shared machine, and only the tests about the bound pass a short one.
    /// </summary>
    public static RedisInstanceSettings Unique(string configuration, TimeSpan? timeout = null) =>
        new(configuration, RedisTestEnvironment.UniqueName("replay"), RedisTestEnvironment.UniqueName("revocations"), timeout ?? TimeSpan.FromSeconds(2));

    public void Apply(KeyPairAuthRedisOptions options)
    {
        options.Configuration = Configuration;
        options.KeyPrefix = KeyPrefix;
        options.RevocationChannel = RevocationChannel;
        options.Timeout = Timeout;
    }

    /// <summary>Adds the Redis parts to an app's <c>AddKeyPairAuth()</c> builder with these settings.</summary>
    public KeyPairAuthBuilder AddTo(KeyPairAuthBuilder builder, bool replayCache = true, bool fanOut = true)
    {
        if (replayCache)
        {
            builder.AddRedisReplayCache(Apply);
        }

        if (fanOut)
        {
            builder.AddRedisRevocationFanOut(Apply);
        }

        return builder;
    }
}

/// <summary>
/// One "instance" of an app using KeyPairAuth: its own service provider (key cache, replay cache, issuer, hosted
/// services started) over a key store that several instances may share (as they would share a database) and the
/// Redis in <see cref="RedisInstanceSettings"/>. Logs are captured.
/// </summary>
internal sealed class KeyPairAuthInstance : IAsyncDisposable
{
    private readonly IHostedService[] _hosted;

    private KeyPairAuthInstance(ServiceProvider services, CapturingLoggerProvider logs)
    {
        Services = services;
        Logs = logs;
        _hosted = [.. services.GetServices<IHostedService>()];
    }

    public ServiceProvider Services { get; }

    public CapturingLoggerProvider Logs { get; }

    public PublicKeyCache KeyCache => Services.GetRequiredService<PublicKeyCache>();

    public IReplayCache ReplayCache => Services.GetRequiredService<IReplayCache>();

    public IKeyPairIssuer Issuer => Services.GetRequiredService<IKeyPairIssuer>();

    /// <summary>Builds and starts an instance.</summary>
    /// <param name="settings">The shared Redis settings.</param>
    /// <param name="store">The key store, shared between instances like a database.</param>
    /// <param name="replayCache">Use the Redis replay cache (else the in-memory one).</param>
    /// <param name="fanOut">Use Redis revocation fan-out.</param>
    /// <param name="configure">Further registrations (for example an <c>IConnectionMultiplexer</c>).</param>
    public static async Task<KeyPairAuthInstance> StartAsync(RedisInstanceSettings settings, IPublicKeyStore store, bool replayCache = true, bool fanOut = true,
        Action<IServiceCollection>? configure = null)
    {
        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton(store);
        configure?.Invoke(services);
        settings.AddTo(services.AddKeyPairAuth(), replayCache, fanOut);

        var instance = new KeyPairAuthInstance(services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true }), logs);
        foreach (IHostedService hosted in instance._hosted)
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        return instance;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        foreach (IHostedService hosted in _hosted.Reverse())
        {
            await hosted.StopAsync(timeout.Token);
        }

        await Services.DisposeAsync();
    }
}
