using System.Net.Http.Headers;
using KeyPairAuth.Digests;
using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.Client.Tests;

/// <summary>The standalone signer: what it covers by default, and the requests it refuses to sign.</summary>
public sealed class RequestSignerTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly SigningKey _key = TestKeys.Create();

    public void Dispose() => _key.Dispose();

    private static string Field(HttpRequestMessage request, string name) => string.Join(", ", request.Headers.NonValidated[name]);

    /// <summary>The request as a server on the other end would see it, with the scheme it arrived over.</summary>
    private sealed class SignedMessageView(HttpRequestMessage request, string scheme, bool hasContent) : IHttpRequestView
    {
        public string Method => request.Method.Method;

        public string Scheme => scheme;

        public string Authority => request.RequestUri!.Authority;

        public string RequestTarget => request.RequestUri!.PathAndQuery;

        public bool HasContent => hasContent;

        public StringValues GetFieldValues(string fieldName) =>
            request.Headers.NonValidated.TryGetValues(fieldName, out HeaderStringValues values) ? new StringValues([.. values]) : StringValues.Empty;
    }

    [Fact]
    public async Task SignAsync_Default_CoversSchemeAfterMethod()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("https://api.example.com/orders"));

        await new RequestSigner(_key, timeProvider: _time).SignAsync(request);

        Assert.StartsWith("sig1=(\"@method\" \"@scheme\" \"@authority\" \"@path\" \"@query\");", Field(request, "Signature-Input"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ByteArrayContent")]
    [InlineData("StreamContent")]
    public async Task SignAsync_ContentStreamAlreadyReadByAnEarlierHandler_DigestCoversTheBytesSent(string kind)
    {
        // A logging handler before the signing one read the content stream and did not rewind it. The digest must cover
        // the bytes the transport then sends (the whole array; for StreamContent, what .NET itself sends: the rest of the
        // source stream), not what was left in the cached read stream.
        byte[] body = "{\"order\":42,\"items\":[1,2,3]}"u8.ToArray();
        using HttpContent content = kind == "StreamContent" ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("https://api.example.com/orders")) { Content = content };
        Stream earlier = await content.ReadAsStreamAsync();
        byte[] peek = new byte[10];
        await earlier.ReadExactlyAsync(peek);

        await new RequestSigner(_key, timeProvider: _time).SignAsync(request);

        // What the transport sends: the content copied out, as SocketsHttpHandler does.
        using var sent = new MemoryStream();
        await content.CopyToAsync(sent);
        Assert.Equal(ContentDigest.Compute(sent.ToArray(), ContentDigestAlgorithm.Sha256), Field(request, "Content-Digest"));
        if (kind == "ByteArrayContent")
        {
            Assert.Equal(body, sent.ToArray());
        }
    }

    [Fact]
    public async Task SignAsync_SignatureMadeForHttp_DoesNotVerifyOverHttps()
    {
        // A plain-http attempt answered before authentication (e.g. by HTTPS redirection) must not be replayable over TLS.
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("http://127.0.0.1:5000/account/secrets"));
        await new RequestSigner(_key, timeProvider: _time).SignAsync(request);

        SignatureVerificationResult overHttp = await TestKeys.VerifyAsync(new SignedMessageView(request, "http", hasContent: false), _key, _time);
        SignatureVerificationResult overHttps = await TestKeys.VerifyAsync(new SignedMessageView(request, "https", hasContent: false), _key, _time);

        Assert.True(overHttp.Succeeded, overHttp.FailureDetail);
        Assert.False(overHttps.Succeeded, "a signature made for http:// verified for https:// (@scheme is not covered by default)");
        Assert.Equal(KeyPairFailureReason.InvalidSignature, overHttps.Failure);
    }

    [Theory]
    [InlineData("http://api.example.com/x")]
    [InlineData("http://10.0.0.5:8080/x")]
    [InlineData("http://[2001:db8::1]/x")]
    [InlineData("HTTP://API.EXAMPLE.COM/x")]
    public async Task SignAsync_PlainHttpToNonLoopbackHost_IsRefusedNamingTheOptIn(string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => new RequestSigner(_key, timeProvider: _time).SignAsync(request));

        Assert.Contains("AllowInsecureHttp", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not sent", ex.Message, StringComparison.Ordinal);
        Assert.False(request.Headers.Contains("Signature"));
        Assert.False(request.Headers.Contains("Signature-Input"));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000/x")]
    [InlineData("http://127.1.2.3/x")]
    [InlineData("http://localhost:8080/x")]
    [InlineData("http://[::1]:8080/x")]
    [InlineData("https://api.example.com/x")]
    public async Task SignAsync_LoopbackHttpOrHttps_IsSigned(string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url));

        await new RequestSigner(_key, timeProvider: _time).SignAsync(request);

        Assert.True(request.Headers.Contains("Signature"));
    }

    [Fact]
    public async Task SignAsync_EmptyContentSentChunked_CoversTheEmptyBodyDigest()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("https://api.example.com/x")) { Content = new ByteArrayContent([]) };
        request.Headers.TransferEncodingChunked = true;

        await new RequestSigner(_key, timeProvider: _time).SignAsync(request);

        Assert.Equal(ContentDigest.Compute([]), Field(request, "Content-Digest"));
        Assert.Contains("\"content-digest\"", Field(request, "Signature-Input"), StringComparison.Ordinal);
        SignatureVerificationResult result = await TestKeys.VerifyAsync(new SignedMessageView(request, "https", hasContent: true), _key, _time);
        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.True(result.CoversContentDigest);
    }

    [Fact]
    public async Task SignAsync_NoContentButChunkedFlag_SignsWithoutDigest()
    {
        // Without content there is no body to digest (SocketsHttpHandler refuses to send chunked framing without content).
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("https://api.example.com/x"));
        request.Headers.TransferEncodingChunked = true;

        await new RequestSigner(_key, timeProvider: _time).SignAsync(request);

        Assert.False(request.Headers.Contains("Content-Digest"));
        Assert.DoesNotContain("\"content-digest\"", Field(request, "Signature-Input"), StringComparison.Ordinal);
    }
}
