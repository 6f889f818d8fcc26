using System.Net;
using System.Text;
using KeyPairAuth.AspNetCore.Tests.Adversarial;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Replay;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using KeyPairAuth.StructuredFields;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyPairAuth.AspNetCore.Tests;

/// <summary>
/// <see cref="HttpMessageVerifierExtensions.VerifyAsync"/> on real Kestrel, without the authentication scheme: the
/// signature and the body are both checked before <see cref="SignatureVerificationResult.Succeeded"/>, with the scheme's
/// rules for the request target.
/// </summary>
public sealed class VerifyOutsideSchemeTests : IAsyncLifetime
{
    private const long MaxBodySize = 1024;

    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private Uri _baseAddress = null!;

    private string Authority => _baseAddress.Authority;

    public async Task InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddKeyPairAuth();
        _app = builder.Build();
        // The verifier AddKeyPairAuth registers: the application's key cache and replay cache.
        HttpMessageVerifier verifier = _app.Services.GetRequiredService<HttpMessageVerifier>();
        var limits = new StructuredFieldLimits { MaxFieldLength = 512 };
        _app.Run(async context =>
        {
            SignatureVerificationResult result = await verifier.VerifyAsync(context, MaxBodySize, bodyBufferThreshold: 16, limits);
            if (!result.Succeeded)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsync($"{{\"error\":\"{result.Failure!.Value.ToErrorCode()}\"}}");
                return;
            }

            using var reader = new StreamReader(context.Request.Body);
            await context.Response.WriteAsync($"ok key={result.Key!.KeyId} body={await reader.ReadToEndAsync()}");
        });
        await _app.StartAsync();
        _baseAddress = new Uri(_app.Urls.First());
        _client = new HttpClient { BaseAddress = _baseAddress };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<TestKey> AddKeyAsync()
    {
        var key = TestKey.Create();
        await _app.Services.GetRequiredService<IPublicKeyStore>().AddAsync(key.Record(), maxActiveKeysPerOwner: 10);
        return key;
    }

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(OutgoingRequest request)
    {
        using HttpRequestMessage message = request.ToHttpRequestMessage(_baseAddress);
        using HttpResponseMessage response = await _client.SendAsync(message);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Verify_SignedBodyIntact_SucceedsAndTheAppReadsTheBody()
    {
        TestKey key = await AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(OutgoingRequest.Json("POST", Authority, "/orders", """{"amount":10}"""), key);

        (HttpStatusCode status, string body) = await SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($"ok key={key.KeyId} body={{\"amount\":10}}", body);
    }

    [Fact]
    public async Task Verify_BodyAlteredAfterSigning_FailsWithDigestMismatch()
    {
        TestKey key = await AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(OutgoingRequest.Json("POST", Authority, "/orders", """{"amount":10}"""), key);
        request.Body = Encoding.UTF8.GetBytes("""{"amount":99}""");

        (HttpStatusCode status, string body) = await SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("{\"error\":\"digest_mismatch\"}", body);
    }

    [Fact]
    public async Task Verify_ChunkedBodyAlteredAfterSigning_FailsWithDigestMismatch()
    {
        TestKey key = await AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(OutgoingRequest.Json("POST", Authority, "/orders", """{"amount":10}"""), key);
        request.Body = Encoding.UTF8.GetBytes("""{"amount":1000}""");
        request.Chunked = true;

        (HttpStatusCode status, string body) = await SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("{\"error\":\"digest_mismatch\"}", body);
    }

    [Fact]
    public async Task Verify_DeclaredBodyOverTheLimit_FailsWithBodyTooLarge()
    {
        TestKey key = await AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(new OutgoingRequest("POST", Authority, "/orders", new byte[MaxBodySize + 1]), key);

        (HttpStatusCode status, string body) = await SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("{\"error\":\"body_too_large\"}", body);
    }

    [Fact]
    public async Task Verify_ContentDigestOverTheFieldLimits_FailsWithMalformedSignature()
    {
        TestKey key = await AddKeyAsync();
        OutgoingRequest request = OutgoingRequest.Json("POST", Authority, "/orders", """{"amount":10}""");
        request.AddDigest();
        request.Set("Content-Digest", request.GetFieldValues("Content-Digest")[0] + ", x-padding=:" + new string('A', 600) + ":");
        TestApp.Sign(request, key);

        (HttpStatusCode status, string body) = await SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("{\"error\":\"malformed_signature\"}", body);
    }

    [Fact]
    public async Task Verify_NumberSignInTarget_IsPartOfTheSignedTarget()
    {
        // Kestrel passes '#' through into the query: signed for "/a?x=1", the request must not verify with "#&admin=true" after it.
        TestKey key = await AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(new OutgoingRequest("GET", Authority, "/a?x=1"), key);

        RawResponse response = await RawHttp.SendAsync(_baseAddress, RawHttp.Format(request, requestLineTarget: "/a?x=1#&admin=true"));

        Assert.Equal(401, response.Status);
        Assert.Contains("{\"error\":\"invalid_signature\"}", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_AbsoluteFormTargetNotBoundToTheRoutedPath_FailsWithUnsupportedRequestTarget()
    {
        TestKey key = await AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(new OutgoingRequest("GET", Authority, "/raw/a%2Fb"), key);

        RawResponse response = await RawHttp.SendAsync(_baseAddress, RawHttp.Format(request, requestLineTarget: $"http://{Authority}/raw/a%2Fb"));

        Assert.Equal(401, response.Status);
        Assert.Contains("{\"error\":\"unsupported_request_target\"}", response.Text, StringComparison.Ordinal);
    }
}
