using System.Net;
using System.Net.Sockets;
using KeyPairAuth.Keys;
using KeyPairAuth.Testing;

namespace KeyPairAuth.Cli.Tests.Commands;

/// <summary><c>keygen</c> → register the printed public key → <c>request</c> against a real Kestrel server.</summary>
public sealed class RequestCommandTests : IAsyncLifetime, IDisposable
{
    private readonly CliRunner _cli = new();
    private SignedApiServer _server = null!;

    public async Task InitializeAsync() => _server = await SignedApiServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _cli.Dispose();

    private async Task<(string KeyFile, string KeyId)> KeygenAndRegisterAsync()
    {
        string keyFile = _cli.PathOf("api.pem");
        CliResult keygen = await _cli.RunAsync("keygen", "--out", keyFile);
        Assert.Equal(0, keygen.ExitCode);

        // Register exactly what the user would paste into the dashboard: the printed SPKI PEM.
        string output = keygen.Output;
        int start = output.IndexOf("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal);
        int end = output.IndexOf("-----END PUBLIC KEY-----", StringComparison.Ordinal) + "-----END PUBLIC KEY-----".Length;
        string keyId = KeygenCommandTests.KeyIdFrom(output);
        _server.Register(keyId, Ed25519PublicKey.Parse(output[start..end]));
        return (keyFile, keyId);
    }

    [Fact]
    public async Task Request_KeygenThenRegister_Authenticates()
    {
        (string keyFile, string keyId) = await KeygenAndRegisterAsync();

        CliResult result = await _cli.RunAsync("request", "GET", new Uri(_server.BaseAddress, "/orders?status=open&q=a%2Fb").ToString(), "--key-file", keyFile, "--key-id", keyId);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("HTTP/1.1 200 OK", result.Output, StringComparison.Ordinal);
        Assert.Contains("Server: Kestrel", result.Output, StringComparison.Ordinal);
        Assert.Contains($"ok key={keyId} body=0 target=/orders?status=open&q=a%2Fb", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_PostWithBodyAndKeyIdFromEnvironment_Authenticates()
    {
        (string keyFile, string keyId) = await KeygenAndRegisterAsync();
        _cli.Environment["KEYPAIRAUTH_KEY_ID"] = keyId;

        CliResult result = await _cli.RunAsync("request", "POST", new Uri(_server.BaseAddress, "/orders").ToString(),
            "-k", keyFile, "-H", "Content-Type: application/json", "-d", "{\"qty\":3}");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("body=9", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_SecretFormatKeyFile_Authenticates()
    {
        string keyFile = _cli.PathOf("api.secret");
        CliResult keygen = await _cli.RunAsync("keygen", "--out", keyFile, "--format", "secret");
        using (SigningKey key = SigningKey.Parse(await File.ReadAllTextAsync(keyFile)))
        {
            _server.Register(key.KeyId, key.PublicKey);
        }

        CliResult result = await _cli.RunAsync("request", "DELETE", new Uri(_server.BaseAddress, "/orders/1").ToString(), "--key-file", keyFile);

        Assert.Equal(0, keygen.ExitCode);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Request_UnregisteredKey_Exits4AndPrints401()
    {
        string keyFile = _cli.PathOf("api.pem");
        await _cli.RunAsync("keygen", "--out", keyFile);

        CliResult result = await _cli.RunAsync("request", "GET", _server.BaseAddress.ToString(), "--key-file", keyFile, "--key-id", "kpa_unknown_key_0000");

        Assert.Equal(ExitCodes.ClientErrorResponse, result.ExitCode);
        Assert.StartsWith("HTTP/1.1 401 Unauthorized", result.Output, StringComparison.Ordinal);
        Assert.Contains("invalid_signature", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_ServerError_Exits5()
    {
        (string keyFile, string keyId) = await KeygenAndRegisterAsync();

        CliResult result = await _cli.RunAsync("request", "GET", new Uri(_server.BaseAddress, "/status/503").ToString(), "--key-file", keyFile, "--key-id", keyId);

        Assert.Equal(ExitCodes.ServerErrorResponse, result.ExitCode);
        Assert.StartsWith("HTTP/1.1 503", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignCurl_PrintedCommandRunInAShell_Authenticates()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // the printed command line is for a POSIX shell
        }

        // ./test.sh provisions curl (.ci/services/tools.sh); a missing tool is a failure, not a silent pass.
        Assert.True(File.Exists("/bin/sh"), "/bin/sh is required");
        Assert.True(new[] { "/usr/bin/curl", "/bin/curl", "/usr/local/bin/curl" }.Any(File.Exists), "curl is required: ./test.sh installs it");

        (string keyFile, string keyId) = await KeygenAndRegisterAsync();
        string url = new Uri(_server.BaseAddress, "/orders/a%2Fb?q=x y&n=[1]").ToString();

        CliResult signed = await _cli.RunAsync("sign", "POST", url, "--key-file", keyFile, "--key-id", keyId,
            "-H", "Content-Type: application/json", "-d", "{\"note\":\"it's \\u00e9\"}", "--curl");
        Assert.Equal(0, signed.ExitCode);

        var start = new System.Diagnostics.ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(signed.Output.Trim() + " --silent --show-error");
        using var process = System.Diagnostics.Process.Start(start)!;
        string response = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.StartsWith($"ok key={keyId} body=", response, StringComparison.Ordinal);
        Assert.Contains("target=/orders/a%2Fb?q=x%20y&n=[1]", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_NothingListening_Exits1WithMessage()
    {
        (string keyFile, string keyId) = await KeygenAndRegisterAsync();
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        CliResult result = await _cli.RunAsync("request", "GET", $"http://127.0.0.1:{port}/", "--key-file", keyFile, "--key-id", keyId);

        Assert.Equal(ExitCodes.Error, result.ExitCode);
        Assert.Contains("failed", result.Error, StringComparison.Ordinal);
    }
}
