using System.Net;
using System.Text;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Digests;
using KeyPairAuth.Signatures;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Xunit.Abstractions;

namespace KeyPairAuth.AspNetCore.Tests.Adversarial;

/// <summary>
/// HTTP/2 over h2c (prior knowledge) against an Http2-only Kestrel endpoint, on raw frames: <c>:authority</c> versus
/// <c>Host</c>, <c>:path</c> that is not origin form (absolute form, '#', no leading '/'), DATA without framing headers,
/// trailers, extended CONNECT. The path the signature binds must be the path the application routes on, as over HTTP/1.1.
/// </summary>
public sealed class Http2RequestTests(ITestOutputHelper output) : IDisposable
{
    private readonly AppLogSink _logs = new();

    /// <summary>No request here may make the server log an error (an unhandled exception, an "infrastructure" failure).</summary>
    public void Dispose() => _logs.AssertNoErrors();

    private Task<TestApp> StartAsync() => TestApp.StartAsync(
        services: AppLogSink.Register(_logs),
        protocols: HttpProtocols.Http2,
        pipeline: app =>
        {
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapGet("/orders", (HttpContext http) => Results.Text(TestApp.DescribeRequest(http))).RequireAuthorization();
            app.MapGet("/", (HttpContext http) => Results.Text("ROOT served|" + TestApp.DescribeRequest(http))).RequireAuthorization();
            app.MapGet("/raw/{**rest}", (HttpContext http) => Results.Text(TestApp.DescribeRequest(http))).RequireAuthorization();
            app.MapPost("/orders", async (HttpContext http) => { string text = await TestApp.DescribeRequestWithBodyAsync(http); return Results.Text(text); }).RequireAuthorization();
            app.MapMethods("/tunnel", ["CONNECT", "GET"], (HttpContext http) => HttpMethods.IsConnect(http.Request.Method)
                ? Results.Empty // a 200 to CONNECT opens a tunnel: no Content-Length may be set
                : Results.Text(TestApp.DescribeRequest(http)
                    + $"|extconnect={http.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect}|protocol={http.Features.Get<IHttpExtendedConnectFeature>()?.Protocol}")).RequireAuthorization();
        });

    private static List<(string, string)> Pseudo(string method, string authority, string path, string scheme = "http") =>
        [(":method", method), (":scheme", scheme), (":authority", authority), (":path", path)];

    private static List<(string, string)> WithSignature(List<(string, string)> headers, OutgoingRequest signed)
    {
        foreach ((string name, string value) in signed.HeaderLines())
        {
            headers.Add((name.ToLowerInvariant(), value));
        }

        return headers;
    }

    [Fact]
    public async Task H2_HttpClientPriorKnowledge_SignedGetAndPost_Verify()
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();
        using var client = new HttpClient(new SocketsHttpHandler()) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        OutgoingRequest get = TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/orders?a=1"), key);
        using HttpRequestMessage m1 = get.ToHttpRequestMessage(app.BaseAddress);
        m1.Version = HttpVersion.Version20;
        m1.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        using HttpResponseMessage r1 = await client.SendAsync(m1);
        string b1 = await r1.Content.ReadAsStringAsync();
        output.WriteLine($"{(int)r1.StatusCode} {r1.Version} {b1}");
        Assert.Equal(HttpStatusCode.OK, r1.StatusCode);
        Assert.Contains("proto=HTTP/2", b1);

