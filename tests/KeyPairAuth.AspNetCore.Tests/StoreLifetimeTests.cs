using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KeyPairAuth.AspNetCore.Tests;

/// <summary>
/// A key store may be singleton, scoped (a <c>DbContext</c>-based store) or transient: the singleton key cache and
/// the last-used recorder open a DI scope per store call instead of capturing one instance from the root provider.
/// Real Kestrel, with and without <c>ValidateScopes</c> (the Development and Production defaults).
/// </summary>
public sealed class StoreLifetimeTests
{
    [Fact]
    public async Task ScopedStore_IsResolvedPerLookup_NotCapturedOnceByTheSingletonKeyCache()
    {
        await using StoreApp app = await StoreApp.StartAsync(validateScopes: false, ServiceLifetime.Scoped); // Production default
        var key = TestKey.Create();
        await app.Table.Records.AddAsync(key.Record(), 10);
        var bodies = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            using HttpResponseMessage response = await app.SendAsync(key);
            bodies.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        int[] servedBy = [.. app.Table.FindServedBy];
        Assert.True(servedBy.Distinct().Count() > 1,
            $"every key lookup ran on the same store instance {servedBy[0]} (resolved from the root provider and kept for the app's lifetime); responses: {string.Join(" ; ", bodies)}");
        Assert.Equal(3, servedBy.Distinct().Count());
        Assert.All(bodies, b => Assert.StartsWith("200 ", b, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ScopedStore_WithScopeValidation_SignedRequestsDoNotFailWith500()
    {
        await using StoreApp app = await StoreApp.StartAsync(validateScopes: true, ServiceLifetime.Scoped); // Development default
        var key = TestKey.Create();
        await app.Table.Records.AddAsync(key.Record(), 10);

        using HttpResponseMessage response = await app.SendAsync(key);

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [InlineData(ServiceLifetime.Singleton, false)]
    [InlineData(ServiceLifetime.Scoped, false)]
    [InlineData(ServiceLifetime.Transient, false)]
    [InlineData(ServiceLifetime.Singleton, true)]
    [InlineData(ServiceLifetime.Scoped, true)]
    [InlineData(ServiceLifetime.Transient, true)]
    public async Task AnyStoreLifetime_WithScopeValidation_AuthenticatesAndRecordsLastUse(ServiceLifetime lifetime, bool chosenWithTheBuilder)
    {
        await using StoreApp app = await StoreApp.StartAsync(validateScopes: true, lifetime, chosenWithTheBuilder);
        var key = TestKey.Create();
        await app.Table.Records.AddAsync(key.Record(), 10);

        for (int i = 0; i < 2; i++)
        {
            using HttpResponseMessage response = await app.SendAsync(key);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{lifetime}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        // The last-used write runs off the request path, in its own scope: wait for it (bounded), then check it landed.
        Assert.True(await app.Table.LastUsedWritten.Task.WaitAsync(TimeSpan.FromSeconds(10)), "the last use was never recorded");
        Assert.NotNull((await app.Table.Records.FindAsync(key.KeyId))!.LastUsedAt);

        int[] servedBy = [.. app.Table.FindServedBy];
        if (lifetime == ServiceLifetime.Singleton)
        {
            Assert.Single(servedBy.Distinct());
        }
        else
        {
            // A scoped or transient store is created for the lookup and disposed with its scope, never kept.
            Assert.All(servedBy, id => Assert.Contains(id, app.Table.Disposed));
        }
    }

    /// <summary>One app's shared state: the key table behind every store instance and what each instance did.</summary>
    internal sealed class StoreTable
    {
        private int _created;

        public InMemoryPublicKeyStore Records { get; } = new();

        public ConcurrentQueue<int> FindServedBy { get; } = new();

        public ConcurrentBag<int> Disposed { get; } = [];

        public TaskCompletionSource<bool> LastUsedWritten { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int NextId() => Interlocked.Increment(ref _created);
    }

    /// <summary>A database-style store: one instance per scope, delegating to the app's shared table; disposable like a DbContext.</summary>
    internal sealed class TrackingStore(StoreTable table) : IPublicKeyStore, IDisposable
    {
        public int Id { get; } = table.NextId();

        public ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default)
        {
            table.FindServedBy.Enqueue(Id);
            return table.Records.FindAsync(keyId, cancellationToken);
        }

        public ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default) => table.Records.ListByOwnerAsync(owner, cancellationToken);

        public ValueTask<PublicKeyAddResult> AddAsync(PublicKeyRecord record, int maxActiveKeysPerOwner, CancellationToken cancellationToken = default) => table.Records.AddAsync(record, maxActiveKeysPerOwner, cancellationToken);

        public ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default) => table.Records.RevokeAsync(keyId, revokedAt, cancellationToken);

        public async ValueTask RecordLastUsedAsync(string keyId, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default)
        {
            await table.Records.RecordLastUsedAsync(keyId, lastUsedAt, cancellationToken);
            table.LastUsedWritten.TrySetResult(true);
        }

        public void Dispose() => table.Disposed.Add(Id);
    }

    private sealed class StoreApp : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly HttpClient _http;

        private StoreApp(WebApplication app, StoreTable table)
        {
            _app = app;
            Table = table;
            Address = new Uri(app.Urls.First());
            _http = new HttpClient { BaseAddress = Address };
        }

        public StoreTable Table { get; }

        public Uri Address { get; }

        public static async Task<StoreApp> StartAsync(bool validateScopes, ServiceLifetime lifetime, bool chosenWithTheBuilder = false)
        {
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
            builder.Host.UseDefaultServiceProvider(o =>
            {
                o.ValidateScopes = validateScopes; // true is the Development default
                o.ValidateOnBuild = validateScopes;
            });
            var table = new StoreTable();
            builder.Services.AddSingleton(table);

            if (chosenWithTheBuilder)
            {
                builder.Services.AddKeyPairAuth()
                    .AddPublicKeyStore<TrackingStore>(lifetime)
                    .ConfigureKeyCache(o => o.Duration = TimeSpan.Zero); // every request reads the store
            }
            else
            {
                // Registered by hand, as an app with its own (e.g. EF Core) store may do.
                builder.Services.Add(ServiceDescriptor.Describe(typeof(IPublicKeyStore), typeof(TrackingStore), lifetime));
                builder.Services.AddKeyPairAuth();
                builder.Services.Configure<PublicKeyCacheOptions>(o => o.Duration = TimeSpan.Zero); // every request reads the store
            }

            builder.Services.AddAuthentication(KeyPairAuthenticationDefaults.AuthenticationScheme).AddKeyPair();
            builder.Services.AddAuthorization();
            WebApplication app = builder.Build();
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapGet("/orders", (ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier)).RequireAuthorization();
            await app.StartAsync();
            return new StoreApp(app, table);
        }

        public async Task<HttpResponseMessage> SendAsync(TestKey key)
        {
            OutgoingRequest request = TestApp.Sign(new OutgoingRequest("GET", Address.Authority, "/orders"), key);
            using HttpRequestMessage message = request.ToHttpRequestMessage(Address);
            return await _http.SendAsync(message);
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
