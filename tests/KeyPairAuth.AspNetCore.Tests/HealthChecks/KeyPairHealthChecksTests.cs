using System.Net;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Diagnostics;
using KeyPairAuth.Replay;
using KeyPairAuth.Stores;
using KeyPairAuth.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.AspNetCore.Tests.HealthChecks;

public sealed class KeyPairHealthChecksTests
{
    private const string KeyStore = KeyPairHealthChecksBuilderExtensions.KeyStoreCheckName;
    private const string ReplayCache = KeyPairHealthChecksBuilderExtensions.ReplayCacheCheckName;

    private static async Task<HealthReport> CheckAsync(Action<IServiceCollection>? configure = null, Action<IHealthChecksBuilder>? checks = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        configure?.Invoke(services);
        services.AddKeyPairAuth();
        IHealthChecksBuilder builder = services.AddHealthChecks();
        if (checks is null)
        {
            builder.AddKeyPairAuthChecks();
        }
        else
        {
            checks(builder);
        }

        await using ServiceProvider provider = services.BuildServiceProvider();
        return await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
    }

    [Fact]
    public async Task Checks_InMemoryStoreAndCache_AreHealthy()
    {
        HealthReport report = await CheckAsync();

        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.Equal(HealthStatus.Healthy, report.Entries[KeyStore].Status);
        Assert.Equal(HealthStatus.Healthy, report.Entries[ReplayCache].Status);
        Assert.Equal(0, report.Entries[ReplayCache].Data["entries"]);
        Assert.Equal(1_000_000, report.Entries[ReplayCache].Data["capacity"]);
    }

    [Fact]
    public async Task Checks_StoreThrows_KeyStoreIsUnhealthyWithTheException()
    {
        HealthReport report = await CheckAsync(s => s.AddSingleton<IPublicKeyStore>(FakePublicKeyStore.Unavailable()));

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        HealthReportEntry entry = report.Entries[KeyStore];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.IsType<InvalidOperationException>(entry.Exception);
        Assert.Contains("unreachable", entry.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, report.Entries[ReplayCache].Status);
    }

    [Fact]
    public async Task Checks_StoreThrows_WithDegradedFailureStatus_ReportsDegraded()
    {
        HealthReport report = await CheckAsync(
            s => s.AddSingleton<IPublicKeyStore>(FakePublicKeyStore.Unavailable()),
            b => b.AddKeyPairAuthChecks(failureStatus: HealthStatus.Degraded, tags: ["ready"]));

        Assert.Equal(HealthStatus.Degraded, report.Entries[KeyStore].Status);
        Assert.Equal(["ready"], report.Entries[KeyStore].Tags);
    }

