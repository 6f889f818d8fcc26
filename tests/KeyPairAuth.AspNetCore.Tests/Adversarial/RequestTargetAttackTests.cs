using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Signatures;

namespace KeyPairAuth.AspNetCore.Tests.Adversarial;

/// <summary>Absolute-form targets, Host games, empty query, dot segments, double slashes, fragments (raw sockets).</summary>
public sealed class RequestTargetAttackTests(AdversarialAppFixture fixture) : IClassFixture<AdversarialAppFixture>, IDisposable
{
    private TestApp App => fixture.App;

    private string Host => App.BaseAddress.Host;

    private int Port => App.BaseAddress.Port;

    private readonly int _logMark = fixture.Logs.Mark();

    public void Dispose() => fixture.Logs.AssertNoErrors(_logMark);

    private Task<RawResponse> SendAsync(OutgoingRequest request, string? requestLineTarget = null, string? host = null) =>
        RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request, requestLineTarget, host));

    [Fact]
    public async Task AbsoluteForm_MatchingHost_VerifiesAgainstPathAndQuery()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders?x=1"), key);

        RawResponse response = await SendAsync(request, $"http://{App.Authority}/orders?x=1");

        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task AbsoluteForm_AuthorityDiffersFromHost_IsRefused()
    {
        // Signed for the Host the server sees; the absolute target names another authority.
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), key);

        RawResponse response = await SendAsync(request, "http://evil.example/orders");

        response.Assert4xx();
        Assert.NotEqual(200, response.Status);
    }

    [Fact]
    public async Task AbsoluteForm_HttpsTargetOverHttpConnection_TargetUriSignedForHttps_FailsWithInvalidSignature()
    {
        // A signature covering @target-uri https://… must not verify on a plain-http connection just because the
        // absolute-form request line says https: the scheme comes from the connection, not from the request line.
        TestKey key = await App.AddKeyAsync();
        var signed = new OutgoingRequest("GET", App.Authority, "/orders", scheme: "https");
        TestApp.Sign(signed, key, new SigningOptions { Components = ["@method", "@target-uri"] });

        RawResponse response = await SendAsync(signed, $"https://{App.Authority}/orders");

        response.AssertProblem(401, "invalid_signature");
    }

    [Fact]
    public async Task Host_UpperCase_VerifiesAsLowerCase()
    {
        TestKey key = await App.AddKeyAsync();
        var request = new OutgoingRequest("GET", "LOCALHOST:" + Port, "/orders");
        TestApp.Sign(request, key);

        RawResponse response = await SendAsync(request);

        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task Host_TrailingDot_SignedWithout_FailsWithInvalidSignature()
    {
        TestKey key = await App.AddKeyAsync();
        var request = new OutgoingRequest("GET", "localhost:" + Port, "/orders");
        TestApp.Sign(request, key);

        RawResponse response = await SendAsync(request, host: "localhost.:" + Port);

        response.AssertProblem(401, "invalid_signature");
    }

    [Fact]
    public async Task Host_DefaultPort80_VerifiesAgainstAuthorityWithoutPort()
    {
        // RFC 9421 §2.2.3: the default port is dropped, so "api.example.com" and "api.example.com:80" are the same authority.
        TestKey key = await App.AddKeyAsync();
        var request = new OutgoingRequest("GET", "api.example.com", "/orders");
        TestApp.Sign(request, key);

        RawResponse response = await SendAsync(request, host: "api.example.com:80");

        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task Host_OtherPort_SignedWithoutPort_FailsWithInvalidSignature()
    {
        TestKey key = await App.AddKeyAsync();
        var request = new OutgoingRequest("GET", "api.example.com", "/orders");
        TestApp.Sign(request, key);

        RawResponse response = await SendAsync(request, host: "api.example.com:8080");

        response.AssertProblem(401, "invalid_signature");
    }

    [Fact]
    public async Task Query_EmptyQuestionMarkVsNone_AreTheSameComponentValue()
    {
        // RFC 9421 §2.2.7: an absent query and an empty one both give "?"; equivalent by design, not a bypass.
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), key);

        RawResponse response = await SendAsync(request, "/orders?");

        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task Query_SignedEmptySentNonEmpty_FailsWithInvalidSignature()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders?"), key);

        RawResponse response = await SendAsync(request, "/orders?admin");

        response.AssertProblem(401, "invalid_signature");
    }

    [Theory]
    [InlineData("/raw/a/../orders")]
    [InlineData("/raw/a/%2e%2e/orders")]
    [InlineData("/raw//orders")]
    [InlineData("/raw/a%2F..%2Forders")]
    public async Task Path_DotSegmentsAndSlashes_SignedAsSent_VerifyByteForByte(string target)
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get(target), key);

        RawResponse response = await SendAsync(request);

        Assert.True(response.Status is 200 or 404, $"{response.Status}: {response.Text}");
        Assert.False(response.Has("invalid_signature"), response.Text);
    }

    [Theory]
    [InlineData("/raw/orders", "/raw/a/../orders")]
    [InlineData("/raw/orders", "/raw/a/%2e%2e/orders")]
    [InlineData("/raw/orders", "/raw/a/%2E%2E/orders")]
    [InlineData("/raw/orders", "/raw//orders")]
    [InlineData("/raw/a/b", "/raw/a%2fb")]
    [InlineData("/raw/orders", "/raw/./orders")]
    public async Task Path_SentDiffersFromSignedButNormalisesToIt_FailsWithInvalidSignature(string signedTarget, string sentTarget)
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get(signedTarget), key);

        RawResponse response = await SendAsync(request, sentTarget);

        response.AssertProblem(401, "invalid_signature");
    }

    [Theory]
    [InlineData("/echo/a", "/echo/a#b")]
    [InlineData("/echo/a", "/echo/a#/../admin")]
    [InlineData("/echo/a?x=1", "/echo/a?x=1#&admin=true")]
    [InlineData("/echo/a?x=1", "/echo/a?x=1#")]
    [InlineData("/echo/a", "/echo/a?#admin=true")]
    public async Task Target_FragmentAppendedAfterSigning_FailsWithInvalidSignature(string signedTarget, string sentTarget)
    {
        // '#' is not allowed in a request target, but Kestrel passes it through into Path and QueryString: the app
        // would see a path or query parameter the signature never covered (admin=true) if the signature base cut the
        // target at '#'.
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get(signedTarget), key);

        RawResponse response = await SendAsync(request, sentTarget);

        Assert.DoesNotContain("admin", response.Text, StringComparison.Ordinal);
        response.AssertProblem(401, "invalid_signature");
    }

    [Fact]
    public async Task Path_WithFragment_IsRefused()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), key);

        RawResponse response = await SendAsync(request, "/orders#admin");

        response.Assert4xx();
    }

    [Fact]
    public async Task AsteriskForm_Options_IsRefusedNot5xx()
    {
        TestKey key = await App.AddKeyAsync();
        var request = new OutgoingRequest("OPTIONS", App.Authority, "/verbs");
        TestApp.Sign(request, key);

        RawResponse response = await SendAsync(request, "*");

        Assert.True(response.Status is > 0 and < 500, $"{response.Status}: {response.Text}");
        Assert.DoesNotContain("owner=", response.Text, StringComparison.Ordinal);
    }
}
