using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using KeyPairAuth.Keys;
using KeyPairAuth.SampleServer.Admin;
using KeyPairAuth.SampleServer.Tests.Infrastructure;
using KeyPairAuth.Stores;
using Microsoft.Extensions.DependencyInjection;

namespace KeyPairAuth.SampleServer.Tests.Admin;

/// <summary>
/// The admin CLI (<c>keys ...</c>) through its entry point, on the running server's own store, and as the sample
/// program's process.
/// </summary>
public sealed class AdminCliTests
{
    private const string Server = "KeyPairAuth.SampleServer";

    private sealed record Run(int ExitCode, string Output, string Error)
    {
        public void AssertOneLineError(int exitCode, string contains)
        {
            Assert.True(ExitCode == exitCode, $"exit {ExitCode}, expected {exitCode}\n{Output}\n{Error}");
            string[] lines = Error.TrimEnd().Split('\n');
            Assert.True(lines.Length == 1, $"expected one line on stderr, got:\n{Error}");
            Assert.StartsWith("keys: ", lines[0], StringComparison.Ordinal);
            Assert.Contains(contains, lines[0], StringComparison.OrdinalIgnoreCase);
            Assert.Equal(string.Empty, Output);
        }
    }

    private static async Task<Run> KeysAsync(IServiceProvider services, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exit = await AdminCli.RunAsync(args, output, error, services);
        return new Run(exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Create_PrintsEverythingOnce_AndTheKeySignsRequestsOnTheServer()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();

        Run run = await KeysAsync(server.Services, "create", "--owner", "alice", "--name", "ci deploy", "--scopes", "orders:read,orders:write", "--expires-in", "30d");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(string.Empty, run.Error);
        string keyId = Line(run.Output, "key id:");
        string secret = Line(run.Output, "secret:");
        Assert.True(KeyId.IsValid(keyId), keyId);
        Assert.StartsWith(SigningKey.SecretPrefix, secret, StringComparison.Ordinal);
        Assert.Equal("alice", Line(run.Output, "owner:"));
        Assert.Equal("ci deploy", Line(run.Output, "name:"));
        Assert.Equal("orders:read, orders:write", Line(run.Output, "scopes:"));
        DateTimeOffset expires = DateTimeOffset.Parse(Line(run.Output, "expires:").TrimEnd('Z') + "+00:00", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires - TimeProvider.System.GetUtcNow(), TimeSpan.FromDays(29.9), TimeSpan.FromDays(30));
        Assert.Contains("-----BEGIN PRIVATE KEY-----", run.Output, StringComparison.Ordinal);
        Assert.Contains("-----BEGIN PUBLIC KEY-----", run.Output, StringComparison.Ordinal);
        Assert.Contains("only time the private key is shown", run.Output, StringComparison.Ordinal);

        await using var client = new SignedClient(server.BaseAddress, secret);
        Reply whoami = await client.GetAsync("api/whoami");
        whoami.AssertStatus(HttpStatusCode.OK);
        Assert.Equal("alice", whoami.Json.GetProperty("owner").GetString());
    }

    [Fact]
    public async Task Create_JsonFormat_PrintsOneJsonObjectWithTheSecretAndBothPems()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();

        Run run = await KeysAsync(server.Services, "create", "--owner", "bob", "--name", "json", "--format", "json");

        Assert.Equal(0, run.ExitCode);
        using JsonDocument json = JsonDocument.Parse(run.Output);
        JsonElement root = json.RootElement;
        string keyId = root.GetProperty("keyId").GetString()!;
        Assert.Equal("bob", root.GetProperty("owner").GetString());
        Assert.Empty(root.GetProperty("scopes").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("expiresAt").ValueKind);
        using SigningKey fromSecret = SigningKey.Parse(root.GetProperty("secret").GetString()!);
        using SigningKey fromPem = SigningKey.FromPkcs8Pem(keyId, root.GetProperty("privateKeyPem").GetString()!);
        Assert.Equal(keyId, fromSecret.KeyId);
        Assert.Equal(fromSecret.PublicKey, fromPem.PublicKey);
        Assert.Equal(fromSecret.PublicKey, Ed25519PublicKey.FromSpkiPem(root.GetProperty("publicKeyPem").GetString()!));
        Assert.Equal(fromSecret.PublicKey.Fingerprint, root.GetProperty("fingerprint").GetString());
    }

    [Fact]
    public async Task List_ShowsTheOwnersKeysOnly_AndNeverASecret()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        string first = Line((await KeysAsync(server.Services, "create", "--owner", "alice", "--name", "one")).Output, "key id:");
        string second = Line((await KeysAsync(server.Services, "create", "--owner", "alice", "--name", "two", "--scopes", "orders:read")).Output, "key id:");
        string others = Line((await KeysAsync(server.Services, "create", "--owner", "bob", "--name", "bob's")).Output, "key id:");
        Assert.Equal(0, (await KeysAsync(server.Services, "revoke", first)).ExitCode);

