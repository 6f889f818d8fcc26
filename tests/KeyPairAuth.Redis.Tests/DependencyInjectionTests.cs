using KeyPairAuth.Redis.Internal;
using KeyPairAuth.Replay;
using KeyPairAuth.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace KeyPairAuth.Redis.Tests;

public sealed class DependencyInjectionTests
{
    [Fact]
    public void AddRedisReplayCache_ReplacesTheInMemoryReplayCache_WithoutConnecting()
    {
        var services = new ServiceCollection();
        services.AddKeyPairAuth().AddRedisReplayCache(o => o.Configuration = "127.0.0.1:1");
        using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });

        IReplayCache cache = provider.GetRequiredService<IReplayCache>();

        Assert.IsType<RedisReplayCache>(cache);
        Assert.Single(services, d => d.ServiceType == typeof(IReplayCache));
    }

    [Fact]
    public void AddRedisVerbs_CalledTwice_RegisterEachPartOnce()
    {
        var services = new ServiceCollection();
        KeyPairAuthBuilder builder = services.AddKeyPairAuth();
        builder.AddRedisReplayCache(o => o.Configuration = "127.0.0.1:1").AddRedisRevocationFanOut();
        builder.AddRedisReplayCache().AddRedisRevocationFanOut(o => o.KeyPrefix = "app:");

        Assert.Single(services, d => d.ServiceType == typeof(IReplayCache));
        Assert.Single(services, d => d.ServiceType == typeof(IKeyRevocationNotifier));
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(RevocationSubscriberHost));
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(RedisConnectionWarmUp));
        Assert.Single(services, d => d.ServiceType == typeof(RedisConnection));

        using ServiceProvider provider = services.BuildServiceProvider();
        KeyPairAuthRedisOptions options = provider.GetRequiredService<IOptions<KeyPairAuthRedisOptions>>().Value;
        Assert.Equal("127.0.0.1:1", options.Configuration);
        Assert.Equal("app:", options.KeyPrefix);
    }

    [Fact]
    public async Task Start_NoConfigurationAndNoMultiplexer_FailsAtStartUpNamingTheSetting()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddKeyPairAuth().AddRedisReplayCache();
        using IHost host = builder.Build();

        OptionsValidationException ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("KeyPairAuthRedisOptions.Configuration is required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_NoConfigurationButAMultiplexerRegistered_AreValid()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConnectionMultiplexer>(_ => throw new InvalidOperationException("validation must not resolve the app's connection"));
        services.AddKeyPairAuth().AddRedisReplayCache();
        using ServiceProvider provider = services.BuildServiceProvider();

        KeyPairAuthRedisOptions options = provider.GetRequiredService<IOptions<KeyPairAuthRedisOptions>>().Value;

        Assert.Null(options.Configuration);
    }

    [Theory]
    [InlineData("Timeout", "KeyPairAuthRedisOptions.Timeout must be positive")]
    [InlineData("TimeoutTooLong", "KeyPairAuthRedisOptions.Timeout must be positive and at most 30 seconds")]
    [InlineData("KeyPrefix", "KeyPairAuthRedisOptions.KeyPrefix must be 1 to 256 characters")]
    [InlineData("RevocationChannel", "KeyPairAuthRedisOptions.RevocationChannel must be 1 to 256 characters")]
    [InlineData("NoEndpoint", "KeyPairAuthRedisOptions.Configuration names no endpoint")]
    [InlineData("UnknownOption", "KeyPairAuthRedisOptions.Configuration is not a valid StackExchange.Redis configuration string")]
    public void Options_OutOfRange_FailValidationNamingTheSetting(string setting, string expected)
    {
        var services = new ServiceCollection();
        services.AddKeyPairAuth().AddRedisReplayCache(o =>
        {
            o.Configuration = "127.0.0.1:6379,password=hunter2-secret";
            switch (setting)
            {
                case "Timeout": o.Timeout = TimeSpan.Zero; break;
                case "TimeoutTooLong": o.Timeout = TimeSpan.FromMinutes(1); break;
                case "KeyPrefix": o.KeyPrefix = string.Empty; break;
                case "RevocationChannel": o.RevocationChannel = new string('c', 257); break;
                case "NoEndpoint": o.Configuration = "password=hunter2-secret"; break;
                case "UnknownOption": o.Configuration = "127.0.0.1:6379,password=hunter2-secret,bogus=hunter2-secret"; break;
            }
        });
        using ServiceProvider provider = services.BuildServiceProvider();

        OptionsValidationException ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IReplayCache>());

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_BindFromConfiguration()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["KeyPairAuth:Redis:Configuration"] = "redis.internal:6380,ssl=true",
            ["KeyPairAuth:Redis:KeyPrefix"] = "orders-api:replay:",
            ["KeyPairAuth:Redis:Timeout"] = "00:00:00.100",
            ["KeyPairAuth:Redis:RevocationChannel"] = "orders-api:revocations",
        }).Build();
        var services = new ServiceCollection();
        services.AddKeyPairAuth().AddRedisReplayCache().AddRedisRevocationFanOut();
        services.AddOptions<KeyPairAuthRedisOptions>().Bind(configuration.GetSection("KeyPairAuth:Redis"));
        using ServiceProvider provider = services.BuildServiceProvider();

        KeyPairAuthRedisOptions options = provider.GetRequiredService<IOptions<KeyPairAuthRedisOptions>>().Value;

        Assert.Equal("redis.internal:6380,ssl=true", options.Configuration);
        Assert.Equal("orders-api:replay:", options.KeyPrefix);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.Timeout);
        Assert.Equal("orders-api:revocations", options.RevocationChannel);
    }

    [Fact]
    public void Options_Defaults()
    {
        var options = new KeyPairAuthRedisOptions();

        Assert.Null(options.Configuration);
        Assert.Equal("keypairauth:replay:", options.KeyPrefix);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.Timeout);
        Assert.Equal("keypairauth:revocations", options.RevocationChannel);
    }
}
