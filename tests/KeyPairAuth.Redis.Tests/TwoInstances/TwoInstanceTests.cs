using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using KeyPairAuth.Client;
using KeyPairAuth.Issuance;
using KeyPairAuth.Keys;
using KeyPairAuth.Testing;
using Xunit.Abstractions;

namespace KeyPairAuth.Redis.Tests.TwoInstances;

/// <summary>
/// Two real Kestrel instances on different loopback ports sharing ONE PostgreSQL database (EF Core store) and ONE
/// Redis (replay cache + revocation fan-out): the evidence for the many-instance section of docs/deployment.md.
/// Requests are signed with the client SDK's <see cref="RequestSigner"/>.
/// </summary>
public sealed class TwoInstanceTests(ITestOutputHelper output)
{
    [TwoInstanceFact]
    public async Task Key_IssuedThroughA_AuthenticatesOnB()
    {
        await using TwoInstanceDeployment deployment = await TwoInstanceDeployment.StartAsync();
        using IssuedKeyPair issued = await deployment.A.Issuer.IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "ci" });
        using SigningKey key = issued.CreateSigningKey();
        var signer = new RequestSigner(key);

        using HttpResponseMessage response = await SendSignedAsync(deployment.B, signer);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"ok {issued.KeyId}", await response.Content.ReadAsStringAsync());
    }

    [TwoInstanceFact]
    public async Task Request_AcceptedByA_ReplayedByteForByteToB_RefusedAsReplayedNonce()
    {
        await using TwoInstanceDeployment deployment = await TwoInstanceDeployment.StartAsync();
        using IssuedKeyPair issued = await deployment.A.Issuer.IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "ci" });
        using SigningKey key = issued.CreateSigningKey();
        var signer = new RequestSigner(key);

        using var original = new HttpRequestMessage(HttpMethod.Get, new Uri(deployment.A.BaseAddress, "/orders"));
        await signer.SignAsync(original);
        using HttpResponseMessage accepted = await deployment.A.Client.SendAsync(Copy(original, deployment.A.BaseAddress));

        // Behind a load balancer both instances see the same Host: the copy carries A's authority and every header to B.
        using HttpResponseMessage replay = await deployment.B.Client.SendAsync(Copy(original, deployment.B.BaseAddress));

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Equal("replayed_nonce", await ErrorCode(replay));

        // The control: a freshly signed request to B with A's authority is accepted, so the refusal was the shared replay check.
        using var fresh = new HttpRequestMessage(HttpMethod.Get, new Uri(deployment.A.BaseAddress, "/orders"));
        await signer.SignAsync(fresh);
        using HttpResponseMessage freshResponse = await deployment.B.Client.SendAsync(Copy(fresh, deployment.B.BaseAddress));
        Assert.Equal(HttpStatusCode.OK, freshResponse.StatusCode);
    }

    [TwoInstanceFact]
    public async Task Key_RevokedThroughA_RefusedByBWithinOneSecond()
    {
        await using TwoInstanceDeployment deployment = await TwoInstanceDeployment.StartAsync();
        await deployment.FanOutSubscribedAsync();
        using IssuedKeyPair issued = await deployment.A.Issuer.IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "ci" });
        using SigningKey key = issued.CreateSigningKey();
        var signer = new RequestSigner(key);
        using (HttpResponseMessage before = await SendSignedAsync(deployment.B, signer))
        {
            // B now holds the key in its key cache (30 s): only the fan-out notice makes it look at the database again.
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var stopwatch = Stopwatch.StartNew();
        await deployment.A.Issuer.RevokeAsync(issued.KeyId);
        HttpStatusCode status;
        string? code;
        do
        {
            using HttpResponseMessage response = await SendSignedAsync(deployment.B, signer);
            status = response.StatusCode;
            code = status == HttpStatusCode.OK ? null : await ErrorCode(response);
        }
        while (status == HttpStatusCode.OK && stopwatch.Elapsed < TimeSpan.FromSeconds(5));

        TimeSpan delay = stopwatch.Elapsed;
        output.WriteLine($"B refused the key revoked through A after {delay.TotalMilliseconds:F0} ms (revoke in PostgreSQL + Redis notice + B's next request).");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("key_revoked", code);
        Assert.True(delay < TimeSpan.FromSeconds(1), $"B refused the revoked key after {delay.TotalMilliseconds:F0} ms; the requirement is under 1 s.");
    }

    [TwoInstanceFact]
    public async Task Requests_2000SpreadOverBothAtConcurrency16_AllSucceedWithNo5xx()
    {
        const int Total = 2000;
        await using TwoInstanceDeployment deployment = await TwoInstanceDeployment.StartAsync();
        using IssuedKeyPair issued = await deployment.A.Issuer.IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "load" });
        using SigningKey key = issued.CreateSigningKey();
        var signer = new RequestSigner(key);
        KestrelInstance[] instances = [deployment.A, deployment.B];
        var statuses = new ConcurrentDictionary<(int Instance, HttpStatusCode Status), int>();

        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Total), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, cancellationToken) =>
        {
            int instance = i % 2;
            using HttpResponseMessage response = await SendSignedAsync(instances[instance], signer, cancellationToken);
            statuses.AddOrUpdate((instance, response.StatusCode), 1, (_, n) => n + 1);
        });
        output.WriteLine($"{Total} requests over two instances at concurrency 16 in {stopwatch.Elapsed.TotalSeconds:F1} s: " +
            string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{(s.Key.Instance == 0 ? "A" : "B")} {(int)s.Key.Status} x{s.Value}")));

        Assert.DoesNotContain(statuses.Keys, s => (int)s.Status >= 500);
        Assert.Equal(Total / 2, statuses.GetValueOrDefault((0, HttpStatusCode.OK)));
        Assert.Equal(Total / 2, statuses.GetValueOrDefault((1, HttpStatusCode.OK)));
    }

    [TwoInstanceFact]
    public async Task Requests_RedisStoppedMidRun_503ReplayCacheUnavailable_ThenSucceedAfterRestartWithoutRestartingApps()
    {
        await using TwoInstanceDeployment deployment = await TwoInstanceDeployment.StartAsync(redisTimeout: TimeSpan.FromMilliseconds(500));
        using IssuedKeyPair issued = await deployment.A.Issuer.IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "outage" });
        using SigningKey key = issued.CreateSigningKey();
        var signer = new RequestSigner(key);
        KestrelInstance[] instances = [deployment.A, deployment.B];
        foreach (KestrelInstance instance in instances)
        {
            using HttpResponseMessage warm = await SendSignedAsync(instance, signer);
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        // Traffic on both instances while Redis dies: each answer is a success checked before the kill or a 503, never a 500.
        using var stopTraffic = new CancellationTokenSource();
        var duringStop = new ConcurrentBag<(HttpStatusCode Status, string? Code)>();
        Task traffic = Parallel.ForEachAsync(Enumerable.Range(0, 4), async (worker, _) =>
        {
            for (int i = 0; !stopTraffic.IsCancellationRequested; i++)
            {
                // In-flight requests finish: only the loop stops.
                using HttpResponseMessage response = await SendSignedAsync(instances[(worker + i) % 2], signer, CancellationToken.None);
                duringStop.Add((response.StatusCode, response.StatusCode == HttpStatusCode.OK ? null : await ErrorCode(response)));
            }
        });
        // Polling a counter (no event marks "n answers seen"); a failed worker ends the wait and surfaces below.
        while (duringStop.Count < 20 && !traffic.IsCompleted)
        {
            await Task.Delay(10);
        }

        await deployment.Redis.StopAsync();
        int beforeStopped = duringStop.Count;
        while (duringStop.Count < beforeStopped + 8 && !traffic.IsCompleted)
        {
            await Task.Delay(10);
        }

        await stopTraffic.CancelAsync();
        await traffic;
        Assert.All(duringStop, r => Assert.True(
            r.Status == HttpStatusCode.OK || (r.Status == HttpStatusCode.ServiceUnavailable && r.Code == "replay_cache_unavailable"),
            $"{(int)r.Status} {r.Code} while Redis was being stopped"));
        Assert.Contains(duringStop, r => r.Status == HttpStatusCode.ServiceUnavailable);

        // Redis is down: every request to either instance is refused, none accepted unchecked.
        for (int i = 0; i < 10; i++)
        {
            foreach (KestrelInstance instance in instances)
            {
                using HttpResponseMessage response = await SendSignedAsync(instance, signer);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal("replay_cache_unavailable", await ErrorCode(response));
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }

        // Redis is back on the same port: both instances recover by themselves (503 until then, never 500).
        await deployment.Redis.StartAsync();
        foreach (KestrelInstance instance in instances)
        {
            var recovery = Stopwatch.StartNew();
            HttpStatusCode status;
            do
            {
                using HttpResponseMessage response = await SendSignedAsync(instance, signer);
                status = response.StatusCode;
                if (status != HttpStatusCode.OK)
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
                    Assert.Equal("replay_cache_unavailable", await ErrorCode(response));
                    await Task.Delay(50);
                }
            }
            while (status != HttpStatusCode.OK && recovery.Elapsed < TimeSpan.FromSeconds(30));

            Assert.Equal(HttpStatusCode.OK, status);
        }

        for (int i = 0; i < 20; i++)
        {
            using HttpResponseMessage response = await SendSignedAsync(instances[i % 2], signer);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    /// <summary>Signs <c>GET /orders</c> to <paramref name="instance"/> with the client SDK and sends it.</summary>
    private static async Task<HttpResponseMessage> SendSignedAsync(KestrelInstance instance, RequestSigner signer, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(instance.BaseAddress, "/orders"));
        await signer.SignAsync(request, cancellationToken);
        return await instance.Client.SendAsync(request, cancellationToken);
    }

    /// <summary>The same request line and header fields (Host included) as <paramref name="original"/>, sent to <paramref name="to"/>.</summary>
    private static HttpRequestMessage Copy(HttpRequestMessage original, Uri to)
    {
        var copy = new HttpRequestMessage(original.Method, new Uri(to, original.RequestUri!.PathAndQuery));
        copy.Headers.Host = original.RequestUri.Authority;
        foreach (KeyValuePair<string, IEnumerable<string>> header in original.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return copy;
    }

    private static async Task<string?> ErrorCode(HttpResponseMessage response)
    {
        using JsonDocument problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.TryGetProperty("error", out JsonElement error) ? error.GetString() : null;
    }
}