        Run text = await KeysAsync(server.Services, "list", "--owner", "alice");
        Run json = await KeysAsync(server.Services, "list", "--owner", "alice", "--format", "json");
        Run nobody = await KeysAsync(server.Services, "list", "--owner", "nobody");

        Assert.Equal(0, text.ExitCode);
        Assert.Contains(first, text.Output, StringComparison.Ordinal);
        Assert.Contains(second, text.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(others, text.Output, StringComparison.Ordinal);
        Assert.Matches($"{first}\\s+revoked", text.Output);
        Assert.Matches($"{second}\\s+active", text.Output);
        JsonElement[] keys = [.. JsonDocument.Parse(json.Output).RootElement.EnumerateArray()];
        Assert.Equal([first, second], keys.Select(k => k.GetProperty("keyId").GetString()));
        Assert.Equal(["revoked", "active"], keys.Select(k => k.GetProperty("status").GetString()));
        foreach (string output in new[] { text.Output, json.Output })
        {
            Assert.DoesNotContain(SigningKey.SecretPrefix, output, StringComparison.Ordinal);
            Assert.DoesNotContain("PRIVATE KEY", output, StringComparison.Ordinal);
        }

        Assert.Equal("no keys", nobody.Output.Trim());
    }

    [Fact]
    public async Task Register_PublicKeyFile_StoresOnlyThePublicKey_AndRefusesItTwice()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        using SigningKey local = SigningKey.Generate();
        string file = Path.Combine(Path.GetTempPath(), $"kpa-{Guid.NewGuid():N}.pub");
        await File.WriteAllTextAsync(file, local.PublicKey.ExportSpkiPem());
        try
        {
            Run run = await KeysAsync(server.Services, "register", "--owner", "carol", "--name", "laptop", "--public-key-file", file, "--scopes", "orders:read");
            Run again = await KeysAsync(server.Services, "register", "--owner", "carol", "--name", "laptop", "--public-key-file", file);

            Assert.True(run.ExitCode == 0, run.Error);
            Assert.Equal(local.PublicKey.Fingerprint, Line(run.Output, "fingerprint:"));
            Assert.DoesNotContain(SigningKey.SecretPrefix, run.Output, StringComparison.Ordinal);
            again.AssertOneLineError(1, "already registered");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Register_ForeignOrMissingKeyFile_FailsWithOneLine()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        using var rsa = RSA.Create(2048);
        string rsaFile = Path.Combine(Path.GetTempPath(), $"kpa-{Guid.NewGuid():N}.pem");
        string garbageFile = Path.Combine(Path.GetTempPath(), $"kpa-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(rsaFile, rsa.ExportSubjectPublicKeyInfoPem());
        await File.WriteAllTextAsync(garbageFile, "-----BEGIN PUBLIC KEY-----\nnot base64 at all\n-----END PUBLIC KEY-----\n");
        try
        {
            (await KeysAsync(server.Services, "register", "--owner", "o", "--name", "n", "--public-key-file", rsaFile)).AssertOneLineError(1, "Ed25519");
            (await KeysAsync(server.Services, "register", "--owner", "o", "--name", "n", "--public-key-file", garbageFile)).AssertOneLineError(1, garbageFile);
            (await KeysAsync(server.Services, "register", "--owner", "o", "--name", "n", "--public-key-file", "/nonexistent/key.pub")).AssertOneLineError(1, "cannot read");
            Assert.Equal("no keys", (await KeysAsync(server.Services, "list", "--owner", "o")).Output.Trim());
        }
        finally
        {
            File.Delete(rsaFile);
            File.Delete(garbageFile);
        }
    }

    [Fact]
    public async Task Register_KeyFileWithoutAKnownLength_IsReadToTheLimitOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // a named pipe made with mkfifo: POSIX only
        }

