using KeyPairAuth.Issuance;
using KeyPairAuth.Replay;
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
    public async Task AddKeyPairAuth_RegistersInMemoryReplayCacheAndKeyCacheThatRevocationInvalidates()
    {
        var time = new FakeTimeProvider();
        ServiceCollection services = new();
        services.AddSingleton<TimeProvider>(time);
        services.AddKeyPairAuth();
        using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        IReplayCache replay = provider.GetRequiredService<IReplayCache>();
        Assert.IsType<InMemoryReplayCache>(replay);
        Assert.Equal(ReplayCheckResult.Accepted, await replay.TryAddAsync("kpa_x", "n1", time.GetUtcNow().AddMinutes(5)));
        Assert.Equal(ReplayCheckResult.Replayed, await replay.TryAddAsync("kpa_x", "n1", time.GetUtcNow().AddMinutes(5)));

        // The key cache serves the record; revoking through the issuer drops it from the cache at once,
        // without waiting for the cache duration to pass.
        PublicKeyCache cache = provider.GetRequiredService<PublicKeyCache>();
        IKeyPairIssuer issuer = provider.GetRequiredService<IKeyPairIssuer>();
        using IssuedKeyPair issued = await issuer.IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "k" });
        Assert.False((await cache.FindAsync(issued.KeyId))!.IsRevoked);
        await issuer.RevokeAsync(issued.KeyId);
        Assert.True((await cache.FindAsync(issued.KeyId))!.IsRevoked);
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

    [Theory]
    [InlineData(ServiceLifetime.Singleton)]
    [InlineData(ServiceLifetime.Scoped)]
    [InlineData(ServiceLifetime.Transient)]
    public async Task AddPublicKeyStore_AnyLifetime_KeyCacheResolvesItPerStoreCallWithScopeValidation(ServiceLifetime lifetime)
    {
        var time = new FakeTimeProvider();
        ServiceCollection services = new();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<StoreLog>();
        services.AddKeyPairAuth().AddPublicKeyStore<LoggingStore>(lifetime);
        await using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        StoreLog log = provider.GetRequiredService<StoreLog>();

        // Issue in a scope, as a request would (the issuer follows the store's lifetime).
        string keyId;
        await using (AsyncServiceScope scope = provider.CreateAsyncScope())
        {
            using IssuedKeyPair issued = await scope.ServiceProvider.GetRequiredService<IKeyPairIssuer>().IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "k" });
            keyId = issued.KeyId;
        }

        int createdBefore = log.Created;
        PublicKeyCache cache = provider.GetRequiredService<PublicKeyCache>();
        Assert.NotNull(await cache.FindAsync(keyId)); // miss: one store call
        Assert.NotNull(await cache.FindAsync(keyId)); // hit: no store, no scope
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.NotNull(await cache.FindAsync(keyId)); // expired: one more store call

        Assert.Equal(2, log.Finds.Count);
        if (lifetime == ServiceLifetime.Singleton)
        {
            Assert.Single(log.Finds.Distinct());
            Assert.Equal(1, log.Created);
        }
        else
        {
            // A fresh instance per store call, disposed when its scope ends: never one instance shared by every request.
            Assert.Equal(2, log.Finds.Distinct().Count());
            Assert.Equal(createdBefore + 2, log.Created);
            Assert.All(log.Finds, id => Assert.Contains(id, log.Disposed));
        }
    }

    [Fact]
    public void AddPublicKeyStore_WithoutLifetime_IsScoped_AndTheLastChoiceWins()
    {
        ServiceCollection services = new();
        services.AddSingleton<IPublicKeyStore>(new InMemoryPublicKeyStore());
        KeyPairAuthBuilder builder = services.AddKeyPairAuth();
        builder.AddPublicKeyStore<LoggingStore>();
        builder.AddPublicKeyStore<LoggingStore>();

        ServiceDescriptor store = Assert.Single(services, d => d.ServiceType == typeof(IPublicKeyStore));
        Assert.Equal(ServiceLifetime.Scoped, store.Lifetime);
        Assert.Equal(typeof(LoggingStore), store.ImplementationType);

        builder.UseInMemoryStores();
        store = Assert.Single(services, d => d.ServiceType == typeof(IPublicKeyStore));
        Assert.Equal(typeof(InMemoryPublicKeyStore), store.ImplementationType);
        Assert.Single(services, d => d.ServiceType == typeof(IReplayCache));
    }

    [Fact]
    public async Task AddReplayCache_ReplacesTheInMemoryOne_AsASingleton()
    {
        ServiceCollection services = new();
        services.AddKeyPairAuth().AddReplayCache<CountingReplayCache>().AddReplayCache<CountingReplayCache>();
        await using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        ServiceDescriptor replay = Assert.Single(services, d => d.ServiceType == typeof(IReplayCache));
        Assert.Equal(ServiceLifetime.Singleton, replay.Lifetime);
        Assert.IsType<CountingReplayCache>(provider.GetRequiredService<IReplayCache>());
        Assert.Same(provider.GetRequiredService<IReplayCache>(), provider.GetRequiredService<IReplayCache>());
        Assert.False(provider.GetRequiredService<InMemoryFallbackUsage>().ReplayCache);
    }

    [Fact]
    public async Task AddKeyPairAuth_NothingChosen_FallbackIsReported()
    {
        ServiceCollection services = new();
        services.AddKeyPairAuth();
        await using ServiceProvider provider = services.BuildServiceProvider();
        InMemoryFallbackUsage usage = provider.GetRequiredService<InMemoryFallbackUsage>();
        Assert.False(usage.PublicKeyStore); // nothing resolved yet

        Assert.IsType<InMemoryPublicKeyStore>(provider.GetRequiredService<IPublicKeyStore>());
        Assert.IsType<InMemoryReplayCache>(provider.GetRequiredService<IReplayCache>());

        Assert.True(usage.PublicKeyStore);
        Assert.True(usage.ReplayCache);
    }

    [Fact]
    public async Task UseInMemoryStores_SameParts_ChosenOnPurposeAndNotReported()
    {
        ServiceCollection services = new();
        services.AddKeyPairAuth().UseInMemoryStores(o => o.MaxEntries = 5_000).UseInMemoryStores();
        await using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.IsType<InMemoryPublicKeyStore>(provider.GetRequiredService<IPublicKeyStore>());
        var replay = Assert.IsType<InMemoryReplayCache>(provider.GetRequiredService<IReplayCache>());
        Assert.Equal(500, replay.MaxEntriesPerKey); // the configured capacity, a tenth per key

        InMemoryFallbackUsage usage = provider.GetRequiredService<InMemoryFallbackUsage>();
        Assert.False(usage.PublicKeyStore);
        Assert.False(usage.ReplayCache);
    }

    [Fact]
    public async Task AddKeyPairAuth_StoreRegisteredByTheApp_BeforeOrAfter_IsNotReported()
    {
        foreach (bool before in new[] { true, false })
        {
            ServiceCollection services = new();
            if (before)
            {
                services.AddSingleton<IPublicKeyStore>(new InMemoryPublicKeyStore());
            }

            services.AddKeyPairAuth();
            if (!before)
            {
                services.AddSingleton<IPublicKeyStore>(new InMemoryPublicKeyStore());
            }

            await using ServiceProvider provider = services.BuildServiceProvider();
            _ = provider.GetRequiredService<IPublicKeyStore>();
            _ = provider.GetRequiredService<IReplayCache>();
            Assert.False(provider.GetRequiredService<InMemoryFallbackUsage>().PublicKeyStore, $"registered {(before ? "before" : "after")}");
            Assert.True(provider.GetRequiredService<InMemoryFallbackUsage>().ReplayCache);
        }
    }

    [Fact]
    public async Task ConfigureKeyCache_AppliesToTheRegisteredCache_EachCallInOrder()
    {
        ServiceCollection services = new();
        services.AddKeyPairAuth()
            .ConfigureKeyCache(o => o.MaxEntries = 7)
            .ConfigureKeyCache(o => o.Duration = TimeSpan.FromSeconds(3));
        await using ServiceProvider provider = services.BuildServiceProvider();

        PublicKeyCacheOptions options = provider.GetRequiredService<IOptions<PublicKeyCacheOptions>>().Value;
        Assert.Equal(7, options.MaxEntries);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Duration);
        Assert.NotNull(provider.GetRequiredService<PublicKeyCache>());
    }

    [Theory]
    [InlineData("MaxEntries")]
    [InlineData("MaxUnknownLookupsPerSecond")]
    public async Task AddKeyPairAuth_InvalidKeyCacheOptions_FailAtStartNamingTheSetting(string setting)
    {
        ServiceCollection services = new();
        services.AddKeyPairAuth().ConfigureKeyCache(o =>
        {
            if (setting == "MaxEntries")
            {
                o.MaxEntries = 0;
            }
            else
            {
                o.MaxUnknownLookupsPerSecond = -1;
            }
        });
        await using ServiceProvider provider = services.BuildServiceProvider();

        // ValidateOnStart: the host runs this check before the app serves a request.
        OptionsValidationException atStart = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains($"PublicKeyCacheOptions.{setting} must be at least 1", atStart.Message, StringComparison.Ordinal);
        OptionsValidationException atUse = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<PublicKeyCache>());
        Assert.Contains($"PublicKeyCacheOptions.{setting}", atUse.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddKeyPairAuth_InvalidReplayCacheOptions_FailAtStartNamingTheSetting()
    {
        ServiceCollection services = new();
        services.AddKeyPairAuth().UseInMemoryStores(o => o.MaxEntriesPerKey = o.MaxEntries + 1);
        await using ServiceProvider provider = services.BuildServiceProvider();

        OptionsValidationException ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("InMemoryReplayCacheOptions.MaxEntriesPerKey must be between 1 and MaxEntries", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddKeyPairAuth_ValidOptions_PassTheStartCheck()
    {
        ServiceCollection services = new();
        services.AddKeyPairAuth();
        await using ServiceProvider provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public async Task IssueAsync_KeyIdProbedAsUnknownJustBefore_WorksAtOnce()
    {
        // A probe for the new key id (say, a client that signs before registering, or a race) leaves it cached as
        // unknown for the cache duration; issuing drops that entry so the key is accepted immediately.
        ServiceCollection services = new();
        services.AddSingleton<ProbingStore>();
        services.AddSingleton<IPublicKeyStore>(sp => sp.GetRequiredService<ProbingStore>());
        services.AddKeyPairAuth();
        await using ServiceProvider provider = services.BuildServiceProvider();
        PublicKeyCache cache = provider.GetRequiredService<PublicKeyCache>();
        provider.GetRequiredService<ProbingStore>().Cache = cache;

        using IssuedKeyPair issued = await provider.GetRequiredService<IKeyPairIssuer>().IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "k" });
        Assert.Equal(issued.KeyId, (await cache.FindAsync(issued.KeyId))?.KeyId);

        using var own = KeyPairAuth.Keys.SigningKey.Generate();
        PublicKeyRecord registered = await provider.GetRequiredService<IKeyPairIssuer>().RegisterAsync(new KeyRegistrationRequest { Owner = "alice", Name = "own", PublicKey = own.PublicKey });
        Assert.Equal(registered.KeyId, (await cache.FindAsync(registered.KeyId))?.KeyId);
    }

    /// <summary>Records which store instance served each lookup and which were disposed.</summary>
    internal sealed class StoreLog
    {
        private int _created;

        public InMemoryPublicKeyStore Records { get; } = new();

        public System.Collections.Concurrent.ConcurrentQueue<int> Finds { get; } = new();

        public System.Collections.Concurrent.ConcurrentBag<int> Disposed { get; } = [];

        public int Created => Volatile.Read(ref _created);

        public int Next() => Interlocked.Increment(ref _created);
    }

    internal sealed class LoggingStore(StoreLog log) : IPublicKeyStore, IDisposable
    {
        private readonly int _id = log.Next();

        public ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default)
        {
            log.Finds.Enqueue(_id);
            return log.Records.FindAsync(keyId, cancellationToken);
        }

        public ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default) => log.Records.ListByOwnerAsync(owner, cancellationToken);

        public ValueTask<PublicKeyAddResult> AddAsync(PublicKeyRecord record, int maxActiveKeysPerOwner, CancellationToken cancellationToken = default) => log.Records.AddAsync(record, maxActiveKeysPerOwner, cancellationToken);

        public ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default) => log.Records.RevokeAsync(keyId, revokedAt, cancellationToken);

        public ValueTask RecordLastUsedAsync(string keyId, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default) => log.Records.RecordLastUsedAsync(keyId, lastUsedAt, cancellationToken);

        public void Dispose() => log.Disposed.Add(_id);
    }

    /// <summary>A store whose add first looks the new key id up through the key cache, as a concurrent probe would.</summary>
    internal sealed class ProbingStore : IPublicKeyStore
    {
        private readonly InMemoryPublicKeyStore _inner = new();

        public PublicKeyCache? Cache { get; set; }

        public ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default) => _inner.FindAsync(keyId, cancellationToken);

        public ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default) => _inner.ListByOwnerAsync(owner, cancellationToken);

        public async ValueTask<PublicKeyAddResult> AddAsync(PublicKeyRecord record, int maxActiveKeysPerOwner, CancellationToken cancellationToken = default)
        {
            Assert.Null(await Cache!.FindAsync(record.KeyId, cancellationToken));
            return await _inner.AddAsync(record, maxActiveKeysPerOwner, cancellationToken);
        }

        public ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default) => _inner.RevokeAsync(keyId, revokedAt, cancellationToken);

        public ValueTask RecordLastUsedAsync(string keyId, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default) => _inner.RecordLastUsedAsync(keyId, lastUsedAt, cancellationToken);
    }

    internal sealed class CountingReplayCache : IReplayCache
    {
        public ValueTask<ReplayCheckResult> TryAddAsync(string keyId, string nonce, DateTimeOffset rememberUntil, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(ReplayCheckResult.Accepted);
    }
}
