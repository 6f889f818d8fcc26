using System.Net;
using System.Security.Claims;
using KeyPairAuth.AspNetCore;
using KeyPairAuth.Keys;
using KeyPairAuth.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyPairAuth.Client.Tests;

/// <summary>The SDK against the real KeyPairAuth.AspNetCore scheme on Kestrel (127.0.0.1, random port).</summary>
public sealed class AspNetCoreEndToEndTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private ServiceProvider _clients = null!;
    private Uri _baseAddress = null!;
    private string _writerKeyId = null!;
    private string _readerKeyId = null!;

    public async Task InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Services.AddKeyPairAuth();
        builder.Services.AddAuthentication(KeyPairAuthenticationDefaults.AuthenticationScheme).AddKeyPair();
        builder.Services.AddAuthorization();
        _app = builder.Build();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapGet("/orders/{**rest}", (ClaimsPrincipal user, HttpContext context) =>
            $"{user.FindFirstValue(ClaimTypes.NameIdentifier)} {user.FindFirstValue(KeyPairClaimTypes.KeyId)} {context.Request.QueryString}").RequireAuthorization();
        _app.MapPost("/orders", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            return $"created {(await reader.ReadToEndAsync()).Length}";
        }).RequireScope("orders:write");
        _app.MapGet("/t/{**rest}", (ClaimsPrincipal user) => $"ok {user.FindFirstValue(ClaimTypes.NameIdentifier)}").RequireAuthorization();
        await _app.StartAsync();
        _baseAddress = new Uri(_app.Urls.First());

        IPublicKeyStore store = _app.Services.GetRequiredService<IPublicKeyStore>();
        (string writerSecret, _writerKeyId) = await RegisterAsync(store, "alice", ["orders:write"]);
        (string readerSecret, _readerKeyId) = await RegisterAsync(store, "bob", []);

        var services = new ServiceCollection();
        services.AddHttpClient("writer", c => c.BaseAddress = _baseAddress).AddKeyPairSigning(writerSecret);
        services.AddHttpClient("reader", c => c.BaseAddress = _baseAddress).AddKeyPairSigning(readerSecret);
        _clients = services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _clients.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task<(string Secret, string KeyId)> RegisterAsync(IPublicKeyStore store, string owner, string[] scopes)
    {
        using SigningKey key = SigningKey.Generate();
        PublicKeyAddResult added = await store.AddAsync(new PublicKeyRecord
        {
            KeyId = key.KeyId,
            Owner = owner,
            Name = owner + "'s key",
            PublicKey = key.PublicKey,
            Scopes = scopes,
            CreatedAt = TimeProvider.System.GetUtcNow().AddMinutes(-1),
        }, maxActiveKeysPerOwner: 10);
        Assert.Equal(PublicKeyAddResult.Added, added);
        return (key.ExportSecret(), key.KeyId);
    }

    private HttpClient Client(string name) => _clients.GetRequiredService<IHttpClientFactory>().CreateClient(name);

    [Theory]
    [InlineData("orders?status=open")]
    [InlineData("orders/a%2Fb?q=x%20y+z")]
    [InlineData("orders/café?city=München")]
    public async Task Get_SignedBySdk_SignsInAsTheKeysOwner(string target)
    {
        HttpResponseMessage response = await Client("reader").GetAsync(new Uri(target, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith($"bob {_readerKeyId}", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("t/a b")]
    [InlineData("t/{x}")]
    [InlineData("t/a|b")]
    [InlineData("t/a\\b")]
    [InlineData("t/a^b")]
    [InlineData("t/%7e")]
    [InlineData("t/a%zz")]
    [InlineData("t/a%2e%2e/b")]
    [InlineData("t/a/./b/../c")]
    [InlineData("t/x?y=[1]&z={2}")]
    [InlineData("t/x?y=a\"b")]
    [InlineData("t/x?y=%")]
    [InlineData("t/x?%%")]
    [InlineData("t/é?q=ü")]
    [InlineData("t/x?q=a#frag")]
    [InlineData("t/x;p=1?q")]
    [InlineData("t//double")]
    public async Task Get_TrickyTargets_SignedAsSentAndAuthenticated(string target)
    {
        HttpResponseMessage response = await Client("reader").GetAsync(new Uri(target, UriKind.Relative));

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{target}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("ok bob", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Post_WithScope_BodyDigestCheckedAndReadByEndpoint()
    {
        HttpResponseMessage response = await Client("writer").PostAsync(new Uri("orders", UriKind.Relative), new StringContent("{\"item\":\"widget\"}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("created 17", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Post_WithoutScope_IsForbidden()
    {
        HttpResponseMessage response = await Client("reader").PostAsync(new Uri("orders", UriKind.Relative), new StringContent("{}"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task StandaloneSigner_DefaultCoverageIncludesScheme_AcceptedByTheServer()
    {
        using SigningKey key = SigningKey.Generate();
        IPublicKeyStore store = _app.Services.GetRequiredService<IPublicKeyStore>();
        await store.AddAsync(new PublicKeyRecord
        {
            KeyId = key.KeyId, Owner = "dave", Name = "k", PublicKey = key.PublicKey, CreatedAt = TimeProvider.System.GetUtcNow().AddMinutes(-1),
        }, 10);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_baseAddress, "/orders?x=1"));
        await new RequestSigner(key).SignAsync(request);
        using var http = new HttpClient();

        HttpResponseMessage response = await http.SendAsync(request);

        Assert.StartsWith("sig1=(\"@method\" \"@scheme\" \"@authority\" \"@path\" \"@query\");", request.Headers.GetValues("Signature-Input").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("dave ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplayedSignedRequest_IsRefused()
    {
        using SigningKey key = SigningKey.Generate();
        IPublicKeyStore store = _app.Services.GetRequiredService<IPublicKeyStore>();
        await store.AddAsync(new PublicKeyRecord
        {
            KeyId = key.KeyId, Owner = "carol", Name = "k", PublicKey = key.PublicKey, CreatedAt = TimeProvider.System.GetUtcNow().AddMinutes(-1),
        }, 10);
        var signer = new RequestSigner(key);
        using var original = new HttpRequestMessage(HttpMethod.Get, new Uri(_baseAddress, "/orders"));
        await signer.SignAsync(original);
        using var replay = new HttpRequestMessage(HttpMethod.Get, new Uri(_baseAddress, "/orders"));
        foreach (var header in original.Headers)
        {
            replay.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        using var http = new HttpClient();
        HttpResponseMessage first = await http.SendAsync(original);
        HttpResponseMessage second = await http.SendAsync(replay);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.Contains("replayed_nonce", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