        // A pipe (or /dev/zero, or a process substitution) reports no length: the size check must count what is read.
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        string fifo = Path.Combine(Path.GetTempPath(), $"kpa-{Guid.NewGuid():N}.pub");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        try
        {
            Task writer = Task.Run(async () =>
            {
                try
                {
                    await using FileStream pipe = new(fifo, FileMode.Open, FileAccess.Write);
                    await pipe.WriteAsync(new byte[256 * 1024].Select(_ => (byte)'A').ToArray());
                }
                catch (IOException)
                {
                    // The reader stopped early and closed its end: what a bounded reader does.
                }
            });

            Run run = await KeysAsync(server.Services, "register", "--owner", "o", "--name", "n", "--public-key-file", fifo);
            await writer;

            run.AssertOneLineError(1, "a public key is far smaller");
            Assert.Equal("no keys", (await KeysAsync(server.Services, "list", "--owner", "o")).Output.Trim());
        }
        finally
        {
            File.Delete(fifo);
        }
    }

    [Fact]
    public async Task Revoke_StopsTheKeyAtOnce_AndIsIdempotent_AndRefusesUnknownIds()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        Run created = await KeysAsync(server.Services, "create", "--owner", "dave", "--name", "k");
        string keyId = Line(created.Output, "key id:");
        await using var client = new SignedClient(server.BaseAddress, Line(created.Output, "secret:"));
        (await client.GetAsync("api/whoami")).AssertStatus(HttpStatusCode.OK);

        Run revoked = await KeysAsync(server.Services, "revoke", keyId);
        Run again = await KeysAsync(server.Services, "revoke", keyId);

        Assert.Equal(0, revoked.ExitCode);
        Assert.StartsWith($"revoked {keyId} (k, owner dave) at ", revoked.Output, StringComparison.Ordinal);
        (await client.GetAsync("api/whoami")).AssertProblem(HttpStatusCode.Unauthorized, "key_revoked");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("already revoked", again.Output, StringComparison.Ordinal);
        (await KeysAsync(server.Services, "revoke", KeyId.New())).AssertOneLineError(1, "no key");
        (await KeysAsync(server.Services, "revoke", "kpa_nope")).AssertOneLineError(1, "not a key id");
    }

    [Fact]
    public async Task Create_AtTheActiveKeyLimit_FailsWithOneLine()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync("--Keys:MaxActivePerOwner=1");
        Assert.Equal(0, (await KeysAsync(server.Services, "create", "--owner", "erin", "--name", "1")).ExitCode);

        (await KeysAsync(server.Services, "create", "--owner", "erin", "--name", "2")).AssertOneLineError(1, "active keys");
    }

    [Theory]
    [InlineData(new string[0], "usage")]
    [InlineData(new[] { "delete" }, "unknown command 'delete'")]
    [InlineData(new[] { "create", "--name", "n" }, "create needs --owner")]
    [InlineData(new[] { "create", "--owner", "o" }, "create needs --name")]
    [InlineData(new[] { "create", "--owner", "o", "--name", "n", "--expires-in", "soon" }, "--expires-in 'soon'")]
    [InlineData(new[] { "create", "--owner", "o", "--name", "n", "--expires-in", "0d" }, "--expires-in '0d'")]
    [InlineData(new[] { "create", "--owner", "o", "--name", "n", "--format", "xml" }, "--format is text or json")]
    [InlineData(new[] { "create", "--owner", "o", "--name", "n", "--colour", "red" }, "does not take --colour")]
    [InlineData(new[] { "create", "--owner", "o", "--owner", "p", "--name", "n" }, "--owner is given twice")]
    [InlineData(new[] { "create", "--owner" }, "--owner needs a value")]
    [InlineData(new[] { "list" }, "list needs --owner")]
    [InlineData(new[] { "revoke" }, "revoke needs the key id")]
    [InlineData(new[] { "register", "--owner", "o", "--name", "n" }, "register needs --public-key-file")]
    public async Task UsageErrors_ExitTwoWithOneLine(string[] args, string message)
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();

        Run run = await KeysAsync(server.Services, args);

        if (args.Length == 0)
        {
            Assert.Equal(2, run.ExitCode);
            Assert.Contains(message, run.Error, StringComparison.Ordinal);
            return;
        }

        run.AssertOneLineError(2, message);
    }

    [Fact]
    public async Task CreateAndRegister_UnknownFormat_AreRefusedBeforeAnythingIsWritten()
    {
        // A usage error must leave the store as it was: a key created before the refusal would be active, count
        // towards the limit, and its secret would never be shown.
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        using SigningKey local = SigningKey.Generate();
        string file = Path.Combine(Path.GetTempPath(), $"kpa-{Guid.NewGuid():N}.pub");
        await File.WriteAllTextAsync(file, local.PublicKey.ExportSpkiPem());
        try
        {
            (await KeysAsync(server.Services, "create", "--owner", "frank", "--name", "n", "--format", "xml")).AssertOneLineError(2, "--format is text or json");
            (await KeysAsync(server.Services, "register", "--owner", "frank", "--name", "n", "--public-key-file", file, "--format", "yaml"))
                .AssertOneLineError(2, "--format is text or json");

            Assert.Equal("no keys", (await KeysAsync(server.Services, "list", "--owner", "frank")).Output.Trim());
            Run registered = await KeysAsync(server.Services, "register", "--owner", "frank", "--name", "n", "--public-key-file", file);
            Assert.True(registered.ExitCode == 0, registered.Error);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task InvalidInputForTheIssuer_ExitsOneWithTheIssuersMessage()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();

        (await KeysAsync(server.Services, "create", "--owner", "o", "--name", "n", "--scopes", "Not A Scope")).AssertOneLineError(1, "scope");
        (await KeysAsync(server.Services, "create", "--owner", "o", "--name", new string('n', 101))).AssertOneLineError(1, "name");
    }

    [Fact]
    public async Task StoreUnavailable_ExitsOneWithOneLine()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IPublicKeyStore, UnreachableStore>();
        services.AddKeyPairAuth();
        await using ServiceProvider provider = services.BuildServiceProvider();

        (await KeysAsync(provider, "list", "--owner", "o")).AssertOneLineError(1, "the key store failed");
        (await KeysAsync(provider, "create", "--owner", "o", "--name", "n")).AssertOneLineError(1, "connection refused");
    }

    [Fact]
    public async Task EntryPoint_KeysCommandsInTheirOwnProcess_ShareTheRunningServersDatabase()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        var environment = new Dictionary<string, string?> { ["Database__Path"] = server.DatabasePath };
        (string serverKey, _) = await server.IssueAsync("alice", "orders:read");

        ProcessRunner.Result help = await ProcessRunner.RunAsync(Server, ["keys", "--help"], environment);
        ProcessRunner.Result create = await ProcessRunner.RunAsync(Server, ["keys", "create", "--owner", "alice", "--name", "from the shell", "--format", "json"], environment);

        Assert.Equal(0, help.ExitCode);
        Assert.Contains("keys create", help.Output, StringComparison.Ordinal);
        Assert.True(create.ExitCode == 0, create.Error);
        JsonElement created = JsonDocument.Parse(create.Output).RootElement;
        string cliKey = created.GetProperty("keyId").GetString()!;

        // The server, which never saw this key being created, accepts it: same database.
        await using (var client = new SignedClient(server.BaseAddress, created.GetProperty("secret").GetString()!))
        {
            Reply whoami = await client.GetAsync("api/whoami");
            whoami.AssertStatus(HttpStatusCode.OK);
            Assert.Equal(cliKey, whoami.Json.GetProperty("keyId").GetString());
        }

        ProcessRunner.Result revoke = await ProcessRunner.RunAsync(Server, ["keys", "revoke", serverKey], environment);
        ProcessRunner.Result list = await ProcessRunner.RunAsync(Server, ["keys", "list", "--owner", "alice", "--format", "json"], environment);
        ProcessRunner.Result unknown = await ProcessRunner.RunAsync(Server, ["keys", "revoke", KeyId.New()], environment);
        ProcessRunner.Result usage = await ProcessRunner.RunAsync(Server, ["keys", "create", "--owner", "alice"], environment);

        Assert.True(revoke.ExitCode == 0, revoke.Error);
        JsonElement[] keys = [.. JsonDocument.Parse(list.Output).RootElement.EnumerateArray()];
        Assert.Equal([serverKey, cliKey], keys.Select(k => k.GetProperty("keyId").GetString()));
        Assert.Equal(["revoked", "active"], keys.Select(k => k.GetProperty("status").GetString()));
        Assert.Equal(1, unknown.ExitCode);
        Assert.Single(unknown.Error.TrimEnd().Split('\n'));
        Assert.Contains("no key", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(2, usage.ExitCode);
        Assert.Single(usage.Error.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task EntryPoint_DatabaseUnreachable_ExitsOneWithOneLine()
    {
        var environment = new Dictionary<string, string?> { ["Database__Path"] = "/proc/keypairauth-no-such-dir/keys.db" };

        ProcessRunner.Result run = await ProcessRunner.RunAsync(Server, ["keys", "list", "--owner", "alice"], environment);

        Assert.Equal(1, run.ExitCode);
        Assert.Single(run.Error.TrimEnd().Split('\n'));
        Assert.StartsWith("keys: error: the key store failed", run.Error, StringComparison.Ordinal);
    }

    private static string Line(string output, string label)
    {
        string? line = output.Split('\n').FirstOrDefault(l => l.StartsWith(label, StringComparison.Ordinal));
        Assert.True(line is not null, $"no '{label}' line in:\n{output}");
        return line[label.Length..].Trim();
    }

    /// <summary>A store whose database cannot be reached.</summary>
    private sealed class UnreachableStore : IPublicKeyStore
    {
        public ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default) => throw Failure();

        public ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default) => throw Failure();

        public ValueTask<PublicKeyAddResult> AddAsync(PublicKeyRecord record, int maxActiveKeysPerOwner, CancellationToken cancellationToken = default) => throw Failure();

        public ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default) => throw Failure();

        public ValueTask RecordLastUsedAsync(string keyId, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default) => throw Failure();

        private static IOException Failure() => new("connection refused\n(127.0.0.1:5432)");
    }
}
