using System.Diagnostics;
using KeyPairAuth.Issuance;
using KeyPairAuth.Redis.Internal;
using KeyPairAuth.Stores;
using KeyPairAuth.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace KeyPairAuth.Redis.Tests;

public sealed class RevocationFanOutTests
{
    private static readonly TimeSpan SignalTimeout = TimeSpan.FromSeconds(10);

    [RedisFact]
    public async Task Revoke_OnInstanceA_DropsTheKeyFromInstanceBsCacheWithinOneSecond()
    {
        var settings = RedisInstanceSettings.Unique(RedisTestEnvironment.RequiredConfiguration);
        var database = new InMemoryPublicKeyStore();
        await using KeyPairAuthInstance a = await KeyPairAuthInstance.StartAsync(settings, database, replayCache: false);
        await using KeyPairAuthInstance b = await KeyPairAuthInstance.StartAsync(settings, database, replayCache: false);

        // A third instance without fan-out shows what B would do without it: serve the cached, unrevoked record.
        await using KeyPairAuthInstance withoutFanOut = await KeyPairAuthInstance.StartAsync(settings, database, replayCache: false, fanOut: false);
        await Subscribed(a);
        await Subscribed(b);
        using IssuedKeyPair issued = await a.Issuer.IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "ci" });
        Assert.False((await b.KeyCache.FindAsync(issued.KeyId))!.IsRevoked);
        Assert.False((await withoutFanOut.KeyCache.FindAsync(issued.KeyId))!.IsRevoked);
        Task<LogEntry> dropped = b.Logs.WaitForAsync(e => e.EventId == 304 && (string?)e.Value("KeyId") == issued.KeyId);

        var stopwatch = Stopwatch.StartNew();
        await a.Issuer.RevokeAsync(issued.KeyId);
        await dropped.WaitAsync(SignalTimeout);
        TimeSpan delay = stopwatch.Elapsed;

        Assert.True(delay < TimeSpan.FromSeconds(1), $"B dropped the revoked key after {delay.TotalMilliseconds:F0} ms");
        Assert.True((await b.KeyCache.FindAsync(issued.KeyId))!.IsRevoked);
        Assert.False((await withoutFanOut.KeyCache.FindAsync(issued.KeyId))!.IsRevoked);
        LogEntry published = Assert.Single(a.Logs.WithEventId(303));
        Assert.Equal(issued.KeyId, published.Value("KeyId"));
    }

    [RedisFact]
    public async Task Revoke_PublishesOnlyTheKeyId_OnTheConfiguredChannel()
    {
        var settings = RedisInstanceSettings.Unique(RedisTestEnvironment.RequiredConfiguration);
        await using KeyPairAuthInstance a = await KeyPairAuthInstance.StartAsync(settings, new InMemoryPublicKeyStore(), replayCache: false);
        await using ConnectionMultiplexer listener = await RedisTestEnvironment.ConnectAsync();
        var received = new TaskCompletionSource<(string Channel, string Message)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await listener.GetSubscriber().SubscribeAsync(RedisChannel.Literal(settings.RevocationChannel), (channel, message) => received.TrySetResult((channel!, message!)));
        using IssuedKeyPair issued = await a.Issuer.IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "ci" });

        await a.Issuer.RevokeAsync(issued.KeyId);
        (string channel, string message) = await received.Task.WaitAsync(SignalTimeout);

        Assert.Equal(settings.RevocationChannel, channel);
        Assert.Equal(issued.KeyId, message);
    }

    [RedisFact]
    public async Task Subscriber_MessagesThatAreNotKeyIds_AreIgnored()
    {
        var settings = RedisInstanceSettings.Unique(RedisTestEnvironment.RequiredConfiguration);
        var database = new InMemoryPublicKeyStore();
        await using KeyPairAuthInstance b = await KeyPairAuthInstance.StartAsync(settings, database, replayCache: false);
        await Subscribed(b);
        await using ConnectionMultiplexer publisher = await RedisTestEnvironment.ConnectAsync();
        ISubscriber pub = publisher.GetSubscriber();
        RedisChannel channel = RedisChannel.Literal(settings.RevocationChannel);
        Task<LogEntry> ignoredHuge = b.Logs.WaitForAsync(e => e.EventId == 305 && (long)e.Value("Length")! == 1_000_000);

        await pub.PublishAsync(channel, "not a key id");
        await pub.PublishAsync(channel, new string('A', 1_000_000));
        await ignoredHuge.WaitAsync(SignalTimeout);

        Assert.Equal(2, b.Logs.WithEventId(305).Count);
        Assert.Empty(b.Logs.WithEventId(304));
        Assert.DoesNotContain(b.Logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [RedisServerFact]
    public async Task Revoke_RedisDown_RevokesWithoutThrowing_LogsError_AndKeyLookupsKeepWorking()
    {
        await using RedisServerProcess server = await RedisServerProcess.StartNewAsync();
        var settings = RedisInstanceSettings.Unique(server.Configuration, TimeSpan.FromMilliseconds(250));
        var database = new InMemoryPublicKeyStore();
        await using KeyPairAuthInstance a = await KeyPairAuthInstance.StartAsync(settings, database, replayCache: false);
        await using KeyPairAuthInstance b = await KeyPairAuthInstance.StartAsync(settings, database, replayCache: false);
        await Subscribed(a);
        await Subscribed(b);
        using IssuedKeyPair issued = await a.Issuer.IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "ci" });
        Assert.NotNull(await b.KeyCache.FindAsync(issued.KeyId));

        await server.StopAsync();
        var stopwatch = Stopwatch.StartNew();
        PublicKeyRecord? revoked = await a.Issuer.RevokeAsync(issued.KeyId);

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"revoking took {stopwatch.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(revoked!.IsRevoked);
        Assert.True((await a.KeyCache.FindAsync(issued.KeyId))!.IsRevoked);
        LogEntry error = Assert.Single(a.Logs.WithEventId(302));
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Equal(issued.KeyId, error.Value("KeyId"));

        // B missed the notice: its cache serves the record until its duration ends, and lookups never throw.
        Assert.False((await b.KeyCache.FindAsync(issued.KeyId))!.IsRevoked);
    }

    [RedisServerFact]
    public async Task Subscriber_RedisDownAtStartThenRestarted_SubscribesAndReceivesRevocations()
    {
        await using RedisServerProcess server = await RedisServerProcess.StartNewAsync();
        await server.StopAsync();
        var settings = RedisInstanceSettings.Unique(server.Configuration);
        var database = new InMemoryPublicKeyStore();
        await using KeyPairAuthInstance a = await KeyPairAuthInstance.StartAsync(settings, database, replayCache: false);
        await using KeyPairAuthInstance b = await KeyPairAuthInstance.StartAsync(settings, database, replayCache: false);
        Assert.False(b.Services.GetRequiredService<RedisRevocationSubscriber>().Subscribed.IsCompleted);

        await server.StartAsync();
        await Subscribed(a);
        await Subscribed(b);
        using IssuedKeyPair issued = await a.Issuer.IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "ci" });
        Assert.False((await b.KeyCache.FindAsync(issued.KeyId))!.IsRevoked);
        Task<LogEntry> dropped = b.Logs.WaitForAsync(e => e.EventId == 304 && (string?)e.Value("KeyId") == issued.KeyId);

        await a.Issuer.RevokeAsync(issued.KeyId);
        await dropped.WaitAsync(SignalTimeout);

        Assert.True((await b.KeyCache.FindAsync(issued.KeyId))!.IsRevoked);
    }

    [RedisServerFact]
    public async Task Subscriber_RedisRestartedWhileSubscribed_ResubscribesAndReceivesRevocations()
    {
        await using RedisServerProcess server = await RedisServerProcess.StartNewAsync();
        var settings = RedisInstanceSettings.Unique(server.Configuration);
        var database = new InMemoryPublicKeyStore();
        await using KeyPairAuthInstance a = await KeyPairAuthInstance.StartAsync(settings, database, replayCache: false);
        await using KeyPairAuthInstance b = await KeyPairAuthInstance.StartAsync(settings, database, replayCache: false);
        await Subscribed(a);
        await Subscribed(b);

        await server.StopAsync();
        await server.StartAsync();

        // The multiplexers reconnect and restore the subscriptions by themselves; wait until the server sees both.
        await using ConnectionMultiplexer admin = await RedisTestEnvironment.ConnectAsync(server.Configuration);
        var waited = Stopwatch.StartNew();
        while (await Subscribers(admin, settings.RevocationChannel) < 2)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "the subscriptions were not restored within 30 s");
            await Task.Delay(50);
        }

        using IssuedKeyPair issued = await a.Issuer.IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "ci" });
        Assert.False((await b.KeyCache.FindAsync(issued.KeyId))!.IsRevoked);
        Task<LogEntry> dropped = b.Logs.WaitForAsync(e => e.EventId == 304 && (string?)e.Value("KeyId") == issued.KeyId);
        await a.Issuer.RevokeAsync(issued.KeyId);
        await dropped.WaitAsync(SignalTimeout);

        Assert.True((await b.KeyCache.FindAsync(issued.KeyId))!.IsRevoked);
        Assert.Single(b.Logs.WithEventId(307));
    }

    private static Task Subscribed(KeyPairAuthInstance instance) =>
        instance.Services.GetRequiredService<RedisRevocationSubscriber>().Subscribed.WaitAsync(TimeSpan.FromSeconds(20));

    private static async Task<long> Subscribers(ConnectionMultiplexer admin, string channel)
    {
        RedisResult[] result = (RedisResult[])(await admin.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", channel))!;
        return (long)result[1];
    }
}