    [Fact]
    public async Task Checks_InMemoryReplayCacheNearlyFull_IsDegraded_AndFullIsUnhealthy()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var cache = new InMemoryReplayCache(time, new InMemoryReplayCacheOptions { MaxEntries = 10, MaxEntriesPerKey = 10 });
        async Task<HealthReportEntry> ReplayEntryAsync() =>
            (await CheckAsync(s => s.AddSingleton<IReplayCache>(cache))).Entries[ReplayCache];

        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(ReplayCheckResult.Accepted, await cache.TryAddAsync("kpa_AAAAAAAAAAAAAAAA", "n" + i, time.GetUtcNow().AddMinutes(5)));
        }

        Assert.Equal(HealthStatus.Healthy, (await ReplayEntryAsync()).Status);

        await cache.TryAddAsync("kpa_AAAAAAAAAAAAAAAA", "n8", time.GetUtcNow().AddMinutes(5));
        HealthReportEntry nearlyFull = await ReplayEntryAsync();
        Assert.Equal(HealthStatus.Degraded, nearlyFull.Status);
        Assert.Equal(9, nearlyFull.Data["entries"]);
        Assert.Equal(10, nearlyFull.Data["capacity"]);
        Assert.Contains("nearly full", nearlyFull.Description, StringComparison.Ordinal);

        await cache.TryAddAsync("kpa_AAAAAAAAAAAAAAAA", "n9", time.GetUtcNow().AddMinutes(5));
        Assert.Equal(HealthStatus.Unhealthy, (await ReplayEntryAsync()).Status);

        // Entries expire with the freshness window: the cache has room again.
        time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(HealthStatus.Healthy, (await ReplayEntryAsync()).Status);
    }

    [Theory]
    [InlineData(ReplayCheckResult.Accepted, HealthStatus.Healthy)]
    [InlineData(ReplayCheckResult.RateLimited, HealthStatus.Healthy)]
    [InlineData(ReplayCheckResult.CapacityExceeded, HealthStatus.Unhealthy)]
    [InlineData(ReplayCheckResult.Unavailable, HealthStatus.Unhealthy)]
    public async Task Checks_ReplayCacheWithoutProbe_IsProbedWithOneShortLivedEntry(ReplayCheckResult answer, HealthStatus expected)
    {
        var cache = new AnsweringReplayCache(answer);

        HealthReport report = await CheckAsync(s => s.AddSingleton<IReplayCache>(cache));

        Assert.Equal(expected, report.Entries[ReplayCache].Status);
        (string keyId, DateTimeOffset until) = Assert.Single(cache.Calls);
        Assert.True(Keys.KeyId.IsValid(keyId));
        Assert.True(until <= TimeProvider.System.GetUtcNow().AddSeconds(2), "the probe entry is forgotten within seconds");
    }

    [Fact]
    public async Task Checks_ReplayCacheThrows_IsUnhealthy()
    {
        HealthReport report = await CheckAsync(s => s.AddSingleton<IReplayCache, ThrowingReplayCache>());

        Assert.Equal(HealthStatus.Unhealthy, report.Entries[ReplayCache].Status);
        Assert.IsType<TimeoutException>(report.Entries[ReplayCache].Exception);
    }

    [Fact]
    public async Task Checks_StoreWithItsOwnProbe_IsAskedInsteadOfALookup()
    {
        var store = new ProbingStore(KeyPairHealthProbeResult.Degraded("Replica lag 40 s.", new Dictionary<string, object> { ["lag_seconds"] = 40 }));

        HealthReport report = await CheckAsync(s => s.AddSingleton<IPublicKeyStore>(store));

        HealthReportEntry entry = report.Entries[KeyStore];
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("Replica lag 40 s.", entry.Description);
        Assert.Equal(40, entry.Data["lag_seconds"]);
        Assert.Equal(1, store.Probes);
        Assert.Equal(0, store.Finds);
    }

    [Fact]
    public async Task Checks_ScopedStore_IsResolvedInTheChecksScope()
    {
        HealthReport report = await CheckAsync(s => s.AddScoped<IPublicKeyStore, InMemoryPublicKeyStore>());

        Assert.Equal(HealthStatus.Healthy, report.Entries[KeyStore].Status);
    }

    [Fact]
    public async Task HealthEndpoint_OnKestrel_Answers200Then503WhenTheStoreIsDown()
    {
        async Task<HttpStatusCode> GetHealthAsync(Action<IServiceCollection> configure)
        {
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            configure(builder.Services);
            builder.Services.AddKeyPairAuth();
            builder.Services.AddAuthentication().AddKeyPair();
            builder.Services.AddHealthChecks().AddKeyPairAuthChecks();
            await using WebApplication app = builder.Build();
            app.MapHealthChecks("/health");
            await app.StartAsync();
            using var client = new HttpClient();
            using HttpResponseMessage response = await client.GetAsync(new Uri(new Uri(app.Urls.First()), "/health"));
            await app.StopAsync();
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await GetHealthAsync(_ => { }));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await GetHealthAsync(s => s.AddSingleton<IPublicKeyStore>(FakePublicKeyStore.Unavailable())));
    }

    private sealed class AnsweringReplayCache(ReplayCheckResult answer) : IReplayCache
    {
        public List<(string KeyId, DateTimeOffset Until)> Calls { get; } = [];

        public ValueTask<ReplayCheckResult> TryAddAsync(string keyId, string nonce, DateTimeOffset rememberUntil, CancellationToken cancellationToken = default)
        {
            Calls.Add((keyId, rememberUntil));
            return ValueTask.FromResult(answer);
        }
    }

    private sealed class ThrowingReplayCache : IReplayCache
    {
        public ValueTask<ReplayCheckResult> TryAddAsync(string keyId, string nonce, DateTimeOffset rememberUntil, CancellationToken cancellationToken = default) =>
            throw new TimeoutException("The cache did not answer.");
    }

    private sealed class ProbingStore(KeyPairHealthProbeResult result) : IPublicKeyStore, IKeyPairHealthProbe
    {
        private readonly InMemoryPublicKeyStore _inner = new();

        public int Probes { get; private set; }

        public int Finds { get; private set; }

        public ValueTask<KeyPairHealthProbeResult> CheckHealthAsync(CancellationToken cancellationToken = default)
        {
            Probes++;
            return ValueTask.FromResult(result);
        }

        public ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default)
        {
            Finds++;
            return _inner.FindAsync(keyId, cancellationToken);
        }

        public ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default) => _inner.ListByOwnerAsync(owner, cancellationToken);

        public ValueTask<PublicKeyAddResult> AddAsync(PublicKeyRecord record, int maxActiveKeysPerOwner, CancellationToken cancellationToken = default) => _inner.AddAsync(record, maxActiveKeysPerOwner, cancellationToken);

        public ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default) => _inner.RevokeAsync(keyId, revokedAt, cancellationToken);

        public ValueTask RecordLastUsedAsync(string keyId, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default) => _inner.RecordLastUsedAsync(keyId, lastUsedAt, cancellationToken);
    }
}