        OutgoingRequest post = TestApp.Sign(OutgoingRequest.Json("POST", app.Authority, "/orders", """{"a":1}"""), key);
        post.Chunked = true; // no Content-Length over h2
        using HttpRequestMessage m2 = post.ToHttpRequestMessage(app.BaseAddress);
        m2.Version = HttpVersion.Version20;
        m2.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        using HttpResponseMessage r2 = await client.SendAsync(m2);
        string b2 = await r2.Content.ReadAsStringAsync();
        output.WriteLine($"{(int)r2.StatusCode} {r2.Version} [{b2}] {r2.Content.Headers} {r2.Headers}");
        Assert.Equal(HttpStatusCode.OK, r2.StatusCode);
        Assert.Contains("body={\"a\":1}", b2);
    }

    [Fact]
    public async Task H2_AuthorityAndHostDiffer_AppAndSignatureUseTheSameValue()
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();

        // Signed for the real :authority, with an extra unsigned Host header naming another site.
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/orders"), key);
        var h = WithSignature(Pseudo("GET", app.Authority, "/orders"), signed);
        h.Add(("host", "evil.example"));
        RawH2.Result a = await RawH2.SendAsync(app.BaseAddress, h);
        output.WriteLine("signed :authority, extra host: " + a);

        // Signed for evil.example (the Host header) while :authority is the real one.
        OutgoingRequest signedEvil = TestApp.Sign(new OutgoingRequest("GET", "evil.example", "/orders"), key);
        var h2 = WithSignature(Pseudo("GET", app.Authority, "/orders"), signedEvil);
        h2.Add(("host", "evil.example"));
        RawH2.Result b = await RawH2.SendAsync(app.BaseAddress, h2);
        output.WriteLine("signed host, real :authority: " + b);

        // Whatever Kestrel does, the app must never see a host other than the signed one on a 200.
        if (a.Status == 200)
        {
            Assert.Contains($"host={app.Authority}|", a.Body);
        }

        if (b.Status == 200)
        {
            Assert.Contains("host=evil.example|", b.Body);
        }
    }

    [Fact]
    public async Task H2_NoAuthority_OnlyHostHeader_VerifiesAgainstHost()
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("GET", "other.example", "/orders"), key);
        var h = WithSignature([(":method", "GET"), (":scheme", "http"), (":path", "/orders"), ("host", "other.example")], signed);
        RawH2.Result r = await RawH2.SendAsync(app.BaseAddress, h);
        output.WriteLine(r.ToString());
        if (r.Status == 200)
        {
            Assert.Contains("host=other.example|", r.Body);
        }
    }

    [Theory]
    [InlineData("/orders?x=1", "/orders?x=1#&admin=true")]
    [InlineData("/orders", "/orders#/../admin")]
    public async Task H2_PathWithNumberSign_AppendedAfterSigning_IsRefused(string signedPath, string sentPath)
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("GET", app.Authority, signedPath), key);
        RawH2.Result r = await RawH2.SendAsync(app.BaseAddress, WithSignature(Pseudo("GET", app.Authority, sentPath), signed));
        output.WriteLine(r.ToString());
        Assert.NotEqual(200, r.Status);
    }

    [Fact]
    public async Task H2_PathWithNumberSign_SignedPercentEncoded_VerifiesAndAppSeesTheSignedQuery()
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/orders?x=1%23&admin=true"), key);
        RawH2.Result r = await RawH2.SendAsync(app.BaseAddress, WithSignature(Pseudo("GET", app.Authority, "/orders?x=1#&admin=true"), signed));
        output.WriteLine(r.ToString());

        // The '#' and what follows are part of the signed query (as %23), which is what the application reads.
        Assert.Equal(200, r.Status);
        Assert.Contains("|query=?x=1%23&admin=true|", r.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://{0}/orders")]
    [InlineData("https://{0}/orders")]
    [InlineData("http://{0}#/orders")]
    [InlineData("//{0}/orders")]
    [InlineData("orders")]
    public async Task H2_NonOriginPath_IsRefused(string pathFormat)
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/orders"), key);
        string path = string.Format(System.Globalization.CultureInfo.InvariantCulture, pathFormat, app.Authority);
        RawH2.Result r = await RawH2.SendAsync(app.BaseAddress, WithSignature(Pseudo("GET", app.Authority, path), signed));
        output.WriteLine(path + " => " + r);
        Assert.NotEqual(200, r.Status);
        Assert.DoesNotContain("auth=True", r.Body, StringComparison.Ordinal);
        Assert.True(r.Status is 0 or (>= 400 and < 500), r.ToString());
    }

    [Fact]
    public async Task H2_AbsoluteFormPathWithNumberSign_SignedTargetAfterIt_NeverReachesTheRoot()
    {
        // The HTTP/1.1 attack (GET http://host#/signed/target) in :path: Kestrel refuses any :path without a leading '/'.
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/orders?x=1"), key);
        RawH2.Result r = await RawH2.SendAsync(app.BaseAddress, WithSignature(Pseudo("GET", app.Authority, $"http://{app.Authority}#/orders?x=1"), signed));
        output.WriteLine(r.ToString());
        Assert.NotEqual(200, r.Status);
        Assert.DoesNotContain("ROOT served", r.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/raw/a%2Fb", "/raw/a%2Fb")]
    [InlineData("/raw/a/../orders", "/raw/orders")]
    [InlineData("/raw/%41b", "/raw/Ab")]
    public async Task H2_Path_SignedAsSent_AppSeesKestrelsOriginFormDecodingOfTheSignedBytes(string path, string pathSeen)
    {
        // :path is origin form: Kestrel decodes it as an HTTP/1.1 origin-form target (%2F kept, dot segments removed;
        // see RequestTargetAttackTests), from the very bytes the signature covers.
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("GET", app.Authority, path), key);
        RawH2.Result r = await RawH2.SendAsync(app.BaseAddress, WithSignature(Pseudo("GET", app.Authority, path), signed));
        output.WriteLine(r.ToString());
        Assert.Equal(200, r.Status);
        Assert.Contains($"|raw={path}|pathbase=|path={pathSeen}|", r.Body, StringComparison.Ordinal);

    }

    [Fact]
    public async Task H2_PathSignedForOneTargetSentForAnother_FailsWithInvalidSignature()
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/raw/a%2Fb"), key);
        RawH2.Result r = await RawH2.SendAsync(app.BaseAddress, WithSignature(Pseudo("GET", app.Authority, "/raw/a/b"), signed));
        output.WriteLine(r.ToString());
        Assert.Equal(401, r.Status);
        Assert.Contains("invalid_signature", r.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task H2_AuthoritySignedForAnotherHost_FailsWithInvalidSignature()
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("GET", "api.example.com", "/orders"), key);
        RawH2.Result r = await RawH2.SendAsync(app.BaseAddress, WithSignature(Pseudo("GET", app.Authority, "/orders"), signed));
        output.WriteLine(r.ToString());
        Assert.Equal(401, r.Status);
        Assert.Contains("invalid_signature", r.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task H2_ContentLengthZero_ThenData_UnsignedBodyNeverReachesApp()
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("POST", app.Authority, "/orders"), key);
        var h = WithSignature(Pseudo("POST", app.Authority, "/orders"), signed);
        h.Add(("content-length", "0"));
        RawH2.Result r = await RawH2.SendAsync(app.BaseAddress, h, [Encoding.UTF8.GetBytes("attacker-body")]);
        output.WriteLine(r.ToString());
        Assert.DoesNotContain("attacker-body", r.Body);
    }

    [Fact]
    public async Task H2_DataWithoutContentLength_NoDigestCoverage_IsInsufficientCoverage()
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("POST", app.Authority, "/orders"), key);
        RawH2.Result r = await RawH2.SendAsync(app.BaseAddress, WithSignature(Pseudo("POST", app.Authority, "/orders"), signed), [Encoding.UTF8.GetBytes("attacker-body")]);
        output.WriteLine(r.ToString());
        Assert.Equal(401, r.Status);
        Assert.Contains("insufficient_coverage", r.Body);
    }

    [Fact]
    public async Task H2_EmptyDataThenTrailers_NoDigestCoverage_NoUnsignedByteReachesTheApp()
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("POST", app.Authority, "/orders"), key);
        RawH2.Result r = await RawH2.SendAsync(app.BaseAddress, WithSignature(Pseudo("POST", app.Authority, "/orders"), signed), [], [("x-trailer", "1")]);
        output.WriteLine(r.ToString());

        // Kestrel sees the stream ended with no content: accepted as body-less, and the application reads nothing.
        Assert.True(r.Status != 200 || r.Body.EndsWith("|body=", StringComparison.Ordinal), r.ToString());
    }

    [Fact]
    public async Task H2_SignedBodyWithTrailerContentDigest_TrailerIgnored_BodyChecked()
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();
        byte[] body = Encoding.UTF8.GetBytes("""{"a":1}""");
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("POST", app.Authority, "/orders", body), key);
        byte[] evil = Encoding.UTF8.GetBytes("""{"a":9}""");
        var trailers = new List<(string, string)> { ("content-digest", ContentDigest.Compute(evil)) };
        RawH2.Result r = await RawH2.SendAsync(app.BaseAddress, WithSignature(Pseudo("POST", app.Authority, "/orders"), signed), [evil], trailers);
        output.WriteLine(r.ToString());
        Assert.NotEqual(200, r.Status);
    }

    [Fact]
    public async Task H2_ExtendedConnect_SignedGetIsRefused_SignedConnectVerifies()
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signedGet = TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/tunnel"), key);
        var h = WithSignature(Pseudo("CONNECT", app.Authority, "/tunnel"), signedGet);
        h.Insert(1, (":protocol", "websocket"));
        RawH2.Result r = await RawH2.SendAsync(app.BaseAddress, h);
        output.WriteLine("signed GET sent as extended CONNECT: " + r);
        Assert.NotEqual(200, r.Status);

        OutgoingRequest signedConnect = TestApp.Sign(new OutgoingRequest("CONNECT", app.Authority, "/tunnel"), key);
        var h2 = WithSignature(Pseudo("CONNECT", app.Authority, "/tunnel"), signedConnect);
        h2.Insert(1, (":protocol", "websocket"));
        RawH2.Result r2 = await RawH2.SendAsync(app.BaseAddress, h2);
        output.WriteLine("signed CONNECT sent as extended CONNECT: " + r2);
        Assert.Equal(200, r2.Status);
    }

    [Fact]
    public async Task H2_PlainConnect_NoPath_IsRefusedNot5xx()
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("CONNECT", app.Authority, "/tunnel"), key);
        var h = WithSignature([(":method", "CONNECT"), (":authority", app.Authority)], signed);
        RawH2.Result r = await RawH2.SendAsync(app.BaseAddress, h);
        output.WriteLine(r.ToString());
        Assert.True(r.Status is not (200 or >= 500), r.ToString());
    }

    [Fact]
    public async Task H2_HeadOnGetEndpoint_SignedAsGet_IsRefused()
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/orders"), key);
        RawH2.Result r = await RawH2.SendAsync(app.BaseAddress, WithSignature(Pseudo("HEAD", app.Authority, "/orders"), signed));
        output.WriteLine(r.ToString());
        Assert.NotEqual(200, r.Status);
    }

    [Theory]
    [InlineData("user@{0}")]
    [InlineData("{0} ")]
    [InlineData("EVIL.example")]
    public async Task H2_OddAuthority_SignedAsSent_IsRefusedOrVerifiedNever5xx(string authorityFormat)
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();
        string authority = string.Format(System.Globalization.CultureInfo.InvariantCulture, authorityFormat, app.Authority);
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("GET", authority, "/orders"), key);
        RawH2.Result r = await RawH2.SendAsync(app.BaseAddress, WithSignature(Pseudo("GET", authority, "/orders"), signed));
        output.WriteLine($"[{authority}] => {r}");
        Assert.True(r.Status < 500, r.ToString());
    }
}
