using System.IO.Compression;
using System.Net;
using System.Text;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Digests;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Rewrite;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace KeyPairAuth.AspNetCore.Tests.Pipeline;

/// <summary>
/// Framework middleware an application commonly adds, placed before and after <c>UseAuthentication</c>. Before: the
/// signature is checked against the request as the middleware left it (it verifies when signed for that, fails as
/// designed otherwise). After: what was verified (method, scheme, authority, raw target, path base) must not change
/// before authorization, which refuses a changed request with 401 <c>request_altered_after_authentication</c>.
/// </summary>
public sealed class MiddlewareOrderTests(ITestOutputHelper output)
{
    private static readonly ForwardedHeadersOptions ForwardHostProtoPrefix = new()
    {
        ForwardedHeaders = ForwardedHeaders.XForwardedHost | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedPrefix,
    };

    private static void MapDescribe(WebApplication app)
    {
        app.MapMethods("/res", ["GET", "POST", "PUT"], async (HttpContext http) => { string t = await TestApp.DescribeRequestWithBodyAsync(http); return Results.Text("endpoint=" + http.Request.Method + "-handler|" + t); }).RequireAuthorization();
        app.MapDelete("/res", (HttpContext http) => Results.Text("endpoint=DELETE-handler|" + TestApp.DescribeRequest(http))).RequireAuthorization();
        app.MapGet("/api/{**rest}", (HttpContext http) => Results.Text(TestApp.DescribeRequest(http))).RequireAuthorization();
    }

    private static Task<TestApp> StartAsync(Action<WebApplication> pipeline, Action<IServiceCollection>? services = null) =>
        TestApp.StartAsync(o => o.IncludeErrorDetails = true, services, pipeline: pipeline);

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(TestApp app, OutgoingRequest request)
    {
        using HttpResponseMessage response = await app.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        output.WriteLine($"{request.Method} {request.RequestTarget} -> {(int)response.StatusCode} {response.Headers.WwwAuthenticate} {body}");
        return (response.StatusCode, body);
    }

    private static void AssertAltered(HttpStatusCode status, string body)
    {
        Assert.True(status == HttpStatusCode.Unauthorized, $"{(int)status} {body}");
        Assert.Contains("\"error\":\"request_altered_after_authentication\"", body, StringComparison.Ordinal);
    }

    // ---- X-HTTP-Method-Override ----

