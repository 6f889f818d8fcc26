using KeyPairAuth.Cli.Commands;
using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;
using KeyPairAuth.Testing;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.Cli.Tests.Commands;

/// <summary><c>--show-base</c> prints exactly the signature base the server rebuilds for the same request.</summary>
public sealed class ShowBaseTests : IAsyncLifetime, IDisposable
{
    private readonly CliRunner _cli = new();
    private SignedApiServer _server = null!;
    private string _keyId = null!;

    public async Task InitializeAsync()
    {
        _server = await SignedApiServer.StartAsync();
        using SigningKey key = SigningKey.Generate();
        _cli.Environment["KEYPAIRAUTH_KEY"] = key.ExportSecret();
        _keyId = key.KeyId;
        _server.Register(key.KeyId, key.PublicKey);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Request_ShowBase_PrintsToStderrTheBaseTheServerRebuilds()
    {
        string url = new Uri(_server.BaseAddress, "/orders/7?status=open&q=a%2Fb").ToString();

        CliResult result = await _cli.RunAsync("request", "POST", url, "-H", "Content-Type: application/json", "-d", "{\"qty\":3}", "--show-base");

        Assert.Equal(0, result.ExitCode);
        ReceivedRequest received = Assert.Single(_server.Received);
        string serverBase = SignatureBase.Build(new ReceivedView(received), Covered(received.Headers["Signature-Input"]));
        Assert.Equal(serverBase, Block(result.Error));
        Assert.Contains("\"content-digest\": sha-256=:", serverBase, StringComparison.Ordinal);
        Assert.Contains($"keyid=\"{_keyId}\"", serverBase, StringComparison.Ordinal);
        Assert.DoesNotContain(SignedRequestOptions.SignatureBaseBegin, result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(received.Headers["Signature"].Split(':')[1], result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_ShowBase_PrintsAFramedBlockEqualToTheCoreBaseForTheSameRequest()
    {
        const string Url = "https://api.example.com/v1/orders?dry_run=true";

        CliResult result = await _cli.RunAsync("sign", "PUT", Url, "-d", "hello", "--show-base");

        Assert.Equal(0, result.ExitCode);
        string headerPart = result.Output[..result.Output.IndexOf("\n\n", StringComparison.Ordinal)];
        Dictionary<string, string> headers = headerPart.Split('\n')
            .Select(line => line.Split(": ", 2))
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.OrdinalIgnoreCase);
        Assert.Equal(["Content-Digest", "Signature-Input", "Signature"], headers.Keys);
        var view = new UrlView("PUT", new Uri(Url), headers);
        Assert.Equal(SignatureBase.Build(view, Covered(headers["Signature-Input"])), Block(result.Output));
    }

    [Fact]
    public async Task Sign_WithoutShowBase_PrintsNoBase()
    {
        CliResult result = await _cli.RunAsync("sign", "GET", "https://api.example.com/orders");

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain(SignedRequestOptions.SignatureBaseBegin, result.Output + result.Error, StringComparison.Ordinal);
    }

    private static string Block(string text)
    {
        int begin = text.IndexOf(SignedRequestOptions.SignatureBaseBegin + "\n", StringComparison.Ordinal);
        int end = text.IndexOf("\n" + SignedRequestOptions.SignatureBaseEnd, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"No signature base block in: {text}");
        return text[(begin + SignedRequestOptions.SignatureBaseBegin.Length + 1)..end];
    }

    private static SignatureInput Covered(string signatureInput)
    {
        Assert.True(SignatureInput.TryParse(signatureInput, out IReadOnlyList<SignatureInput>? inputs));
        return inputs[0];
    }

    /// <summary>The request as the server received it: Host header, raw target, received fields.</summary>
    private sealed class ReceivedView(ReceivedRequest received) : IHttpRequestView
    {
        public string Method => received.Method;

        public string Scheme => "http";

        public string Authority => received.Headers["Host"];

        public string RequestTarget => received.RawTarget;

        public bool HasContent => received.Body.Length > 0;

        public StringValues GetFieldValues(string fieldName) =>
            received.Headers.TryGetValue(fieldName, out string? value) ? new StringValues(value) : StringValues.Empty;
    }

    private sealed class UrlView(string method, Uri uri, Dictionary<string, string> headers) : IHttpRequestView
    {
        public string Method => method;

        public string Scheme => uri.Scheme;

        public string Authority => uri.Authority;

        public string RequestTarget => uri.PathAndQuery;

        public bool HasContent => true;

        public StringValues GetFieldValues(string fieldName) =>
            headers.TryGetValue(fieldName, out string? value) ? new StringValues(value) : StringValues.Empty;
    }
}
