using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using KeyPairAuth.Digests;
using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace KeyPairAuth.Client.Tests.Wire;

/// <summary>
/// Does the client sign exactly what <see cref="SocketsHttpHandler"/> puts on the wire? Each request is captured by a raw
/// TCP listener and verified from the captured bytes alone (request line, Host, header lines, de-chunked body).
/// </summary>
public sealed class ClientWireTests(ITestOutputHelper output)
{
    private static readonly SigningKey Key = TestKeys.Create();

    private async Task<(WireRequest Wire, SignatureVerificationResult Result)> SendAndVerifyAsync(WireCapture capture, HttpRequestMessage request, bool viaProxy = false, RequestSigner? signer = null)
    {
        signer ??= new RequestSigner(Key);
        var handler = new SocketsHttpHandler { UseProxy = viaProxy, Proxy = viaProxy ? new WebProxy($"http://127.0.0.1:{capture.Port}") : null, AllowAutoRedirect = false };
        using var client = new HttpClient(handler);
        await signer.SignAsync(request);
        using HttpResponseMessage response = await client.SendAsync(request);
        WireRequest wire;
        lock (capture.Requests)
        {
            wire = capture.Requests[^1];
        }

        string? digest = wire.Values("Content-Digest").ToString();
        if (!string.IsNullOrEmpty(digest))
        {
            Assert.Equal(ContentDigest.Compute(wire.Body), digest);
        }

        SignatureVerificationResult result = await TestKeys.VerifyAsync(new WireView(wire), Key, new FakeTimeProvider(TimeProvider.System.GetUtcNow()));
        output.WriteLine($"URI {request.RequestUri} (OriginalString {request.RequestUri!.OriginalString})\n{wire}\n=> {(result.Succeeded ? "verified" : result.Failure + " " + result.FailureDetail)}");
        return (wire, result);
    }

    [Theory]
    [InlineData("/a/%7E/b?q=%7e&x=%2F&y=a+b")]
    [InlineData("/a/../b/./c?x=1")]
    [InlineData("/a/%2e%2e/b/%2E/c")]
    [InlineData("/caf%C3%A9/\u00e9?q=\u00e9 \u00fc")]
    [InlineData("/p?q=a b&r=<>\"{}|\\^`")]
    [InlineData("/p?x=1#frag&admin=1")]
    [InlineData("/p;param?q")]
    [InlineData("/%41%42%5a")]
    [InlineData("/a%2Fb%5C")]
    [InlineData("/p?x=%zz&y=%")]
    [InlineData("/a\\b")]
    [InlineData("//double//slash")]
    [InlineData("/p?%7E=%7E&a[]=1")]
    [InlineData("/\u0130stanbul")]
    public async Task SignAsync_TrickyOriginFormTarget_SignsTheTargetSentOnTheWire(string pathAndQuery)
    {
        await using var capture = new WireCapture();
        var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{capture.Port}{pathAndQuery}");
        (WireRequest wire, SignatureVerificationResult result) = await SendAndVerifyAsync(capture, request);
        Assert.True(result.Succeeded, $"{result.Failure}: sent {wire.Target}");
    }

    [Theory]
    [InlineData("http://B\u00dcCHER.example/x")]
    [InlineData("http://[::1]:8080/x")]
    [InlineData("http://[fe80::1%25eth0]/x")]
    [InlineData("http://[FE80::ABCD]:80/x")]
    [InlineData("http://example.com:80/x")]
    [InlineData("http://Example.COM./x")]
    [InlineData("http://user:pw@example.com/x")]
    [InlineData("http://example.com:0080/x")]
    [InlineData("http://127.1/x")]
    [InlineData("http://0x7f.1/x")]
    [InlineData("http://example.com:443/x")]
    [InlineData("http://xn--bcher-kva.example/x")]
    [InlineData("http://example.com/x?y=\u2603")]
    public async Task SignAsync_ThroughProxyInAbsoluteForm_SignsTheHostSentOnTheWire(string uri)
    {
        await using var capture = new WireCapture();
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        // Plain http to hosts that are not loopback: the test opts in, as an application on a trusted network would.
        (WireRequest wire, SignatureVerificationResult result) = await SendAndVerifyAsync(capture, request, viaProxy: true, new RequestSigner(Key) { AllowInsecureHttp = true });
        Assert.True(result.Succeeded, $"{result.Failure}: Host {wire.Values("Host")}, target {wire.Target}");
    }

