using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using KeyPairAuth.Redis.Internal;
using KeyPairAuth.Redis.Tests.Infrastructure;
using KeyPairAuth.Replay;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using KeyPairAuth.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace KeyPairAuth.Redis.Tests;

public sealed class RedisReplayCacheTests
{
    private const string KeyId = "kpa_AAAAAAAAAAAAAAAA";
    private const string OtherKeyId = "kpa_BBBBBBBBBBBBBBBB";

    // The default bound, and what the tests allow a refused call: 250 ms plus slack for a shared, loaded 2-core machine.
    private static readonly TimeSpan Bound = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan CallBound = Bound + TimeSpan.FromMilliseconds(1000);

    private static DateTimeOffset InFiveMinutes => TimeProvider.System.GetUtcNow().AddMinutes(5);

    [RedisFact]
    public async Task TryAdd_NewPair_AcceptedThenReplayed()
    {
        await using KeyPairAuthInstance instance = await StartAsync(RedisInstanceSettings.Unique(RedisTestEnvironment.RequiredConfiguration));
        string nonce = NewNonce();

        Assert.Equal(ReplayCheckResult.Accepted, await instance.ReplayCache.TryAddAsync(KeyId, nonce, InFiveMinutes));
        Assert.Equal(ReplayCheckResult.Replayed, await instance.ReplayCache.TryAddAsync(KeyId, nonce, InFiveMinutes));
        Assert.Equal(ReplayCheckResult.Replayed, await instance.ReplayCache.TryAddAsync(KeyId, nonce, InFiveMinutes));
    }

    [RedisFact]
    public async Task TryAdd_SameNonceOtherKey_Accepted()
    {
        await using KeyPairAuthInstance instance = await StartAsync(RedisInstanceSettings.Unique(RedisTestEnvironment.RequiredConfiguration));
        string nonce = NewNonce();

        Assert.Equal(ReplayCheckResult.Accepted, await instance.ReplayCache.TryAddAsync(KeyId, nonce, InFiveMinutes));
        Assert.Equal(ReplayCheckResult.Accepted, await instance.ReplayCache.TryAddAsync(OtherKeyId, nonce, InFiveMinutes));

        // The length prefix keeps ("ab", "c") and ("a", "bc") apart.
        Assert.Equal(ReplayCheckResult.Accepted, await instance.ReplayCache.TryAddAsync("kpa_x", "yz" + nonce, InFiveMinutes));
        Assert.Equal(ReplayCheckResult.Accepted, await instance.ReplayCache.TryAddAsync("kpa_xy", "z" + nonce, InFiveMinutes));
    }

    [RedisFact]
    public async Task TryAdd_PairAcceptedByOneInstance_IsReplayOnAnother()
    {
        var settings = RedisInstanceSettings.Unique(RedisTestEnvironment.RequiredConfiguration);
        await using KeyPairAuthInstance a = await StartAsync(settings);
        await using KeyPairAuthInstance b = await StartAsync(settings);
        string nonce = NewNonce();

        Assert.Equal(ReplayCheckResult.Accepted, await a.ReplayCache.TryAddAsync(KeyId, nonce, InFiveMinutes));
        Assert.Equal(ReplayCheckResult.Replayed, await b.ReplayCache.TryAddAsync(KeyId, nonce, InFiveMinutes));
    }

    [RedisFact]
    public async Task TryAdd_ParallelSamePair_ExactlyOneAccepted()
    {
        var settings = RedisInstanceSettings.Unique(RedisTestEnvironment.RequiredConfiguration);
        await using KeyPairAuthInstance a = await StartAsync(settings);
        await using KeyPairAuthInstance b = await StartAsync(settings);
        string nonce = NewNonce();

        ReplayCheckResult[] results = await Task.WhenAll(Enumerable.Range(0, 32).Select(i =>
            Task.Run(async () => await (i % 2 == 0 ? a : b).ReplayCache.TryAddAsync(KeyId, nonce, InFiveMinutes))));

        Assert.Single(results, r => r == ReplayCheckResult.Accepted);
        Assert.Equal(31, results.Count(r => r == ReplayCheckResult.Replayed));
    }

