using System.Diagnostics;
using KeyPairAuth.Cli.Commands;
using KeyPairAuth.Digests;
using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using KeyPairAuth.Testing;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.Cli.Tests.Commands;

public sealed class SignCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly string _secret;
    private readonly string _keyId;
    private readonly Ed25519PublicKey _publicKey;

    public SignCommandTests()
    {
        using SigningKey key = SigningKey.Generate();
        _secret = key.ExportSecret();
        _keyId = key.KeyId;
        _publicKey = key.PublicKey;
        _cli.Environment["KEYPAIRAUTH_KEY"] = _secret;
        _cli.TimeProvider = _time;
    }

    public void Dispose() => _cli.Dispose();

    private static Dictionary<string, string> ParseHeaders(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(": ", 2))
            .ToDictionary(parts => parts[0], parts => parts[1].TrimEnd('\r'), StringComparer.OrdinalIgnoreCase);

    private async Task<SignatureVerificationResult> VerifyAsync(string method, string url, Dictionary<string, string> headers, bool hasContent)
    {
        var store = new FakePublicKeyStore();
        store.Add(new PublicKeyRecord { KeyId = _keyId, Owner = "o", Name = "n", PublicKey = _publicKey, CreatedAt = _time.GetUtcNow().AddDays(-1) });
        var verifier = new HttpMessageVerifier(store, new FakeReplayCache(), new SignatureVerificationOptions(), _time);
        return await verifier.VerifyAsync(new HeaderView(method, new Uri(url), headers, hasContent));
    }

    [Fact]
    public async Task Sign_Get_PrintsSignatureFieldsThatVerify()
    {
        CliResult result = await _cli.RunAsync("sign", "GET", "https://api.example.com/orders?status=open");

        Assert.Equal(0, result.ExitCode);
        Dictionary<string, string> headers = ParseHeaders(result.Output);
        Assert.Equal(["Signature-Input", "Signature"], headers.Keys);
        Assert.Contains($"keyid=\"{_keyId}\"", headers["Signature-Input"], StringComparison.Ordinal);
        SignatureVerificationResult verified = await VerifyAsync("GET", "https://api.example.com/orders?status=open", headers, hasContent: false);
        Assert.True(verified.Succeeded, verified.FailureDetail);
        Assert.DoesNotContain(_secret, result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_BodyFromFile_PrintsMatchingContentDigest()
    {
        byte[] body = [0x7b, 0x7d, 0x0a, 0x00, 0xff];
        string path = _cli.PathOf("body.bin");
        await File.WriteAllBytesAsync(path, body);

        CliResult result = await _cli.RunAsync("sign", "POST", "https://api.example.com/upload", "--data", "@" + path);

        Assert.Equal(0, result.ExitCode);
        Dictionary<string, string> headers = ParseHeaders(result.Output);
        Assert.Equal(ContentDigest.Compute(body), headers["Content-Digest"]);
        SignatureVerificationResult verified = await VerifyAsync("POST", "https://api.example.com/upload", headers, hasContent: true);
        Assert.True(verified.Succeeded, verified.FailureDetail);
        Assert.True(verified.CoversContentDigest);
    }

    [Fact]
    public async Task Sign_BodyFromStdin_DigestsStdinBytes()
    {
        _cli.Stdin = CliRunner.Utf8("line one\nline two\n");

        CliResult result = await _cli.RunAsync("sign", "PUT", "https://api.example.com/notes/1", "-d", "-", "--digest", "sha-512");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(ContentDigest.Compute(CliRunner.Utf8("line one\nline two\n"), ContentDigestAlgorithm.Sha512), ParseHeaders(result.Output)["Content-Digest"]);
    }

    [Fact]
    public async Task Sign_PemKeyWithKeyId_UsesTheGivenKeyId()
    {
        string pemPath = _cli.PathOf("k.pem");
        await _cli.RunAsync("keygen", "--out", pemPath);
        _cli.Environment.Clear();

        CliResult result = await _cli.RunAsync("sign", "GET", "https://api.example.com/", "--key-file", pemPath, "--key-id", "partner-7", "--tag", "app", "--expires", "60");

        Assert.Equal(0, result.ExitCode);
        string input = ParseHeaders(result.Output)["Signature-Input"];
        Assert.Contains("keyid=\"partner-7\"", input, StringComparison.Ordinal);
        Assert.Contains("tag=\"app\"", input, StringComparison.Ordinal);
        Assert.Contains($"expires={_time.GetUtcNow().ToUnixTimeSeconds() + 60}", input, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_PemKeyWithoutKeyId_SignsUnderTheKeyIdKeygenPrinted()
    {
        string pemPath = _cli.PathOf("k.pem");
        CliResult keygen = await _cli.RunAsync("keygen", "--out", pemPath);

        CliResult result = await _cli.RunAsync("sign", "GET", "https://api.example.com/", "--key-file", pemPath);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"keyid=\"{KeygenCommandTests.KeyIdFrom(keygen.Output)}\"", ParseHeaders(result.Output)["Signature-Input"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_Curl_PrintsAQuotedCommandWithEveryHeaderAndTheBody()
    {
        CliResult result = await _cli.RunAsync(
            "sign", "POST", "https://api.example.com/a%2Fb?q=x y&n=[1]", "-H", "Content-Type: application/json", "-d", "{\"msg\":\"it's\"}", "--curl");

        Assert.Equal(0, result.ExitCode);
        string curl = result.Output;
        Assert.StartsWith("curl --globoff -X POST 'https://api.example.com/a%2Fb?q=x%20y&n=[1]'", curl, StringComparison.Ordinal);
        Assert.Contains("-H 'Signature-Input: sig1=(\"@method\" \"@scheme\" \"@authority\" \"@path\" \"@query\" \"content-digest\")", curl, StringComparison.Ordinal);
        Assert.Contains("-H 'Signature: sig1=:", curl, StringComparison.Ordinal);
        Assert.Contains("-H 'Content-Digest: sha-256=:", curl, StringComparison.Ordinal);
        Assert.Contains("-H 'Content-Type: application/json'", curl, StringComparison.Ordinal);
        Assert.Contains("--data-raw '{\"msg\":\"it'\\''s\"}'", curl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_CurlWithBodyFile_UsesDataBinary()
    {
        string path = _cli.PathOf("my body.json");
        await File.WriteAllTextAsync(path, "{}");

        CliResult result = await _cli.RunAsync("sign", "PATCH", "https://api.example.com/x", "-d", "@" + path, "--curl");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"--data-binary '@{path}'", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("--globoff", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("it's a 'quoted' string")]
    [InlineData("$HOME `id` \"x\" \\ ; | & * ? ~ !")]
    [InlineData("line1\nline2")]
    [InlineData("")]
    public void Quote_RoundTripsThroughPosixShell(string word)
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/bin/sh"))
        {
            return;
        }

        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("printf '%s' " + CurlCommand.Quote(word));
        using Process process = Process.Start(start)!;
        string echoed = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Assert.Equal(word, echoed);
    }

    [Fact]
    public async Task Sign_Default_CoversSchemeAndASignatureForHttpDoesNotVerifyOverHttps()
    {
        CliResult result = await _cli.RunAsync("sign", "GET", "http://127.0.0.1:8080/orders");

        Assert.Equal(0, result.ExitCode);
        Dictionary<string, string> headers = ParseHeaders(result.Output);
        Assert.StartsWith("sig1=(\"@method\" \"@scheme\" \"@authority\" \"@path\" \"@query\");", headers["Signature-Input"], StringComparison.Ordinal);
        Assert.True((await VerifyAsync("GET", "http://127.0.0.1:8080/orders", headers, hasContent: false)).Succeeded);
        SignatureVerificationResult overHttps = await VerifyAsync("GET", "https://127.0.0.1:8080/orders", headers, hasContent: false);
        Assert.False(overHttps.Succeeded);
        Assert.Equal(KeyPairFailureReason.InvalidSignature, overHttps.Failure);
    }

    [Theory]
    [InlineData("http://api.example.com/x")]
    [InlineData("http://10.1.2.3:8080/x")]
    public async Task Sign_PlainHttpToRemoteHost_IsUsageErrorNamingTheFlag(string url)
    {
        CliResult result = await _cli.RunAsync("sign", "GET", url);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--allow-insecure-http", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task Sign_PlainHttpToRemoteHostWithFlag_Signs()
    {
        CliResult result = await _cli.RunAsync("sign", "GET", "http://api.example.com/x", "--allow-insecure-http");

        Assert.Equal(0, result.ExitCode);
        SignatureVerificationResult verified = await VerifyAsync("GET", "http://api.example.com/x", ParseHeaders(result.Output), hasContent: false);
        Assert.True(verified.Succeeded, verified.FailureDetail);
    }

    [Fact]
    public async Task Sign_Help_ListsTheDefaultCoverage()
    {
        CliResult result = await _cli.RunAsync("sign", "--help");

        Assert.Contains(string.Join(' ', SigningOptions.DefaultComponents), result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_NoKey_IsUsageError()
    {
        _cli.Environment.Clear();

        CliResult result = await _cli.RunAsync("sign", "GET", "https://api.example.com/");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("No key given", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Theory]
    [InlineData("GET", "not a url")]
    [InlineData("GET", "/relative/path")]
    [InlineData("GET", "ftp://files.example.com/x")]
    [InlineData("G E T", "https://api.example.com/")]
    public async Task Sign_BadMethodOrUrl_IsUsageError(string method, string url)
    {
        CliResult result = await _cli.RunAsync("sign", method, url);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task Sign_BodyAndKeyBothFromStdin_IsUsageError()
    {
        _cli.Stdin = CliRunner.Utf8(_secret);

        CliResult result = await _cli.RunAsync("sign", "POST", "https://api.example.com/", "-d", "-", "--key-file", "-");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("stdin", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_BadHeader_IsUsageError()
    {
        CliResult result = await _cli.RunAsync("sign", "GET", "https://api.example.com/", "-H", "no colon here");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("Name: value", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_UnreadableBodyFile_FailsWithExitCode1()
    {
        CliResult result = await _cli.RunAsync("sign", "POST", "https://api.example.com/", "-d", "@" + _cli.PathOf("missing.json"));

        Assert.Equal(ExitCodes.Error, result.ExitCode);
        Assert.Contains("Cannot read the body file", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_MalformedSecret_FailsWithPreciseReasonAndDoesNotEchoIt()
    {
        string truncated = _secret[..40];
        _cli.Environment["KEYPAIRAUTH_KEY"] = truncated;

        CliResult result = await _cli.RunAsync("sign", "GET", "https://api.example.com/");

        Assert.Equal(ExitCodes.Error, result.ExitCode);
        Assert.Contains(Assert.Throws<KeyFormatException>(() => SigningKey.Parse(truncated)).Message, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(truncated, result.Error + result.Output, StringComparison.Ordinal);
    }

    private sealed class HeaderView(string method, Uri uri, Dictionary<string, string> headers, bool hasContent) : IHttpRequestView
    {
        public string Method => method;

        public string Scheme => uri.Scheme;

        public string Authority => uri.Authority;

        public string RequestTarget => uri.PathAndQuery;

        public bool HasContent => hasContent;

        public StringValues GetFieldValues(string fieldName) => headers.TryGetValue(fieldName, out string? value) ? new StringValues(value) : StringValues.Empty;
    }
}