    [Fact]
    public async Task SignAsync_HostHeaderOverride_SignsTheHostSentOnTheWire()
    {
        await using var capture = new WireCapture();
        var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{capture.Port}/x");
        request.Headers.Host = "API.Example.com:80";
        (WireRequest wire, SignatureVerificationResult result) = await SendAndVerifyAsync(capture, request);
        Assert.True(result.Succeeded, $"{result.Failure}: Host {wire.Values("Host")}");
    }

    [Fact]
    public async Task SignAsync_UriWithCanonicalizationDisabled_SignsTheTargetSentOnTheWire()
    {
        await using var capture = new WireCapture();
        var uri = new Uri($"http://127.0.0.1:{capture.Port}/a/../b%7e?x=%41", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var request = new HttpRequestMessage(HttpMethod.Get, uri);

        (WireRequest wire, SignatureVerificationResult result) = await SendAndVerifyAsync(capture, request);

        Assert.Equal("/a/../b%7e?x=%41", wire.Target);
        Assert.True(result.Succeeded, $"{result.Failure}: sent {wire.Target}");
    }

    [Fact]
    public async Task SignAsync_UriWithCanonicalizationDisabledAndAFragment_FailsWithTheSignersOwnErrorAndSendsNothing()
    {
        // With canonicalisation disabled the '#' stays in PathAndQuery, which is what the handler would write on the wire.
        var uri = new Uri("http://127.0.0.1:1/a?x=1#&admin=true", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => new RequestSigner(Key).SignAsync(request));

        Assert.StartsWith("KeyPairAuth could not sign the GET request", ex.Message, StringComparison.Ordinal);
        Assert.IsType<SignatureBaseException>(ex.InnerException);
        Assert.False(request.Headers.Contains("Signature"));
        Assert.False(request.Headers.Contains("Signature-Input"));
    }

    private sealed class NonSeekable(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => base.Position; set => throw new NotSupportedException(); }
    }

