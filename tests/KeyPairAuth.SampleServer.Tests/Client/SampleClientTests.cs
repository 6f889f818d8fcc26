using KeyPairAuth.Issuance;
using KeyPairAuth.SampleServer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KeyPairAuth.SampleServer.Tests.Client;

/// <summary>The sample client as a process (what a newcomer runs) against a running sample server.</summary>
public sealed class SampleClientTests
{
    private const string Client = "KeyPairAuth.SampleClient";

    [Fact]
    public async Task SampleClient_WithSecretInEnvironment_CallsEveryEndpoint_AndShowsTamperingRefused()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        (string keyId, string secret) = await server.IssueAsync("alice", "orders:read", "orders:write");

        ProcessRunner.Result run = await ProcessRunner.RunAsync(Client, ["--server", server.Url], new Dictionary<string, string?> { ["KEYPAIRAUTH_SECRET"] = secret });

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.Output}\n{run.Error}");
        Assert.Contains($"as key {keyId}", run.Output, StringComparison.Ordinal);
        Assert.Contains("GET  /api/whoami -> 200", run.Output, StringComparison.Ordinal);
        Assert.Contains($$"""{"owner":"alice","keyId":"{{keyId}}","scopes":["orders:read","orders:write"]}""", run.Output, StringComparison.Ordinal);
        Assert.Contains("POST /api/echo -> 200", run.Output, StringComparison.Ordinal);
        Assert.Contains("hello, signed world", run.Output, StringComparison.Ordinal);
        Assert.Contains("GET  /api/orders -> 200", run.Output, StringComparison.Ordinal);
        Assert.Contains("POST /api/orders -> 201", run.Output, StringComparison.Ordinal);
        Assert.Contains("POST /api/echo, body changed after signing -> 401 Unauthorized application/problem+json", run.Output, StringComparison.Ordinal);
        Assert.Contains("\"error\":\"digest_mismatch\"", run.Output, StringComparison.Ordinal);
        Assert.Contains("ok   the tampered request was refused", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, run.Output + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SampleClient_SecretFileAndKeyWithoutOrderScopes_PrintsTheScopeMissingProblem()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        (_, string secret) = await server.IssueAsync("bob");
        string file = Path.Combine(Path.GetTempPath(), $"kpa-{Guid.NewGuid():N}.secret");
        await File.WriteAllTextAsync(file, secret + "\n");
        try
        {
            ProcessRunner.Result run = await ProcessRunner.RunAsync(Client, ["--server", server.Url, "--secret-file", file]);

            Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.Output}\n{run.Error}");
            Assert.Contains("GET  /api/whoami -> 200", run.Output, StringComparison.Ordinal);
            Assert.Contains("GET  /api/orders -> 403 Forbidden application/problem+json", run.Output, StringComparison.Ordinal);
            Assert.Contains("POST /api/orders -> 403 Forbidden application/problem+json", run.Output, StringComparison.Ordinal);
            Assert.Contains("\"error\":\"scope_missing\"", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task SampleClient_RevokedKey_FailsAndSaysWhy()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        (string keyId, string secret) = await server.IssueAsync("carol");
        await using (AsyncServiceScope scope = server.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<IKeyPairIssuer>().RevokeAsync(keyId);
        }

        ProcessRunner.Result run = await ProcessRunner.RunAsync(Client, ["--server", server.Url], new Dictionary<string, string?> { ["KEYPAIRAUTH_SECRET"] = secret });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("GET  /api/whoami -> 401", run.Output, StringComparison.Ordinal);
        Assert.Contains("\"error\":\"key_revoked\"", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SampleClient_WithoutASecret_ExitsTwoAndSaysWhereToGetOne()
    {
        ProcessRunner.Result run = await ProcessRunner.RunAsync(Client, ["--server", "http://127.0.0.1:9"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("KEYPAIRAUTH_SECRET", run.Error, StringComparison.Ordinal);
        Assert.Single(run.Error.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task SampleClient_MistypedSecret_ExitsTwoWithoutEchoingIt()
    {
        const string Mistyped = "kpa_sk_this-is-not-a-valid-secret-string-at-all-000000000";

        ProcessRunner.Result run = await ProcessRunner.RunAsync(Client, ["--server", "http://127.0.0.1:9"], new Dictionary<string, string?> { ["KEYPAIRAUTH_SECRET"] = Mistyped });

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("not a KeyPairAuth secret", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Mistyped, run.Output + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SampleClient_ServerNotRunning_ExitsOneAndSaysSo()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        (_, string secret) = await server.IssueAsync("dave");
        string url = server.Url;
        await server.DisposeAsync();

        ProcessRunner.Result run = await ProcessRunner.RunAsync(Client, ["--server", url], new Dictionary<string, string?> { ["KEYPAIRAUTH_SECRET"] = secret });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("cannot reach", run.Error, StringComparison.Ordinal);
    }
}
