using KeyPairAuth.Issuance;
using KeyPairAuth.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.Tests.DependencyInjection;

public sealed class KeyPairAuthServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddKeyPairAuth_RegistersWorkingIssuerWithInMemoryStoreAndSystemClock()
    {
        ServiceCollection services = new();
        KeyPairAuthBuilder builder = services.AddKeyPairAuth();
        Assert.Same(services, builder.Services);

        using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        Assert.IsType<InMemoryPublicKeyStore>(provider.GetRequiredService<IPublicKeyStore>());
        Assert.Same(provider.GetRequiredService<IPublicKeyStore>(), provider.GetRequiredService<IPublicKeyStore>());
        Assert.Equal(10, provider.GetRequiredService<IOptions<KeyPairIssuerOptions>>().Value.MaxActiveKeysPerOwner);

        IKeyPairIssuer issuer = provider.GetRequiredService<IKeyPairIssuer>();
        using IssuedKeyPair issued = await issuer.IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "k" });
        Assert.NotNull(await provider.GetRequiredService<IPublicKeyStore>().FindAsync(issued.KeyId));
    }

    [Fact]
    public void AddKeyPairAuth_CalledTwice_RegistersEachServiceOnce()
    {
        ServiceCollection services = new();
        services.AddKeyPairAuth();
        int count = services.Count;
        services.AddKeyPairAuth();
        services.AddKeyPairAuth(o => o.MaxActiveKeysPerOwner = 3);
        Assert.Single(services, d => d.ServiceType == typeof(IKeyPairIssuer));
        Assert.Single(services, d => d.ServiceType == typeof(IPublicKeyStore));
        Assert.Single(services, d => d.ServiceType == typeof(TimeProvider));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<KeyPairIssuerOptions>));
        Assert.Equal(count + 1, services.Count); // only the Configure action was added

        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.Equal(3, provider.GetRequiredService<IOptions<KeyPairIssuerOptions>>().Value.MaxActiveKeysPerOwner);
    }

    [Fact]
    public async Task AddKeyPairAuth_ConfigureOverload_SetsLimit()
    {
        ServiceCollection services = new();
        services.AddKeyPairAuth(o => o.MaxActiveKeysPerOwner = 1);
        using ServiceProvider provider = services.BuildServiceProvider();
        IKeyPairIssuer issuer = provider.GetRequiredService<IKeyPairIssuer>();
        using IssuedKeyPair first = await issuer.IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "k" });
        KeyIssuanceException ex = await Assert.ThrowsAsync<KeyIssuanceException>(async () => await issuer.IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "k2" }));
        Assert.Equal(KeyIssuanceError.ActiveKeyLimitReached, ex.Error);
    }

    [Fact]
    public void AddKeyPairAuth_KeepsRegistrationsMadeBefore()
    {
        ServiceCollection services = new();
        FakeTimeProvider time = new();
        InMemoryPublicKeyStore store = new();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IPublicKeyStore>(store);
        services.AddKeyPairAuth();
        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.Same(time, provider.GetRequiredService<TimeProvider>());
        Assert.Same(store, provider.GetRequiredService<IPublicKeyStore>());
    }

    [Fact]
    public void AddKeyPairAuth_InvalidLimit_FailsOptionsValidationNamingTheSetting()
    {
        ServiceCollection services = new();
        services.AddKeyPairAuth(o => o.MaxActiveKeysPerOwner = 0);
        using ServiceProvider provider = services.BuildServiceProvider();
        OptionsValidationException ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<KeyPairIssuerOptions>>().Value);
        Assert.Contains("MaxActiveKeysPerOwner", ex.Message, StringComparison.Ordinal);
    }
}