    [RedisFact]
    public async Task TryAdd_SetsAbsoluteExpiry_PairForgottenAfterRememberUntil()
    {
        var settings = RedisInstanceSettings.Unique(RedisTestEnvironment.RequiredConfiguration);
        await using KeyPairAuthInstance instance = await StartAsync(settings);
        await using ConnectionMultiplexer raw = await RedisTestEnvironment.ConnectAsync();
        string nonce = NewNonce();
        DateTimeOffset until = TimeProvider.System.GetUtcNow().AddMilliseconds(1500).AddTicks(1234);

        Assert.Equal(ReplayCheckResult.Accepted, await instance.ReplayCache.TryAddAsync(KeyId, nonce, until));

        // PXAT: the absolute instant, rounded up to the millisecond (PEXPIRETIME, Redis 7).
        RedisKey key = ExpectedKey(settings.KeyPrefix, KeyId, nonce);
        long expiresAt = (long)await raw.GetDatabase().ExecuteAsync("PEXPIRETIME", key);
        Assert.Equal(until.ToUnixTimeMilliseconds() + 1, expiresAt);
        Assert.Equal(ReplayCheckResult.Replayed, await instance.ReplayCache.TryAddAsync(KeyId, nonce, until));

        // Time has to pass for an expiry: wait until just after it, then the pair is new again.
        TimeSpan left = until - TimeProvider.System.GetUtcNow();
        await Task.Delay(left + TimeSpan.FromMilliseconds(100));
        Assert.False(await raw.GetDatabase().KeyExistsAsync(key));
        Assert.Equal(ReplayCheckResult.Accepted, await instance.ReplayCache.TryAddAsync(KeyId, nonce, InFiveMinutes));
    }

    [RedisFact]
    public async Task TryAdd_RememberUntilInThePast_StillRememberedForAtLeastOneSecond()
    {
        var settings = RedisInstanceSettings.Unique(RedisTestEnvironment.RequiredConfiguration);
        await using KeyPairAuthInstance instance = await StartAsync(settings);
        await using ConnectionMultiplexer raw = await RedisTestEnvironment.ConnectAsync();
        string nonce = NewNonce();
        long before = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();

        Assert.Equal(ReplayCheckResult.Accepted, await instance.ReplayCache.TryAddAsync(KeyId, nonce, TimeProvider.System.GetUtcNow().AddMinutes(-1)));

        Assert.Equal(ReplayCheckResult.Replayed, await instance.ReplayCache.TryAddAsync(KeyId, nonce, InFiveMinutes));
        long expiresAt = (long)await raw.GetDatabase().ExecuteAsync("PEXPIRETIME", ExpectedKey(settings.KeyPrefix, KeyId, nonce));
        Assert.InRange(expiresAt, before + 1000, before + 60_000);
    }

