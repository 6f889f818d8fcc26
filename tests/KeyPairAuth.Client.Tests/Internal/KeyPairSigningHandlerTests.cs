using System.Net;
using System.Text;
using KeyPairAuth.Client.Internal;
using KeyPairAuth.Digests;
using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.Client.Tests.Internal;

public sealed class KeyPairSigningHandlerTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly SigningKey _key = TestKeys.Create();
    private readonly RecordingHandler _inner = new();

    public void Dispose() => _key.Dispose();

    private HttpClient CreateClient(Uri? baseAddress = null, DelegatingHandler? outer = null, RequestSigner? signer = null)
    {
        signer ??= new RequestSigner(_key, timeProvider: _time);
        HttpMessageHandler handler = new KeyPairSigningHandler(() => signer) { InnerHandler = _inner };
        if (outer is not null)
        {
            outer.InnerHandler = handler;
            handler = outer;
        }

        return new HttpClient(handler) { BaseAddress = baseAddress };
    }

    [Fact]
    public async Task SendAsync_Get_AddsSignatureWithDefaultCoverageAndParameters()
    {
        using HttpClient client = CreateClient();

        await client.GetAsync(new Uri("https://api.example.com/orders?status=open"));

        RecordedRequest sent = Assert.Single(_inner.Requests);
        string input = sent.Header("Signature-Input")!;
        long created = _time.GetUtcNow().ToUnixTimeSeconds();
        Assert.StartsWith($"sig1=(\"@method\" \"@scheme\" \"@authority\" \"@path\" \"@query\");created={created};keyid=\"{TestKeys.KeyId}\";nonce=\"", input, StringComparison.Ordinal);
        Assert.EndsWith(";alg=\"ed25519\"", input, StringComparison.Ordinal);
        Assert.Matches("^sig1=:[A-Za-z0-9+/]{86}==:$", sent.Header("Signature"));
        Assert.Null(sent.Header("Content-Digest"));
        Assert.Equal(1, sent.Count("Signature"));
    }

    [Fact]
    public async Task SendAsync_Get_SignatureVerifiesWithEngineVerifier()
    {
        using HttpClient client = CreateClient();

        await client.GetAsync(new Uri("https://api.example.com/orders?status=open&page=2"));

        SignatureVerificationResult result = await TestKeys.VerifyAsync(new RecordedRequestView(_inner.Requests[0]), _key, _time);
        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.Equal(TestKeys.KeyId, result.Key!.KeyId);
    }

    [Fact]
    public async Task SendAsync_PostJson_AddsContentDigestCoversItAndSendsSameBytes()
    {
        using HttpClient client = CreateClient();
        byte[] body = Encoding.UTF8.GetBytes("{\"hello\": \"world\"}");
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");

        await client.PostAsync(new Uri("https://api.example.com/orders"), content);

        RecordedRequest sent = Assert.Single(_inner.Requests);
        Assert.Equal(body, sent.Body);
        Assert.Equal("application/json", sent.Header("Content-Type"));
        Assert.Equal(ContentDigest.Compute(body), sent.Header("Content-Digest"));
        Assert.Contains("(\"@method\" \"@scheme\" \"@authority\" \"@path\" \"@query\" \"content-digest\")", sent.Header("Signature-Input"), StringComparison.Ordinal);
        SignatureVerificationResult result = await TestKeys.VerifyAsync(new RecordedRequestView(sent), _key, _time);
        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.True(result.CoversContentDigest);
    }

    [Fact]
    public async Task SendAsync_NonSeekableStreamContent_BodyIntactAndDigestMatches()
    {
        using HttpClient client = CreateClient();
        byte[] body = new byte[100_000];
        for (int i = 0; i < body.Length; i++)
        {
            body[i] = (byte)(i * 7);
        }

        using var content = new StreamContent(new ForwardOnlyStream(body));

        await client.PutAsync(new Uri("https://api.example.com/blobs/1"), content);

        RecordedRequest sent = Assert.Single(_inner.Requests);
        Assert.Equal(body, sent.Body);
        Assert.Equal(ContentDigest.Compute(body), sent.Header("Content-Digest"));
    }

    [Fact]
    public async Task SignAsync_StreamContent_ContentStillReadableFromTheStartAfterSigning()
    {
        // The digest is computed from the buffered content's read stream; a later reader (a logging handler, the
        // transport) must still see the whole body.
        byte[] body = new byte[10_000];
        for (int i = 0; i < body.Length; i++)
        {
            body[i] = (byte)(i * 13);
        }

        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri("https://api.example.com/blobs/2"))
        {
            Content = new StreamContent(new ForwardOnlyStream(body)),
        };
        await new RequestSigner(_key, timeProvider: _time).SignAsync(request);

        using var copy = new MemoryStream();
        await (await request.Content.ReadAsStreamAsync()).CopyToAsync(copy);
        Assert.Equal(body, copy.ToArray());
        Assert.Equal(body, await request.Content.ReadAsByteArrayAsync());
        Assert.Equal(ContentDigest.Compute(body), request.Headers.GetValues("Content-Digest").Single());
    }

    [Fact]
    public async Task SendAsync_Sha512Option_UsesSha512Digest()
    {
        using HttpClient client = CreateClient(signer: new RequestSigner(_key, digestAlgorithm: ContentDigestAlgorithm.Sha512, timeProvider: _time));
        byte[] body = "abc"u8.ToArray();

        await client.PostAsync(new Uri("https://api.example.com/x"), new ByteArrayContent(body));

        Assert.StartsWith("sha-512=:", _inner.Requests[0].Header("Content-Digest"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_EmptyContent_NoContentDigest()
    {
        using HttpClient client = CreateClient();

        await client.PostAsync(new Uri("https://api.example.com/x"), new ByteArrayContent([]));

        RecordedRequest sent = Assert.Single(_inner.Requests);
        Assert.Null(sent.Header("Content-Digest"));
        Assert.DoesNotContain("content-digest", sent.Header("Signature-Input"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://api.example.com/files/a%2Fb?name=x%2Fy", "/files/a%2Fb?name=x%2Fy")]
    [InlineData("https://api.example.com/search?q=a%20b+c&x=%2B", "/search?q=a%20b+c&x=%2B")]
    [InlineData("https://api.example.com/caf%C3%A9?city=M%C3%BCnchen", "/caf%C3%A9?city=M%C3%BCnchen")]
    [InlineData("https://api.example.com/café?city=München", "/caf%C3%A9?city=M%C3%BCnchen")]
    [InlineData("https://api.example.com/a b?c d", "/a%20b?c%20d")]
    [InlineData("https://api.example.com/?", "/?")]
    [InlineData("https://api.example.com", "/")]
    public async Task SendAsync_PercentEncodingAndQuery_SignedExactlyAsSent(string url, string expectedTarget)
    {
        using HttpClient client = CreateClient();

        await client.GetAsync(new Uri(url));

        RecordedRequest sent = Assert.Single(_inner.Requests);
        Assert.Equal(expectedTarget, sent.Uri.PathAndQuery);
        // Verified against the literal target: a signer that decoded or re-encoded anything would fail here.
        SignatureVerificationResult result = await TestKeys.VerifyAsync(new RecordedRequestView(sent, target: expectedTarget), _key, _time);
        Assert.True(result.Succeeded, result.FailureDetail);
    }

    [Fact]
    public async Task SendAsync_DecodedTarget_DoesNotVerify()
    {
        using HttpClient client = CreateClient();

        await client.GetAsync(new Uri("https://api.example.com/files/a%2Fb"));

        SignatureVerificationResult result = await TestKeys.VerifyAsync(new RecordedRequestView(_inner.Requests[0], target: "/files/a/b"), _key, _time);
        Assert.False(result.Succeeded);
    }

    [Fact]
    public async Task SendAsync_BaseAddressWithPort_SignsCombinedUriAndAuthorityWithPort()
    {
        using HttpClient client = CreateClient(new Uri("https://api.example.com:8443/v1/"));

        await client.GetAsync(new Uri("orders?x=1", UriKind.Relative));

        RecordedRequest sent = Assert.Single(_inner.Requests);
        Assert.Equal("/v1/orders?x=1", sent.Uri.PathAndQuery);
        SignatureVerificationResult result = await TestKeys.VerifyAsync(new RecordedRequestView(sent, authority: "api.example.com:8443"), _key, _time);
        Assert.True(result.Succeeded, result.FailureDetail);
        SignatureVerificationResult withoutPort = await TestKeys.VerifyAsync(new RecordedRequestView(sent, authority: "api.example.com"), _key, _time);
        Assert.False(withoutPort.Succeeded);
    }

    [Fact]
    public async Task SendAsync_DefaultPort_AuthorityHasNoPort()
    {
        using HttpClient client = CreateClient();

        await client.GetAsync(new Uri("https://API.Example.com:443/x"));

        SignatureVerificationResult result = await TestKeys.VerifyAsync(new RecordedRequestView(_inner.Requests[0], authority: "api.example.com"), _key, _time);
        Assert.True(result.Succeeded, result.FailureDetail);
    }

    [Fact]
    public async Task SendAsync_HostHeaderOverride_SignsTheHostHeader()
    {
        using HttpClient client = CreateClient(signer: new RequestSigner(_key, timeProvider: _time) { AllowInsecureHttp = true });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("http://10.0.0.5:8080/x"));
        request.Headers.Host = "public.example.com";

        await client.SendAsync(request);

        SignatureVerificationResult result = await TestKeys.VerifyAsync(new RecordedRequestView(_inner.Requests[0], authority: "public.example.com"), _key, _time);
        Assert.True(result.Succeeded, result.FailureDetail);
    }

    [Fact]
    public async Task SendAsync_StaleSignatureFields_AreReplaced()
    {
        using HttpClient client = CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("https://api.example.com/x"));
        request.Headers.TryAddWithoutValidation("Signature", "old=:AAAA:");
        request.Headers.TryAddWithoutValidation("Signature-Input", "old=();created=1");
        request.Headers.TryAddWithoutValidation("Content-Digest", "sha-256=:AAAA:");

        await client.SendAsync(request);

        RecordedRequest sent = Assert.Single(_inner.Requests);
        Assert.Equal(1, sent.Count("Signature"));
        Assert.StartsWith("sig1=", sent.Header("Signature-Input"), StringComparison.Ordinal);
        Assert.Null(sent.Header("Content-Digest"));
    }

    [Fact]
    public async Task SendAsync_StaleSignatureFieldsAmongContentHeaders_AreRemoved()
    {
        // HttpContentHeaders takes custom fields too, and the transport writes them after the request's own: a stale
        // sig1 there would follow ours on the wire, and in a structured-field dictionary the later member wins.
        using HttpClient client = CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("https://api.example.com/x")) { Content = new StringContent("{}") };
        request.Content.Headers.TryAddWithoutValidation("Signature", "sig1=:AAAA:");
        request.Content.Headers.TryAddWithoutValidation("Signature-Input", "sig1=(\"@method\");created=1;keyid=\"x\";nonce=\"n\"");

        await client.SendAsync(request);

        Assert.False(request.Content.Headers.Contains("Signature"));
        Assert.False(request.Content.Headers.Contains("Signature-Input"));
        RecordedRequest sent = Assert.Single(_inner.Requests);
        Assert.Equal(1, sent.Count("Signature-Input"));
        Assert.StartsWith("sig1=(\"@method\" \"@scheme\"", sent.Header("Signature-Input"), StringComparison.Ordinal);
        Assert.NotEqual("sig1=:AAAA:", sent.Header("Signature"));
    }

    [Fact]
    public async Task SendAsync_RetryOutside_EachAttemptHasFreshNonceAndCreated()
    {
        var inner = new RecordingHandler(HttpStatusCode.ServiceUnavailable, HttpStatusCode.BadGateway);
        var signer = new RequestSigner(_key, timeProvider: _time);
        var signing = new KeyPairSigningHandler(() => signer) { InnerHandler = inner };
        using var client = new HttpClient(new AdvancingRetryHandler(3, _time) { InnerHandler = signing });
        byte[] body = "payload"u8.ToArray();

        HttpResponseMessage response = await client.PostAsync(new Uri("https://api.example.com/x"), new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, inner.Requests.Count);
        Assert.Equal(3, inner.Requests.Select(TestKeys.Nonce).Distinct().Count());
        Assert.Equal(3, inner.Requests.Select(r => r.Header("Signature-Input")).Distinct().Count());
        Assert.All(inner.Requests, r =>
        {
            Assert.Equal(1, r.Count("Signature"));
            Assert.Equal(1, r.Count("Content-Digest"));
            Assert.Equal(body, r.Body);
        });
        Assert.Contains($"created={_time.GetUtcNow().ToUnixTimeSeconds()}", inner.Requests[2].Header("Signature-Input"), StringComparison.Ordinal);
    }

    [Fact]
    public void Send_Synchronous_ThrowsNotSupportedAndSendsNothing()
    {
        using HttpClient client = CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("https://api.example.com/x"));

        Assert.Throws<NotSupportedException>(() => client.Send(request));
        Assert.Empty(_inner.Requests);
    }

    [Fact]
    public async Task SendAsync_DisposedKey_ThrowsInvalidOperationAndSendsNothing()
    {
        SigningKey key = TestKeys.Create();
        key.Dispose();
        using HttpClient client = CreateClient(signer: new RequestSigner(key, timeProvider: _time));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetAsync(new Uri("https://api.example.com/x")));

        Assert.Contains("not sent", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_inner.Requests);
    }

    [Fact]
    public async Task SendAsync_SignerUnavailable_ThrowsInvalidOperationAndSendsNothing()
    {
        var handler = new KeyPairSigningHandler(() => throw new InvalidDataException("vault unreachable")) { InnerHandler = _inner };
        using var client = new HttpClient(handler);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetAsync(new Uri("https://api.example.com/x")));

        Assert.Contains("vault unreachable", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_inner.Requests);
    }

    [Fact]
    public async Task SendAsync_UncoverableComponent_ThrowsInvalidOperationAndSendsNothing()
    {
        var options = new SigningOptions { Components = ["@method", "x-missing-header"] };
        using HttpClient client = CreateClient(signer: new RequestSigner(_key, options, timeProvider: _time));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetAsync(new Uri("https://api.example.com/x")));

        Assert.Contains("x-missing-header", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_inner.Requests);
    }

    [Fact]
    public async Task SendAsync_RelativeUriWithoutBaseAddress_ThrowsInvalidOperationAndSendsNothing()
    {
        var signer = new RequestSigner(_key, timeProvider: _time);
        using var invoker = new HttpMessageInvoker(new KeyPairSigningHandler(() => signer) { InnerHandler = _inner });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/x", UriKind.Relative));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => invoker.SendAsync(request, CancellationToken.None));

        Assert.Contains("BaseAddress", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_inner.Requests);
    }

    private (HttpClient Client, ScriptedTransport Transport) CreateRedirectingClient(Func<HttpRequestMessage, int, HttpResponseMessage> answer, int maxRedirections = KeyPairSigningHandler.DefaultMaxAutomaticRedirections)
    {
        var transport = new ScriptedTransport(answer);
        var signer = new RequestSigner(_key, timeProvider: _time);
        var handler = new KeyPairSigningHandler(() => signer, () => maxRedirections) { InnerHandler = transport };
        return (new HttpClient(handler), transport);
    }

    private static HttpResponseMessage Redirect(int status, string? location)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status);
        if (location is not null)
        {
            response.Headers.Location = new Uri(location, UriKind.RelativeOrAbsolute);
        }

        return response;
    }

    [Theory]
    [InlineData("http://api.example.com/next")] // another scheme (a downgrade)
    [InlineData("https://api.example.com:8443/next")] // another port
    [InlineData("https://other.example.com/next")] // another host
    [InlineData("https://api.example.com.evil.example/next")]
    [InlineData("ftp://api.example.com/next")]
    [InlineData("//other.example.com/next")] // scheme-relative
    public async Task SendAsync_RedirectToAnotherOrigin_ReturnedUnfollowed(string location)
    {
        (HttpClient client, ScriptedTransport transport) = CreateRedirectingClient((_, _) => Redirect(307, location));
        using (client)
        {
            HttpResponseMessage response = await client.PostAsync(new Uri("https://api.example.com/start"), new StringContent("body"));

            Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
            RecordedRequest only = Assert.Single(transport.Requests);
            Assert.Equal("/start", only.Uri.AbsolutePath);
        }
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(303)]
    [InlineData(307)]
    [InlineData(308)]
    [InlineData(300)]
    public async Task SendAsync_WithoutLocation_ReturnedUnfollowed(int status)
    {
        (HttpClient client, ScriptedTransport transport) = CreateRedirectingClient((_, _) => Redirect(status, location: null));
        using (client)
        {
            HttpResponseMessage response = await client.GetAsync(new Uri("https://api.example.com/start"));

            Assert.Equal(status, (int)response.StatusCode);
            Assert.Single(transport.Requests);
        }
    }

    [Fact]
    public async Task SendAsync_SameOriginRedirect_ReSignedForTheNewTargetWithFreshNonceAndOtherHeadersKept()
    {
        (HttpClient client, ScriptedTransport transport) = CreateRedirectingClient((_, call) => call == 0 ? Redirect(308, "/v2/orders?x=%2F") : new HttpResponseMessage(HttpStatusCode.OK));
        using (client)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, new Uri("https://API.example.com/v1/orders")) { Content = new StringContent("payload") };
            request.Headers.TryAddWithoutValidation("X-Request-Id", "r-1");

            HttpResponseMessage response = await client.SendAsync(request);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(2, transport.Requests.Count);
            RecordedRequest second = transport.Requests[1];
            Assert.Equal("PUT", second.Method);
            Assert.Equal("/v2/orders?x=%2F", second.Uri.PathAndQuery);
            Assert.Equal("r-1", second.Header("X-Request-Id"));
            Assert.Equal("payload"u8.ToArray(), second.Body);
            Assert.Equal(1, second.Count("Signature"));
            Assert.Equal(1, second.Count("Content-Digest"));
            Assert.NotEqual(TestKeys.Nonce(transport.Requests[0]), TestKeys.Nonce(second));
            SignatureVerificationResult verified = await TestKeys.VerifyAsync(new RecordedRequestView(second), _key, _time);
            Assert.True(verified.Succeeded, verified.FailureDetail);
            SignatureVerificationResult asFirstTarget = await TestKeys.VerifyAsync(new RecordedRequestView(second, target: "/v1/orders"), _key, _time);
            Assert.False(asFirstTarget.Succeeded);
            Assert.Same(request, response.RequestMessage);
            Assert.Equal(new Uri("https://api.example.com/v2/orders?x=%2F"), request.RequestUri);
        }
    }

    [Theory]
    [InlineData(303, "HEAD", "HEAD")]
    [InlineData(303, "DELETE", "GET")]
    [InlineData(302, "DELETE", "DELETE")]
    [InlineData(301, "POST", "GET")]
    [InlineData(300, "POST", "GET")]
    [InlineData(307, "POST", "POST")]
    public async Task SendAsync_SameOriginRedirect_MethodRewrittenAsBrowsersDo(int status, string method, string expected)
    {
        (HttpClient client, ScriptedTransport transport) = CreateRedirectingClient((_, call) => call == 0 ? Redirect(status, "/next") : new HttpResponseMessage(HttpStatusCode.OK));
        using (client)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri("https://api.example.com/start"));
            if (method is "POST" or "DELETE")
            {
                request.Content = new StringContent("body");
                request.Headers.TransferEncodingChunked = true;
            }

            await client.SendAsync(request);

            RecordedRequest second = transport.Requests[1];
            Assert.Equal(expected, second.Method);
            bool keepsBody = expected == method && request.Content is not null;
            Assert.Equal(keepsBody, second.Body is not null);
            Assert.Equal(keepsBody, second.Header("Content-Digest") is not null);
            Assert.Equal(keepsBody, second.Header("Signature-Input")!.Contains("content-digest", StringComparison.Ordinal));
            if (!keepsBody)
            {
                Assert.Null(second.Header("Transfer-Encoding"));
            }
        }
    }

    [Fact]
    public async Task SendAsync_RedirectLoop_StopsAtTheHopLimit()
    {
        (HttpClient client, ScriptedTransport transport) = CreateRedirectingClient((_, call) => Redirect(302, "/again/" + call), maxRedirections: 3);
        using (client)
        {
            HttpResponseMessage response = await client.GetAsync(new Uri("https://api.example.com/start"));

            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
            Assert.Equal(4, transport.Requests.Count);
            Assert.Equal(4, transport.Requests.Select(TestKeys.Nonce).Distinct().Count());
        }
    }

    [Fact]
    public async Task SendAsync_MaxAutomaticRedirectionsZero_ReturnsTheRedirect()
    {
        (HttpClient client, ScriptedTransport transport) = CreateRedirectingClient((_, _) => Redirect(307, "/next"), maxRedirections: 0);
        using (client)
        {
            HttpResponseMessage response = await client.GetAsync(new Uri("https://api.example.com/start"));

            Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
            Assert.Single(transport.Requests);
        }
    }

    [Fact]
    public async Task SendAsync_NotModified_IsNotARedirect()
    {
        (HttpClient client, ScriptedTransport transport) = CreateRedirectingClient((_, _) => Redirect(304, "/next"));
        using (client)
        {
            HttpResponseMessage response = await client.GetAsync(new Uri("https://api.example.com/start"));

            Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
            Assert.Single(transport.Requests);
        }
    }

    [Fact]
    public async Task SendAsync_TransportFollowedARedirectItself_ThrowsNamingAllowAutoRedirect()
    {
        // A custom transport that follows redirects: it rewrites RequestUri to where it ended up, as SocketsHttpHandler does.
        (HttpClient client, _) = CreateRedirectingClient((request, _) =>
        {
            request.RequestUri = new Uri("https://elsewhere.example.com/landed");
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using (client)
        {
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetAsync(new Uri("https://api.example.com/start")));

            Assert.Contains("AllowAutoRedirect = false", ex.Message, StringComparison.Ordinal);
            Assert.Contains("https://elsewhere.example.com", ex.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>The innermost handler, answering each call with a scripted response; records what was sent.</summary>
    private sealed class ScriptedTransport(Func<HttpRequestMessage, int, HttpResponseMessage> answer) : HttpMessageHandler
    {
        private readonly RecordingHandler _recorder = new();

        public List<RecordedRequest> Requests => _recorder.Requests;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using var invoker = new HttpMessageInvoker(_recorder, disposeHandler: false);
            (await invoker.SendAsync(request, cancellationToken)).Dispose();
            HttpResponseMessage response = answer(request, Requests.Count - 1);
            response.RequestMessage = request;
            return response;
        }
    }

    /// <summary>A retry handler that also moves the clock on between attempts, as a real back-off would.</summary>
    private sealed class AdvancingRetryHandler(int attempts, FakeTimeProvider time) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            for (int attempt = 1; ; attempt++)
            {
                HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
                if ((int)response.StatusCode < 500 || attempt == attempts)
                {
                    return response;
                }

                response.Dispose();
                time.Advance(TimeSpan.FromSeconds(2));
            }
        }
    }

    /// <summary>A stream that can be read once, forwards only (like a network or pipe stream).</summary>
    private sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(count, Math.Min(data.Length - _position, 1000));
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
