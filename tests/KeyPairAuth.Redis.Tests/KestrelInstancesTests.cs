using System.Diagnostics;
using System.Net;
using System.Text.Json;
using KeyPairAuth.Issuance;
using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using KeyPairAuth.Testing;

namespace KeyPairAuth.Redis.Tests;

/// <summary>Real Kestrel instances sharing one key store (as they would share a database) and one Redis.</summary>
public sealed class KestrelInstancesTests
{
    [RedisFact]
    public async Task Request_AcceptedByA_ReplayedByteForByteToB_RefusedAsReplayedNonce()
    {
        var settings = RedisInstanceSettings.Unique(RedisTestEnvironment.RequiredConfiguration);
        var database = new InMemoryPublicKeyStore();
        await using KestrelInstance a = await KestrelInstance.StartAsync(settings, database);
        await using KestrelInstance b = await KestrelInstance.StartAsync(settings, database);
        using IssuedKeyPair issued = await a.Issuer.IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "ci" });
        using SigningKey key = issued.CreateSigningKey();

        // Behind a load balancer both instances see the same Host: the replay carries A's authority to B.
        SignatureFields fields = a.Sign(key);
        using HttpResponseMessage first = await a.SendAsync(fields);
        using HttpResponseMessage replay = await b.SendAsync(fields, authority: a.BaseAddress.Authority);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal($"ok {issued.KeyId}", await first.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Equal("replayed_nonce", await ErrorCode(replay));

        // The control: a fresh request to B with A's authority is accepted, so the refusal was the replay check.
        using HttpResponseMessage fresh = await b.SendAsync(a.Sign(key), authority: a.BaseAddress.Authority);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [RedisFact]
    public async Task Key_RevokedThroughA_RefusedByBWithinOneSecond()
    {
        var settings = RedisInstanceSettings.Unique(RedisTestEnvironment.RequiredConfiguration);
        var database = new InMemoryPublicKeyStore();
        await using KestrelInstance a = await KestrelInstance.StartAsync(settings, database);
        await using KestrelInstance b = await KestrelInstance.StartAsync(settings, database);
        await Subscribed(a);
        await Subscribed(b);
        using IssuedKeyPair issued = await a.Issuer.IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "ci" });
        using SigningKey key = issued.CreateSigningKey();
        using (HttpResponseMessage before = await b.SendSignedAsync(key))
        {
            // B now holds the key in its cache (30 s): without the notice it would keep accepting it.
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var stopwatch = Stopwatch.StartNew();
        await a.Issuer.RevokeAsync(issued.KeyId);
        HttpStatusCode status;
        string? code;
        do
        {
            using HttpResponseMessage response = await b.SendSignedAsync(key);
            status = response.StatusCode;
            code = status == HttpStatusCode.OK ? null : await ErrorCode(response);
        }
        while (status == HttpStatusCode.OK && stopwatch.Elapsed < TimeSpan.FromSeconds(5));

        TimeSpan delay = stopwatch.Elapsed;
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("key_revoked", code);
        Assert.True(delay < TimeSpan.FromSeconds(1), $"B refused the revoked key after {delay.TotalMilliseconds:F0} ms");
    }

    [RedisServerFact]
    public async Task Request_RedisStoppedThenStarted_503ReplayCacheUnavailableWithRetryAfter_ThenSucceedsWithoutRestart()
    {
        await using RedisServerProcess server = await RedisServerProcess.StartNewAsync();
        var settings = RedisInstanceSettings.Unique(server.Configuration, TimeSpan.FromMilliseconds(250));
        await using KestrelInstance app = await KestrelInstance.StartAsync(settings, new InMemoryPublicKeyStore());
        using IssuedKeyPair issued = await app.Issuer.IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "ci" });
        using SigningKey key = issued.CreateSigningKey();
        await WarmUpAsync(app, key);

        await server.StopAsync();
        for (int i = 0; i < 20; i++)
        {
            using HttpResponseMessage response = await app.SendSignedAsync(key);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("replay_cache_unavailable", await ErrorCode(response));
            Assert.NotNull(response.Headers.RetryAfter);
        }

        await server.StartAsync();
        var recovery = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            using HttpResponseMessage response = await app.SendSignedAsync(key);
            status = response.StatusCode;
            if (status != HttpStatusCode.OK)
            {
                // Until the connection is back: refused, never a 500.
                Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
                await Task.Delay(50);
            }
        }
        while (status != HttpStatusCode.OK && recovery.Elapsed < TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, status);
    }

    private static async Task WarmUpAsync(KestrelInstance app, SigningKey key)
    {
        HttpStatusCode status = HttpStatusCode.ServiceUnavailable;
        for (int i = 0; i < 20 && status != HttpStatusCode.OK; i++)
        {
            using HttpResponseMessage response = await app.SendSignedAsync(key);
            status = response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, status);
    }

    private static Task Subscribed(KestrelInstance instance) =>
        ((Redis.Internal.RedisRevocationSubscriber)instance.Services.GetService(typeof(Redis.Internal.RedisRevocationSubscriber))!).Subscribed.WaitAsync(TimeSpan.FromSeconds(20));

    private static async Task<string?> ErrorCode(HttpResponseMessage response)
    {
        using JsonDocument problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.TryGetProperty("error", out JsonElement error) ? error.GetString() : null;
    }
}