    [RedisFact]
    public async Task TryAdd_StoresOnlyTheHashedPrefixedKey_NeverTheNonceOrKeyId()
    {
        var settings = RedisInstanceSettings.Unique(RedisTestEnvironment.RequiredConfiguration);
        await using KeyPairAuthInstance instance = await StartAsync(settings);
        await using ConnectionMultiplexer raw = await RedisTestEnvironment.ConnectAsync();
        IDatabase db = raw.GetDatabase();
        string nonce = "attacker-chosen-" + NewNonce();

        Assert.Equal(ReplayCheckResult.Accepted, await instance.ReplayCache.TryAddAsync(KeyId, nonce, InFiveMinutes));

        // Raw commands: the nonce (alone or prefixed) is not a key; the one key under the prefix is the documented hash.
        Assert.False(await db.KeyExistsAsync(nonce));
        Assert.False(await db.KeyExistsAsync(settings.KeyPrefix + nonce));
        RedisResult scan = await db.ExecuteAsync("SCAN", "0", "MATCH", settings.KeyPrefix + "*", "COUNT", "100000");
        string[] keys = (string[])((RedisResult[])scan!)[1]!;
        string stored = Assert.Single(keys);
        Assert.Equal((string)ExpectedKey(settings.KeyPrefix, KeyId, nonce)!, stored);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", stored[settings.KeyPrefix.Length..]);
        Assert.DoesNotContain(nonce, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(KeyId, stored, StringComparison.Ordinal);
        Assert.Empty((string[])((RedisResult[])(await db.ExecuteAsync("SCAN", "0", "MATCH", "*" + nonce + "*", "COUNT", "100000"))!)[1]!);
        Assert.Equal("1", (string?)await db.StringGetAsync(stored));
    }

    [RedisFact]
    public async Task TryAdd_UsesTheAppsConnectionMultiplexer_WhenNoConfigurationIsSet()
    {
        await using ConnectionMultiplexer appConnection = await RedisTestEnvironment.ConnectAsync();
        var settings = RedisInstanceSettings.Unique(RedisTestEnvironment.RequiredConfiguration);
        await using KeyPairAuthInstance instance = await StartAsync(settings with { Configuration = null! },
            configure: s => s.AddSingleton<IConnectionMultiplexer>(appConnection));
        string nonce = NewNonce();

        Assert.Same(appConnection, await instance.Services.GetRequiredService<RedisConnection>().GetAsync());
        Assert.Equal(ReplayCheckResult.Accepted, await instance.ReplayCache.TryAddAsync(KeyId, nonce, InFiveMinutes));
        Assert.True(await appConnection.GetDatabase().KeyExistsAsync(ExpectedKey(settings.KeyPrefix, KeyId, nonce)));
    }

    [RedisFact]
    public async Task TryAdd_AppsMultiplexerFactoryThrows_UnavailableThenRetriedAfterOneSecond()
    {
        await using ConnectionMultiplexer appConnection = await RedisTestEnvironment.ConnectAsync();
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        int resolutions = 0;
        var settings = RedisInstanceSettings.Unique(RedisTestEnvironment.RequiredConfiguration) with { Configuration = null! };
        await using KeyPairAuthInstance instance = await StartAsync(settings, configure: s =>
        {
            s.AddSingleton<TimeProvider>(time);
            s.AddSingleton<IConnectionMultiplexer>(_ => Interlocked.Increment(ref resolutions) == 1
                ? throw new InvalidOperationException("the app's Redis factory failed")
                : appConnection);
        });

        // The start-up attempt failed; within the retry interval the cache does not hammer the factory.
        Assert.Equal(ReplayCheckResult.Unavailable, await instance.ReplayCache.TryAddAsync(KeyId, NewNonce(), InFiveMinutes));
        Assert.Equal(ReplayCheckResult.Unavailable, await instance.ReplayCache.TryAddAsync(KeyId, NewNonce(), InFiveMinutes));
        Assert.Equal(1, Volatile.Read(ref resolutions));
        LogEntry error = Assert.Single(instance.Logs.WithEventId(300));
        Assert.IsType<InvalidOperationException>(Assert.IsType<RedisConnectionException>(error.Exception).InnerException);

        time.Advance(TimeSpan.FromSeconds(1));
        ReplayCheckResult result = ReplayCheckResult.Unavailable;
        for (int i = 0; i < 20 && result != ReplayCheckResult.Accepted; i++)
        {
            result = await instance.ReplayCache.TryAddAsync(KeyId, NewNonce(), InFiveMinutes);
        }

        Assert.Equal(ReplayCheckResult.Accepted, result);
        Assert.Equal(2, Volatile.Read(ref resolutions));
        Assert.Single(instance.Logs.WithEventId(301));
    }

    [RedisFact]
    public async Task Verify_WithRedisReplayCache_ReplayedRequestRefusedOnAnotherInstance()
    {
        var settings = RedisInstanceSettings.Unique(RedisTestEnvironment.RequiredConfiguration);
        var store = new InMemoryPublicKeyStore();
        await using KeyPairAuthInstance a = await StartAsync(settings, store);
        await using KeyPairAuthInstance b = await StartAsync(settings, store);
        using var issued = await a.Issuer.IssueAsync(new KeyPairAuth.Issuance.KeyIssueRequest { Owner = "alice", Name = "ci" });
        using var key = issued.CreateSigningKey();
        TestRequest request = TestRequest.Signed(key);

        SignatureVerificationResult first = await Verifier(a).VerifyAsync(request);
        SignatureVerificationResult replay = await Verifier(b).VerifyAsync(request);

        Assert.True(first.Succeeded, first.FailureDetail);
        Assert.Equal(KeyPairFailureReason.ReplayedNonce, replay.Failure);
    }

    [RedisServerFact]
    public async Task TryAdd_RedisStoppedThenStarted_UnavailableWithinBoundOneErrorLog_ThenAcceptedWithoutRecreatingTheCache()
    {
        await using RedisServerProcess server = await RedisServerProcess.StartNewAsync();
        await using KeyPairAuthInstance instance = await StartAsync(RedisInstanceSettings.Unique(server.Configuration, Bound));
        IReplayCache cache = instance.ReplayCache;
        await WarmUpAsync(instance);
        int errorsBefore = instance.Logs.Entries.Count(e => e.Level >= LogLevel.Error);
        int recoveriesBefore = instance.Logs.WithEventId(301).Count;

        await server.StopAsync();
        for (int i = 0; i < 40; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            ReplayCheckResult result = await cache.TryAddAsync(KeyId, NewNonce(), InFiveMinutes);
            Assert.Equal(ReplayCheckResult.Unavailable, result);
            Assert.True(stopwatch.Elapsed < CallBound, $"call {i} took {stopwatch.Elapsed.TotalMilliseconds:F0} ms");
        }

        ReplayCheckResult[] parallel = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => cache.TryAddAsync(KeyId, NewNonce(), InFiveMinutes).AsTask()));
        Assert.All(parallel, r => Assert.Equal(ReplayCheckResult.Unavailable, r));
        LogEntry[] errors = [.. instance.Logs.Entries.Where(e => e.Level >= LogLevel.Error).Skip(errorsBefore)];
        LogEntry error = Assert.Single(errors);
        Assert.Equal(300, error.EventId);
        Assert.Contains("503 replay_cache_unavailable", error.Message, StringComparison.Ordinal);
        Assert.Equal(recoveriesBefore, instance.Logs.WithEventId(301).Count);

