using System.Net;
using System.Text;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Signatures;

namespace KeyPairAuth.AspNetCore.Tests.Adversarial;

/// <summary>Lying Content-Length, chunked plus Content-Length, bodies on GET, Expect: 100-continue, the size limit.</summary>
public sealed class BodyFramingAttackTests(AdversarialAppFixture fixture) : IClassFixture<AdversarialAppFixture>, IDisposable
{
    private static readonly byte[] Json = """{"amount":10}"""u8.ToArray();

    private TestApp App => fixture.App;

    private readonly int _logMark = fixture.Logs.Mark();

    public void Dispose() => fixture.Logs.AssertNoErrors(_logMark);

    private async Task<OutgoingRequest> SignedPostAsync(byte[]? body = null)
    {
        TestKey key = await App.AddKeyAsync();
        return TestApp.Sign(new OutgoingRequest("POST", App.Authority, "/orders", body ?? Json) { ContentType = "application/json" }, key);
    }

    [Fact]
    public async Task ContentLengthSmallerThanBody_ServerReadsOnlyDeclaredBytes_FailsWithDigestMismatch()
    {
        OutgoingRequest request = await SignedPostAsync();

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request, contentLength: Json.Length - 3));

        response.AssertProblem(401, "digest_mismatch");
    }

    [Fact]
    public async Task ContentLengthLargerThanBody_ClientHalfCloses_NeverA5xxNorLoggedAsInfrastructureError()
    {
        // The body ends (EOF) before Content-Length: the client's fault, never a 5xx nor an "infrastructure failure" at Error.
        OutgoingRequest request = await SignedPostAsync();

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request, contentLength: Json.Length + 10), halfClose: true);

        // The client already closed its side, so Kestrel may abort the request before answering; the answer, if any,
        // is never a 2xx or 5xx, and the server logs a refusal (digest_mismatch) or nothing, never an infrastructure error.
        Assert.True(response.Status is 0 or (>= 400 and < 500), $"{response.Status}: {response.Text}");
        await fixture.Logs.WaitForAsync(_logMark, "[101:", "[102:");
        fixture.Logs.AssertNoErrors(_logMark);
    }

    [Fact]
    public async Task ChunkedBodyTruncated_ClientHalfCloses_NeverA5xxNorLoggedAsInfrastructureError()
    {
        OutgoingRequest request = await SignedPostAsync();
        byte[] bytes = RawHttp.Format(request, chunked: true);

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, bytes[..^7], halfClose: true);

        // The client already closed its side, so Kestrel may abort the request before answering; the answer, if any,
        // is never a 2xx or 5xx, and the server logs a refusal (digest_mismatch) or nothing, never an infrastructure error.
        Assert.True(response.Status is 0 or (>= 400 and < 500), $"{response.Status}: {response.Text}");
        await fixture.Logs.WaitForAsync(_logMark, "[101:", "[102:");
        fixture.Logs.AssertNoErrors(_logMark);
    }

    [Fact]
    public async Task ChunkedPlusContentLength_IsRefusedOrDigestChecked_NeverAcceptedTampered()
    {
        // Smuggling shape: Transfer-Encoding wins (RFC 9112 §6.3); the body must still be the signed one.
        OutgoingRequest request = await SignedPostAsync();
        byte[] bytes = RawHttp.Format(request, chunked: true, contentLength: 3);

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, bytes);

        Assert.True(response.Status is 200 or 400, $"{response.Status}: {response.Text}");
    }

    [Fact]
    public async Task ChunkedPlusContentLengthZero_UncoveredUnsignedBody_IsNotAccepted()
    {
        // The signature claims no content (no content-digest) while a chunked body carries data: must not reach the app.
        TestKey key = await App.AddKeyAsync();
        var request = new OutgoingRequest("POST", App.Authority, "/orders");
        TestApp.Sign(request, key);
        byte[] bytes = RawHttp.Format(request, chunked: true, contentLength: 0, body: Encoding.UTF8.GetBytes("""{"amount":9999}"""));

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, bytes);

        Assert.NotEqual(200, response.Status);
        response.Assert4xx();
    }

    [Fact]
    public async Task ChunkedBodyWithoutDigestCoverage_FailsWithInsufficientCoverage()
    {
        TestKey key = await App.AddKeyAsync();
        var request = new OutgoingRequest("POST", App.Authority, "/orders");
        TestApp.Sign(request, key);
        byte[] bytes = RawHttp.Format(request, chunked: true, body: Encoding.UTF8.GetBytes("""{"amount":9999}"""));

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, bytes);

        response.AssertProblem(401, "insufficient_coverage");
    }

    [Fact]
    public async Task BodyOnGet_WithoutDigestCoverage_FailsWithInsufficientCoverage()
    {
        TestKey key = await App.AddKeyAsync();
        var request = new OutgoingRequest("GET", App.Authority, "/orders");
        TestApp.Sign(request, key);
        byte[] bytes = RawHttp.Format(request, body: Json);

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, bytes);

        response.AssertProblem(401, "insufficient_coverage");
    }

    [Fact]
    public async Task BodyOnGet_WithDigestCovered_TamperedBody_FailsWithDigestMismatch()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(new OutgoingRequest("GET", App.Authority, "/orders", Json), key);

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request, body: """{"amount":99}"""u8.ToArray()));

        response.AssertProblem(401, "digest_mismatch");
    }

    [Fact]
    public async Task Expect100Continue_BadSignature_RefusedWithoutReadingBody()
    {
        OutgoingRequest request = TestApp.Sign(new OutgoingRequest("POST", App.Authority, "/orders", Json) { ContentType = "application/json" }, TestKey.Create());
        byte[] bytes = RawHttp.Format(request, extraLines: ["Expect: 100-continue"]);
        byte[] headOnly = bytes[..^Json.Length];

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, headOnly, halfClose: false);

        Assert.DoesNotContain("100 Continue", response.Text, StringComparison.Ordinal);
        response.AssertProblem(401, "invalid_signature");
    }

    [Fact]
    public async Task Expect100Continue_ValidSignature_Verifies()
    {
        OutgoingRequest request = await SignedPostAsync();
        request.Add("Expect", "100-continue");

        using HttpResponseMessage response = await App.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Body_ExactlyAtLimit_Verifies()
    {
        OutgoingRequest request = await SignedPostAsync(new byte[AdversarialAppFixture.BodyLimit]);
        request.ContentType = "application/octet-stream";

        using HttpResponseMessage response = await App.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Body_OneByteOverLimit_DeclaredLength_FailsWithBodyTooLarge()
    {
        OutgoingRequest request = await SignedPostAsync(new byte[AdversarialAppFixture.BodyLimit + 1]);

        using HttpResponseMessage response = await App.SendAsync(request);

        await Problem.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, "body_too_large");
    }

    [Fact]
    public async Task Body_OneByteOverLimit_Chunked_FailsWithBodyTooLarge()
    {
        OutgoingRequest request = await SignedPostAsync(new byte[AdversarialAppFixture.BodyLimit + 1]);

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request, chunked: true));

        response.AssertProblem(413, "body_too_large");
    }

    [Fact]
    public async Task Body_ExactlyAtLimit_Chunked_Verifies()
    {
        OutgoingRequest request = await SignedPostAsync(new byte[AdversarialAppFixture.BodyLimit]);

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request, chunked: true));

        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task Head_SignedAsHead_Verifies_SignedAsGetSentAsHead_FailsWithInvalidSignature()
    {
        TestKey key = await App.AddKeyAsync();
        var head = new OutgoingRequest("HEAD", App.Authority, "/verbs");
        TestApp.Sign(head, key);
        OutgoingRequest get = TestApp.Sign(App.Get("/verbs"), key);
        get.Method = "HEAD";

        using HttpResponseMessage ok = await App.SendAsync(head);
        using HttpResponseMessage tampered = await App.SendAsync(get);

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
        Assert.Equal("KeyPair error=\"invalid_signature\"", tampered.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Options_SignedAsOptions_Verifies_Tampered_FailsWithInvalidSignature()
    {
        TestKey key = await App.AddKeyAsync();
        var options = new OutgoingRequest("OPTIONS", App.Authority, "/verbs");
        TestApp.Sign(options, key);
        var tampered = new OutgoingRequest("OPTIONS", App.Authority, "/verbs");
        TestApp.Sign(tampered, key);
        tampered.RequestTarget = "/verbs?x";

        using HttpResponseMessage ok = await App.SendAsync(options);
        using HttpResponseMessage refused = await App.SendAsync(tampered);

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        await Problem.AssertAsync(refused, HttpStatusCode.Unauthorized, "invalid_signature");
    }

    [Fact]
    public void Slowloris_IsBoundedByKestrelTimeouts_NotedOnly()
    {
        // A never-finishing body is read only after the signature verified (so only a key holder can hold a
        // connection open this way) and is cut by Kestrel's MinRequestBodyDataRate (240 B/s after a 5 s grace)
        // and RequestHeadersTimeout (30 s). Not exercised here: it would take wall-clock time.
        Assert.True(new Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerLimits().MinRequestBodyDataRate is { BytesPerSecond: > 0 });
    }
}
