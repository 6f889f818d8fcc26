using System.Diagnostics;
using System.Text;
using KeyPairAuth.Keys;
using KeyPairAuth.Testing;
using Xunit.Abstractions;

namespace KeyPairAuth.Cli.Tests.Commands;

/// <summary>
/// <c>sign --curl</c>: the printed command, run by a real shell and curl against a verifying server, must send exactly the
/// request that was signed: the same method, target and body, for every method with and without a body.
/// </summary>
public sealed class SignCurlRoundTripTests(ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    private readonly CliRunner _cli = new();
    private SignedApiServer _server = null!;
    private string _keyId = null!;

    public async Task InitializeAsync()
    {
        _server = await SignedApiServer.StartAsync();
        using SigningKey key = SigningKey.Generate();
        _server.Register(key.KeyId, key.PublicKey);
        _keyId = key.KeyId;
        _cli.Environment["KEYPAIRAUTH_KEY"] = key.ExportSecret();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _cli.Dispose();

    private static async Task<(int Code, string Out, string Err)> ShellAsync(string script)
    {
        // ./test.sh provisions curl (.ci/services/tools.sh); a missing tool is a failure, not a silent pass.
        Assert.True(File.Exists("/bin/sh"), "/bin/sh is required");
        Assert.True(new[] { "/usr/bin/curl", "/bin/curl", "/usr/local/bin/curl" }.Any(File.Exists), "curl is required: ./test.sh installs it");
        var psi = new ProcessStartInfo("/bin/sh", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout, await stderr);
    }

    public static TheoryData<string, string, string?> Requests()
    {
        var data = new TheoryData<string, string, string?>
        {
            // The review's cases.
            { "GET", "/x?q=1", "hello" },
            { "POST", "/a/./b/../c?x=%7e&y={1}", "hello" },
            { "PUT", "/p", "line1\r\nline2" },
            { "HEAD", "/h", null },
            { "GET", "/plain", null },
        };
        foreach (string method in (string[])["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "QUERY"])
        {
            data.Add(method, "/m?with=body", "{\"a\":1}");
            data.Add(method, "/m?with=nothing", null);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task SignCurl_PrintedCommandRunInAShell_SendsWhatWasSigned(string method, string target, string? data)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // the printed command line is for a POSIX shell
        }

        string url = _server.BaseAddress.GetLeftPart(UriPartial.Authority) + target;
        List<string> args = ["sign", method, url, "--curl"];
        if (data is not null)
        {
            args.AddRange(["--data", data]);
        }

        CliResult signed = await _cli.RunAsync([.. args]);
        Assert.Equal(0, signed.ExitCode);
        output.WriteLine(signed.Output);

        (int code, string o, string e) = await ShellAsync(signed.Output.Trim() + " -s -i -o - -w '\\n%{http_code}'");
        output.WriteLine($"curl exit {code}\n{o}\n{e}");

        Assert.Equal(0, code);
        Assert.True(o.Contains("ok key=", StringComparison.Ordinal) || method == "HEAD", $"curl did not send what was signed: {o} {e}");
        Assert.EndsWith("\n200", o.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        ReceivedRequest received = Assert.Single(_server.Received);
        Assert.Equal(method, received.Method);
        Assert.Equal(data is null ? [] : Encoding.UTF8.GetBytes(data), received.Body);
        Assert.False(received.Headers.ContainsKey("Content-Type"), $"curl added Content-Type: {received.Headers.GetValueOrDefault("Content-Type")}");
        if (method != "HEAD")
        {
            Assert.Contains($"ok key={_keyId} body={received.Body.Length} ", o, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task SignCurl_HeadWithBody_IsUsageErrorBecauseCurlCannotSendIt()
    {
        CliResult result = await _cli.RunAsync("sign", "HEAD", "https://api.example.com/h", "--data", "x", "--curl");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("HEAD", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }
}