    [Fact]
    public async Task MethodOverride_BeforeAuthentication_SignedPostSentAsDelete_FailsWithInvalidSignature()
    {
        await using TestApp app = await StartAsync(a =>
        {
            a.UseHttpMethodOverride();
            a.UseRouting();
            a.UseAuthentication();
            a.UseAuthorization();
            MapDescribe(a);
        });
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("POST", app.Authority, "/res"), key);
        signed.Set("X-HTTP-Method-Override", "DELETE");
        (HttpStatusCode status, string body) = await SendAsync(app, signed);
        Assert.False(status == HttpStatusCode.OK && body.Contains("endpoint=DELETE-handler", StringComparison.Ordinal), body);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("\"error\":\"invalid_signature\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MethodOverride_BeforeAuthentication_SignedForTheOverridingMethod_RunsItAsSigned()
    {
        await using TestApp app = await StartAsync(a =>
        {
            a.UseHttpMethodOverride();
            a.UseRouting();
            a.UseAuthentication();
            a.UseAuthorization();
            MapDescribe(a);
        });
        TestKey key = await app.AddKeyAsync();

        // The method the application runs (DELETE) is the one signed; POST is only the wire method.
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("DELETE", app.Authority, "/res"), key);
        signed.Method = "POST";
        signed.Set("X-HTTP-Method-Override", "DELETE");
        (HttpStatusCode status, string body) = await SendAsync(app, signed);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("endpoint=DELETE-handler", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MethodOverride_AfterAuthentication_SignedPostWithOverride_FailsWithRequestAlteredAfterAuthentication()
    {
        // An order that is easy to write: UseAuthentication early, then method override, then explicit routing.
        await using TestApp app = await StartAsync(a =>
        {
            a.UseAuthentication();
            a.UseHttpMethodOverride();
            a.UseRouting();
            a.UseAuthorization();
            MapDescribe(a);
        });
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("POST", app.Authority, "/res"), key);
        signed.Set("X-HTTP-Method-Override", "DELETE");
        (HttpStatusCode status, string body) = await SendAsync(app, signed);
        Assert.False(status == HttpStatusCode.OK && body.Contains("endpoint=DELETE-handler", StringComparison.Ordinal), "signed POST executed the DELETE endpoint: " + body);
        AssertAltered(status, body);
    }

    [Fact]
    public async Task MethodOverride_AfterAuthentication_NoOverrideHeader_RunsTheSignedMethod()
    {
        await using TestApp app = await StartAsync(a =>
        {
            a.UseAuthentication();
            a.UseHttpMethodOverride();
            a.UseRouting();
            a.UseAuthorization();
            MapDescribe(a);
        });
        TestKey key = await app.AddKeyAsync();
        (HttpStatusCode status, string body) = await SendAsync(app, TestApp.Sign(new OutgoingRequest("POST", app.Authority, "/res"), key));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("endpoint=POST-handler", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task MethodOverride_AfterAuthentication_ControllerAction_FailsWithRequestAlteredAfterAuthentication(bool overridden)
    {
        await using TestApp app = await StartAsync(
            a =>
            {
                a.UseAuthentication();
                a.UseHttpMethodOverride();
                a.UseRouting();
                a.UseAuthorization();
                a.MapControllers();
            },
            services: s => s.AddControllers().AddApplicationPart(typeof(ResourceController).Assembly));
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("POST", app.Authority, "/controller/res"), key);
        if (overridden)
        {
            signed.Set("X-HTTP-Method-Override", "DELETE");
        }

        (HttpStatusCode status, string body) = await SendAsync(app, signed);
        if (overridden)
        {
            Assert.DoesNotContain("controller-delete", body, StringComparison.Ordinal);
            AssertAltered(status, body);
        }
        else
        {
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("controller-post", body);
        }
    }

    // ---- X-Forwarded-* ----

    [Fact]
    public async Task ForwardedHeaders_BeforeAuthentication_SignedForTheForwardedHost_VerifiesAndAppSeesIt()
    {
        await using TestApp app = await StartAsync(a =>
        {
            a.UseForwardedHeaders(ForwardHostProtoPrefix);
            a.UseAuthentication();
            a.UseAuthorization();
            MapDescribe(a);
        });
        TestKey key = await app.AddKeyAsync();

        // What a trusted proxy (loopback) forwards: the client signed for the public host.
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("GET", "api.example.com", "/res", scheme: "https"), key);
        signed.Authority = app.Authority;
        signed.Set("X-Forwarded-Host", "api.example.com").Set("X-Forwarded-Proto", "https");
        (HttpStatusCode status, string body) = await SendAsync(app, signed);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("|host=api.example.com|", body, StringComparison.Ordinal);
        Assert.Contains("|scheme=https|", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForwardedHeaders_BeforeAuthentication_UnsignedForwardedHostAdded_FailsWithInvalidSignature()
    {
        await using TestApp app = await StartAsync(a =>
        {
            a.UseForwardedHeaders(ForwardHostProtoPrefix);
            a.UseAuthentication();
            a.UseAuthorization();
            MapDescribe(a);
        });
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/res"), key);
        signed.Set("X-Forwarded-Host", "tenant-b.example");
        (HttpStatusCode status, string body) = await SendAsync(app, signed);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("\"error\":\"invalid_signature\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForwardedHeaders_AfterAuthentication_UnsignedForwardedHostProtoAndPrefix_FailWithRequestAlteredAfterAuthentication()
    {
        await using TestApp app = await StartAsync(a =>
        {
            a.UseAuthentication();
            a.UseForwardedHeaders(ForwardHostProtoPrefix);
            a.UseRouting();
            a.UseAuthorization();
            MapDescribe(a);
        });
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/res"), key);
        signed.Set("X-Forwarded-Host", "tenant-b.example").Set("X-Forwarded-Proto", "https").Set("X-Forwarded-Prefix", "/admin");
        (HttpStatusCode status, string body) = await SendAsync(app, signed);
        Assert.False(status == HttpStatusCode.OK && body.Contains("host=tenant-b.example", StringComparison.Ordinal), "app saw an unsigned host after a verified signature: " + body);
        AssertAltered(status, body);
    }

    [Theory]
    [InlineData("X-Forwarded-Host", "tenant-b.example")]
    [InlineData("X-Forwarded-Proto", "https")]
    [InlineData("X-Forwarded-Prefix", "/admin")]
    public async Task ForwardedHeaders_AfterAuthentication_EachUnsignedForwardedValue_FailsWithRequestAlteredAfterAuthentication(string header, string value)
    {
        await using TestApp app = await StartAsync(a =>
        {
            a.UseAuthentication();
            a.UseForwardedHeaders(ForwardHostProtoPrefix);
            a.UseRouting();
            a.UseAuthorization();
            MapDescribe(a);
        });
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/res"), key);
        signed.Set(header, value);
        (HttpStatusCode status, string body) = await SendAsync(app, signed);
        AssertAltered(status, body);

        // Without the header, the same pipeline serves the signed request.
        (HttpStatusCode plain, string plainBody) = await SendAsync(app, TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/res"), key));
        Assert.True(plain == HttpStatusCode.OK, plainBody);
    }

    [Fact]
    public async Task ForwardedHeaders_UntrustedPeer_ForwardedHostIgnored_SignatureForForwardedHostFails()
    {
        await using TestApp app = await StartAsync(a =>
        {
            var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedHost | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedPrefix };
            options.KnownIPNetworks.Clear();
            options.KnownProxies.Clear();
            options.KnownProxies.Add(IPAddress.Parse("10.1.2.3")); // loopback (the test client) is not trusted
            a.UseForwardedHeaders(options);
            a.UseAuthentication();
            a.UseAuthorization();
            MapDescribe(a);
        });
        TestKey key = await app.AddKeyAsync();

        OutgoingRequest forForwarded = TestApp.Sign(new OutgoingRequest("GET", "api.example.com", "/res"), key);
        forForwarded.Authority = app.Authority;
        forForwarded.Set("X-Forwarded-Host", "api.example.com").Set("X-Forwarded-Proto", "https");
        (HttpStatusCode s1, _) = await SendAsync(app, forForwarded);
        Assert.Equal(HttpStatusCode.Unauthorized, s1);

        OutgoingRequest forReal = TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/res"), key);
        forReal.Set("X-Forwarded-Host", "api.example.com").Set("X-Forwarded-Prefix", "/evil");
        (HttpStatusCode s2, string b2) = await SendAsync(app, forReal);
        Assert.Equal(HttpStatusCode.OK, s2);
        Assert.Contains($"host={app.Authority}|", b2, StringComparison.Ordinal);
        Assert.Contains("|pathbase=|", b2, StringComparison.Ordinal);
    }

    // ---- UsePathBase ----

    [Fact]
    public async Task PathBase_BeforeAuthentication_SignedFullPath_Verifies()
    {
        await using TestApp app = await StartAsync(a =>
        {
            a.UsePathBase("/base");
            a.UseRouting();
            a.UseAuthentication();
            a.UseAuthorization();
            MapDescribe(a);
        });
        TestKey key = await app.AddKeyAsync();
        (HttpStatusCode status, string body) = await SendAsync(app, TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/base/res"), key));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("|raw=/base/res|pathbase=/base|path=/res|", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PathBase_AfterAuthentication_FailsWithRequestAlteredAfterAuthentication()
    {
        await using TestApp app = await StartAsync(a =>
        {
            a.UseAuthentication();
            a.UsePathBase("/base");
            a.UseRouting();
            a.UseAuthorization();
            MapDescribe(a);
        });
        TestKey key = await app.AddKeyAsync();
        (HttpStatusCode status, string body) = await SendAsync(app, TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/base/res"), key));
        AssertAltered(status, body);
    }

    // ---- Request decompression ----

    private static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gz.Write(data);
        }

        return ms.ToArray();
    }

    private static OutgoingRequest GzipPost(TestApp app, TestKey key, byte[] plain, bool digestOverCompressed, bool chunked = false)
    {
        byte[] compressed = Gzip(plain);
        var request = new OutgoingRequest("POST", app.Authority, "/res", compressed) { ContentType = "application/json", Chunked = chunked };
        request.Set("Content-Encoding", "gzip");
        request.Set(ContentDigest.FieldName, ContentDigest.Compute(digestOverCompressed ? compressed : plain));
        return TestApp.Sign(request, key);
    }

    private static Task<TestApp> StartDecompressingAsync(bool beforeAuthentication) => StartAsync(
        a =>
        {
            if (beforeAuthentication)
            {
                a.UseRequestDecompression();
            }

            a.UseAuthentication();
            if (!beforeAuthentication)
            {
                a.UseRequestDecompression();
            }

            a.UseRouting();
            a.UseAuthorization();
            MapDescribe(a);
        },
        services: s => s.AddRequestDecompression());

    [Fact]
    public async Task RequestDecompression_BeforeAuthentication_CompliantDigest_FailsWithBodyDecodedBeforeAuthentication()
    {
        // RFC 9530: Content-Digest covers the content as sent (encoded). Decoded before authentication, the body the
        // handler reads is not the Content-Length bytes that arrived: the failure names the misplaced middleware.
        await using TestApp app = await StartDecompressingAsync(beforeAuthentication: true);
        TestKey key = await app.AddKeyAsync();
        byte[] plain = Encoding.UTF8.GetBytes("""{"amount":10}""");
        (HttpStatusCode rfc, string b1) = await SendAsync(app, GzipPost(app, key, plain, digestOverCompressed: true));
        Assert.Equal(HttpStatusCode.Unauthorized, rfc);
        Assert.Contains("\"error\":\"body_decoded_before_authentication\"", b1, StringComparison.Ordinal);
        Assert.Contains("UseRequestDecompression after UseAuthentication", b1, StringComparison.Ordinal);

        // A digest over the decoded bytes matches what the application reads (the bytes it will process are the signed ones).
        (HttpStatusCode decoded, string b2) = await SendAsync(app, GzipPost(app, key, plain, digestOverCompressed: false));
        output.WriteLine($"RFC 9530 digest (over the encoded bytes): {(int)rfc}; digest over decoded bytes: {(int)decoded}");
        Assert.Equal(HttpStatusCode.OK, decoded);
        Assert.Contains("""body={"amount":10}""", b2, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestDecompression_BeforeAuthentication_ChunkedBody_FailsWithDigestMismatch()
    {
        // Without Content-Length the replacement cannot be told from a tampered body: the required order is documented.
        await using TestApp app = await StartDecompressingAsync(beforeAuthentication: true);
        TestKey key = await app.AddKeyAsync();
        byte[] plain = Encoding.UTF8.GetBytes("""{"amount":10}""");
        (HttpStatusCode status, string body) = await SendAsync(app, GzipPost(app, key, plain, digestOverCompressed: true, chunked: true));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("\"error\":\"digest_mismatch\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestDecompression_BeforeAuthentication_ZipBomb_IsCutAtMaxBodySize()
    {
        await using TestApp app = await StartDecompressingAsync(beforeAuthentication: true);
        TestKey key = await app.AddKeyAsync();
        byte[] plain = new byte[50 * 1024 * 1024];
        OutgoingRequest bomb = GzipPost(app, key, plain, digestOverCompressed: true);
        output.WriteLine($"compressed {bomb.Body!.Length} bytes -> {plain.Length} bytes");
        (HttpStatusCode status, string body) = await SendAsync(app, bomb);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("\"error\":\"body_too_large\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestDecompression_AfterAuthentication_DigestOverEncodedBytes_AppSeesDecoded()
    {
        await using TestApp app = await StartDecompressingAsync(beforeAuthentication: false);
        TestKey key = await app.AddKeyAsync();
        byte[] plain = Encoding.UTF8.GetBytes("""{"amount":10}""");
        (HttpStatusCode status, string body) = await SendAsync(app, GzipPost(app, key, plain, digestOverCompressed: true));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("""body={"amount":10}""", body, StringComparison.Ordinal);
    }

    // ---- Rewriter ----

    [Fact]
    public async Task Rewriter_BeforeAuthentication_SignatureIsOverTheRawTarget()
    {
        await using TestApp app = await StartAsync(a =>
        {
            a.UseRewriter(new RewriteOptions().AddRewrite("^v1/(.*)", "api/$1", skipRemainingRules: true));
            a.UseRouting();
            a.UseAuthentication();
            a.UseAuthorization();
            MapDescribe(a);
        });
        TestKey key = await app.AddKeyAsync();
        (HttpStatusCode status, string body) = await SendAsync(app, TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/v1/orders?x=1"), key));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("raw=/v1/orders?x=1|pathbase=|path=/api/orders", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rewriter_AfterAuthentication_ApplicationRulesOnTheSignedPath_AreAllowed()
    {
        // The rewriter maps the signed path by the application's own rules; the raw target, method and host it leaves
        // alone, so the request is not "altered" (documented).
        await using TestApp app = await StartAsync(a =>
        {
            a.UseAuthentication();
            a.UseRewriter(new RewriteOptions().AddRewrite("^v1/(.*)", "api/$1", skipRemainingRules: true));
            a.UseRouting();
            a.UseAuthorization();
            MapDescribe(a);
        });
        TestKey key = await app.AddKeyAsync();
        (HttpStatusCode status, string body) = await SendAsync(app, TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/v1/orders?x=1"), key));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("raw=/v1/orders?x=1|pathbase=|path=/api/orders", body, StringComparison.Ordinal);
    }

    // ---- Body read before the handler ----

    [Fact]
    public async Task FormReadBeforeAuthentication_Unbuffered_FailsClosed()
    {
        await using TestApp app = await StartAsync(a =>
        {
            a.Use(async (ctx, next) =>
            {
                if (ctx.Request.HasFormContentType)
                {
                    _ = await ctx.Request.ReadFormAsync();
                }

                await next(ctx);
            });
            a.UseAuthentication();
            a.UseAuthorization();
            MapDescribe(a);
        });
        TestKey key = await app.AddKeyAsync();
        var request = new OutgoingRequest("POST", app.Authority, "/res", Encoding.UTF8.GetBytes("amount=10")) { ContentType = "application/x-www-form-urlencoded" };
        (HttpStatusCode status, string body) = await SendAsync(app, TestApp.Sign(request, key));
        Assert.NotEqual(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.DoesNotContain("endpoint=", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BodyBufferedAndReadBeforeAuthentication_PositionLeftAtEnd_StillVerifiesWholeBody()
    {
        await using TestApp app = await StartAsync(a =>
        {
            a.Use(async (ctx, next) =>
            {
                ctx.Request.EnableBuffering();
                await ctx.Request.Body.CopyToAsync(Stream.Null); // a logging middleware that forgets to rewind
                await next(ctx);
            });
            a.UseAuthentication();
            a.UseAuthorization();
            MapDescribe(a);
        });
        TestKey key = await app.AddKeyAsync();
        (HttpStatusCode ok, string okBody) = await SendAsync(app, TestApp.Sign(OutgoingRequest.Json("POST", app.Authority, "/res", """{"amount":10}"""), key));
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Contains("""body={"amount":10}""", okBody, StringComparison.Ordinal);
    }
}

/// <summary>A controller protected by <c>[Authorize]</c>, to show the check runs for controllers as for minimal APIs.</summary>
[ApiController]
[Route("controller/res")]
[Authorize]
public sealed class ResourceController : ControllerBase
{
    [HttpPost]
    public ActionResult<string> Post() => Content("controller-post");

    [HttpDelete]
    public ActionResult<string> Delete() => Content("controller-delete");
}