    /// <summary>Serialises different bytes each time it is asked (a content that re-serialises differently on a retry).</summary>
    private sealed class ChangingContent : HttpContent
    {
        private int _calls;

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            stream.WriteAsync(Encoding.UTF8.GetBytes($"{{\"call\":{Interlocked.Increment(ref _calls)}}}")).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>Claims a length that differs from what it writes.</summary>
    private sealed class LyingLengthContent(byte[] data, long claimed) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(data).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = claimed;
            return true;
        }
    }

    public static TheoryData<string> Contents => ["nonseekable", "changing", "multipart", "gzip-by-caller", "json", "form", "lying-length", "chunked-flag"];

    private static HttpContent Make(string kind) => kind switch
    {
        "nonseekable" => new StreamContent(new NonSeekable(Encoding.UTF8.GetBytes("streamed body"))),
        "changing" => new ChangingContent(),
        "multipart" => new MultipartFormDataContent { { new StringContent("v"), "k" }, { new StreamContent(new NonSeekable(new byte[5000])), "file", "f.bin" } },
        "gzip-by-caller" => Gzip(),
        "json" => JsonContent.Create(new { a = 1, b = "\u00e9" }),
        "form" => new FormUrlEncodedContent([new("a", "1 2"), new("b", "\u00e9&=")]),
        "lying-length" => new LyingLengthContent(Encoding.UTF8.GetBytes("0123456789"), 10),
        "chunked-flag" => new ByteArrayContent(Encoding.UTF8.GetBytes("chunky")),
        _ => throw new ArgumentException(kind, nameof(kind)),
    };

    private static ByteArrayContent Gzip()
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(Encoding.UTF8.GetBytes("{\"compressed\":true}"));
        }

        var content = new ByteArrayContent(ms.ToArray());
        content.Headers.ContentEncoding.Add("gzip");
        return content;
    }

    [Theory]
    [MemberData(nameof(Contents))]
    public async Task SignAsync_ContentKind_DigestIsOverTheBytesSent(string kind)
    {
        await using var capture = new WireCapture();
        var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{capture.Port}/p") { Content = Make(kind) };
        if (kind == "chunked-flag")
        {
            request.Headers.TransferEncodingChunked = true;
        }

        (WireRequest wire, SignatureVerificationResult result) = await SendAndVerifyAsync(capture, request);
        Assert.True(result.Succeeded, $"{result.Failure}");
        Assert.True(wire.Body.Length > 0);
    }

    [Fact]
    public async Task SignAsync_EmptyContentSentChunked_CoversTheEmptyBodyDigest()
    {
        // Chunked framing makes the server count the request as having content even when no byte follows, so the
        // signature must cover the digest of the empty body (the server answers insufficient_coverage otherwise).
        await using var capture = new WireCapture();
        var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{capture.Port}/p") { Content = new ByteArrayContent([]) };
        request.Headers.TransferEncodingChunked = true;

        (WireRequest wire, SignatureVerificationResult result) = await SendAndVerifyAsync(capture, request);

        Assert.True(wire.Chunked, wire.ToString());
        Assert.Empty(wire.Body);
        Assert.Equal(ContentDigest.Compute([]), wire.Values("Content-Digest").ToString());
        Assert.True(result.Succeeded, $"empty chunked: {result.Failure} {result.FailureDetail}");
        Assert.True(result.CoversContentDigest);
    }

    [Fact]
    public async Task SendAsync_NoContentWithChunkedFlag_TransportRefusesSoNothingNeedsADigest()
    {
        // The signer signs a request without content as bodiless; the transport never sends one with chunked framing.
        await using var capture = new WireCapture();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{capture.Port}/p");
        request.Headers.TransferEncodingChunked = true;

        HttpRequestException ex = await Assert.ThrowsAsync<HttpRequestException>(() => SendAndVerifyAsync(capture, request));

        Assert.IsType<InvalidOperationException>(ex.InnerException);
        Assert.Empty(capture.Requests);
    }

    [Fact]
    public async Task SignAsync_EmptyContentWithLength_SignsWithoutDigest()
    {
        // Content-Length: 0 is no content for the server: no digest is needed, none is sent.
        await using var capture = new WireCapture();
        var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{capture.Port}/p") { Content = new ByteArrayContent([]) };

        (WireRequest wire, SignatureVerificationResult result) = await SendAndVerifyAsync(capture, request);

        Assert.False(wire.Chunked);
        Assert.Equal("0", wire.Values("Content-Length").ToString());
        Assert.Equal(0, wire.Values("Content-Digest").Count);
        Assert.True(result.Succeeded, $"{result.Failure} {result.FailureDetail}");
    }

    [Fact]
    public async Task SignAsync_OneSignerManyThreads_AllVerifyWithUniqueNonces()
    {
        await using var capture = new WireCapture();
        var signer = new RequestSigner(Key);
        var handler = new SocketsHttpHandler { UseProxy = false };
        using var client = new HttpClient(handler);
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            using var request = new HttpRequestMessage(i % 2 == 0 ? HttpMethod.Get : HttpMethod.Post, $"http://127.0.0.1:{capture.Port}/p/{i}?i={i}")
            {
                Content = i % 2 == 0 ? null : new StringContent($"body {i}"),
            };
            await signer.SignAsync(request, ct);
            using HttpResponseMessage response = await client.SendAsync(request, ct);
        });
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var nonces = new HashSet<string>();
        foreach (WireRequest wire in capture.Requests)
        {
            SignatureVerificationResult result = await TestKeys.VerifyAsync(new WireView(wire), Key, time);
            Assert.True(result.Succeeded, $"{wire.Target}: {result.Failure}");
            if (wire.Body.Length > 0)
            {
                Assert.Equal(ContentDigest.Compute(wire.Body), wire.Values("Content-Digest").ToString());
            }

            string input = wire.Values("Signature-Input").ToString();
            Assert.True(nonces.Add(input[(input.IndexOf("nonce=\"", StringComparison.Ordinal) + 7)..].Split('"')[0]));
        }

        Assert.Equal(200, capture.Requests.Count);
    }

    private sealed class BlockingContent : HttpContent
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(new byte[10], cancellationToken);
            Started.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public async Task SignAsync_CancelledWhileReadingContent_LeavesNoSignatureFieldsBehind()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:1/p") { Content = new StringContent("x") };
        var signer = new RequestSigner(Key);
        await signer.SignAsync(request); // an earlier attempt's fields
        var blocking = new BlockingContent();
        request.Content = blocking;
        using var cts = new CancellationTokenSource();
        Task sign = signer.SignAsync(request, cts.Token);
        await blocking.Started.Task;
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sign);
        Assert.False(request.Headers.Contains("Signature"));
        Assert.False(request.Headers.Contains("Signature-Input"));
        Assert.False(request.Headers.Contains("Content-Digest"));
    }

    [Fact]
    public async Task SendAsync_Http2PriorKnowledge_AuthenticatesAgainstTheKeyPairScheme()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddKeyPairAuth();
        builder.Services.AddAuthentication("KeyPair").AddKeyPair(o => o.IncludeErrorDetails = true);
        builder.Services.AddAuthorization();
        await using WebApplication app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapMethods("/{**rest}", ["GET", "POST"], async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            string body = await reader.ReadToEndAsync();
            return Results.Text($"{http.Request.Protocol} host={http.Request.Host} raw={http.Features.Get<IHttpRequestFeature>()!.RawTarget} body={body.Length}");
        }).RequireAuthorization();
        await app.StartAsync();
        await app.Services.GetRequiredService<IPublicKeyStore>().AddAsync(new PublicKeyRecord
        {
            KeyId = Key.KeyId, Owner = "o", Name = "n", PublicKey = Key.PublicKey, CreatedAt = TimeProvider.System.GetUtcNow().AddDays(-1),
        }, maxActiveKeysPerOwner: 100);
        var baseUri = new Uri(app.Urls.First());

        var services = new ServiceCollection();
        services.AddHttpClient("h2", c =>
        {
            c.DefaultRequestVersion = HttpVersion.Version20;
            c.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }).AddKeyPairSigning(o => o.KeyFactory = _ => Key);
        await using ServiceProvider sp = services.BuildServiceProvider();
        HttpClient client = sp.GetRequiredService<IHttpClientFactory>().CreateClient("h2");

        string[] targets = ["/a/%7E?q=%7e", "/x?y=a b", "/caf\u00e9"];
        foreach (string t in targets)
        {
            using HttpResponseMessage get = await client.GetAsync(new Uri(baseUri, t));
            string text = await get.Content.ReadAsStringAsync();
            output.WriteLine($"GET {t} -> {(int)get.StatusCode} {get.Version} {text}");
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        }

        using HttpResponseMessage post = await client.PostAsync(new Uri(baseUri, "/p"), new StreamContent(new NonSeekable(new byte[200_000])));
        output.WriteLine($"POST -> {(int)post.StatusCode} {post.Version} {await post.Content.ReadAsStringAsync()}");
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);

        using var hostOverride = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, "/h")) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        hostOverride.Headers.Host = "api.example.com";
        using HttpResponseMessage h = await client.SendAsync(hostOverride);
        string hostText = await h.Content.ReadAsStringAsync();
        output.WriteLine($"GET Host override -> {(int)h.StatusCode} {hostText}");
        Assert.Equal(HttpStatusCode.OK, h.StatusCode);
        Assert.Contains("host=api.example.com", hostText, StringComparison.Ordinal);
    }
}