        await server.StartAsync();

        // The multiplexer reconnects by itself (its heartbeat is about a second); until then requests stay refused.
        var recovery = Stopwatch.StartNew();
        ReplayCheckResult after;
        do
        {
            after = await cache.TryAddAsync(KeyId, NewNonce(), InFiveMinutes);
            if (after != ReplayCheckResult.Accepted)
            {
                Assert.Equal(ReplayCheckResult.Unavailable, after);
                await Task.Delay(50);
            }
        }
        while (after != ReplayCheckResult.Accepted && recovery.Elapsed < TimeSpan.FromSeconds(30));

        Assert.Equal(ReplayCheckResult.Accepted, after);
        Assert.Same(cache, instance.ReplayCache);
        Assert.Equal(errorsBefore + 1, instance.Logs.Entries.Count(e => e.Level >= LogLevel.Error));
        LogEntry recovered = Assert.Single(instance.Logs.WithEventId(301).Skip(recoveriesBefore));
        Assert.Equal(LogLevel.Information, recovered.Level);
        Assert.True((long)recovered.Value("RefusedCount")! >= 80);
    }

    [RedisServerFact]
    public async Task TryAdd_RedisConnectedButNotAnswering_UnavailableAfterTheConfiguredTimeoutNotTheMultiplexers()
    {
        await using RedisServerProcess server = await RedisServerProcess.StartNewAsync();
        await using KeyPairAuthInstance instance = await StartAsync(RedisInstanceSettings.Unique(server.Configuration, TimeSpan.FromMilliseconds(200)));
        await using ConnectionMultiplexer admin = await RedisTestEnvironment.ConnectAsync(server.Configuration);
        await WarmUpAsync(instance);
        int timeoutsBefore = instance.Logs.WithEventId(300).Count;

        // Writes are held by the server for 3 s: the connection stays up, the SET gets no answer.
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "3000", "WRITE");
        var stopwatch = Stopwatch.StartNew();
        ReplayCheckResult result = await instance.ReplayCache.TryAddAsync(KeyId, NewNonce(), InFiveMinutes);
        stopwatch.Stop();

        Assert.Equal(ReplayCheckResult.Unavailable, result);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromMilliseconds(200 + 1000));
        LogEntry error = Assert.Single(instance.Logs.WithEventId(300).Skip(timeoutsBefore));
        Assert.IsType<TimeoutException>(error.Exception);
        await admin.GetDatabase().ExecuteAsync("CLIENT", "UNPAUSE");
    }

    [RedisServerFact]
    public async Task TryAdd_RedisDownFromTheStart_StartUpWaitIsBounded_AndRequestsRefusedWithinBound()
    {
        var settings = RedisInstanceSettings.Unique($"127.0.0.1:{RedisServerProcess.FreePort()}", Bound);
        var stopwatch = Stopwatch.StartNew();
        await using KeyPairAuthInstance instance = await StartAsync(settings, fanOut: true);
        TimeSpan startUp = stopwatch.Elapsed;
        Assert.True(startUp < RedisConnectionWarmUp.MaxWait + TimeSpan.FromSeconds(2), $"start-up took {startUp.TotalMilliseconds:F0} ms");

        for (int i = 0; i < 5; i++)
        {
            stopwatch.Restart();
            Assert.Equal(ReplayCheckResult.Unavailable, await instance.ReplayCache.TryAddAsync(KeyId, NewNonce(), InFiveMinutes));
            Assert.True(stopwatch.Elapsed < CallBound, $"call {i} took {stopwatch.Elapsed.TotalMilliseconds:F0} ms");
        }

        Assert.Single(instance.Logs.WithEventId(300));
    }

    [RedisServerFact]
    public async Task Verify_RedisDown_FailsWithReplayCacheUnavailable_NeverAccepted()
    {
        await using RedisServerProcess server = await RedisServerProcess.StartNewAsync();
        await using KeyPairAuthInstance instance = await StartAsync(RedisInstanceSettings.Unique(server.Configuration));
        using var issued = await instance.Issuer.IssueAsync(new KeyPairAuth.Issuance.KeyIssueRequest { Owner = "alice", Name = "ci" });
        using var key = issued.CreateSigningKey();
        Assert.True((await Verifier(instance).VerifyAsync(TestRequest.Signed(key))).Succeeded);

        await server.StopAsync();
        SignatureVerificationResult result = await Verifier(instance).VerifyAsync(TestRequest.Signed(key));

        Assert.False(result.Succeeded);
        Assert.Equal(KeyPairFailureReason.ReplayCacheUnavailable, result.Failure);
        Assert.Equal("replay_cache_unavailable", result.Failure!.Value.ToErrorCode());
    }

    /// <summary>
    /// With a short bound, the very first calls of a fresh process (JIT, first round trip) can exceed it on a loaded
    /// machine and be refused, which is the designed behaviour; tests about later behaviour start from a warm cache.
    /// </summary>
    private static async Task WarmUpAsync(KeyPairAuthInstance instance)
    {
        ReplayCheckResult result = ReplayCheckResult.Unavailable;
        for (int i = 0; i < 20 && result != ReplayCheckResult.Accepted; i++)
        {
            result = await instance.ReplayCache.TryAddAsync(KeyId, NewNonce(), InFiveMinutes);
        }

        Assert.Equal(ReplayCheckResult.Accepted, result);
    }

    /// <summary>The key derivation written out independently of the implementation: every instance must agree on it.</summary>
    private static RedisKey ExpectedKey(string prefix, string keyId, string nonce)
    {
        byte[] keyIdBytes = Encoding.UTF8.GetBytes(keyId);
        byte[] length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, keyIdBytes.Length);
        byte[] input = [.. "keypairauth/replay/v1\0"u8, .. length, .. keyIdBytes, .. Encoding.UTF8.GetBytes(nonce)];
        string hash = Convert.ToBase64String(SHA256.HashData(input)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return prefix + hash;
    }

    private static HttpMessageVerifier Verifier(KeyPairAuthInstance instance) =>
        instance.Services.GetRequiredService<HttpMessageVerifier>();

    private static string NewNonce() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

    private static Task<KeyPairAuthInstance> StartAsync(RedisInstanceSettings settings, IPublicKeyStore? store = null, bool fanOut = false,
        Action<IServiceCollection>? configure = null) =>
        KeyPairAuthInstance.StartAsync(settings, store ?? new InMemoryPublicKeyStore(), replayCache: true, fanOut: fanOut, configure);
}
