using System.Net;
using System.Text;
using KeyPairAuth.Keys;
using KeyPairAuth.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace KeyPairAuth.Client.Tests;

/// <summary>The SDK against a real Kestrel server (127.0.0.1, random port) that verifies with the engine.</summary>
public sealed class EndToEndTests : IAsyncLifetime
{
    private SignedApiServer _server = null!;
    private ServiceProvider _provider = null!;
    private string _keyId = null!;

    public async Task InitializeAsync()
    {
        _server = await SignedApiServer.StartAsync();
        string secret;
        using (SigningKey key = SigningKey.Generate())
        {
            _keyId = key.KeyId;
            _server.Register(key.KeyId, key.PublicKey);
            secret = key.ExportSecret();
        }

        var services = new ServiceCollection();
        services.AddHttpClient("api", c => c.BaseAddress = _server.BaseAddress).AddKeyPairSigning(o => o.Secret = secret);
        _provider = services.BuildServiceProvider();
        _provider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
    }

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        await _server.DisposeAsync();
    }

    private HttpClient Client => _provider.GetRequiredService<IHttpClientFactory>().CreateClient("api");

    [Fact]
    public async Task Get_SignedBySdk_IsAuthenticated()
    {
        HttpResponseMessage response = await Client.GetAsync(new Uri("/orders?status=open", UriKind.Relative));

        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith($"ok key={_keyId} body=0 target=/orders?status=open", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/files/a%2Fb?name=x%2Fy")]
    [InlineData("/search?q=a%20b+c&x=%2B&empty=&flag")]
    [InlineData("/caf%C3%A9?city=M%C3%BCnchen")]
    [InlineData("/café?city=München")]
    public async Task Get_PercentEncodedAndUnicodeTargets_AuthenticateOnTheRawTarget(string target)
    {
        HttpResponseMessage response = await Client.GetAsync(new Uri(target, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(" target=/", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_JsonBody_IsAuthenticatedAndDigestChecked()
    {
        string json = "{\"item\":\"widget\",\"qty\":3,\"note\":\"naïve ✓\"}";

        HttpResponseMessage response = await Client.PostAsync(new Uri("/orders", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"body={Encoding.UTF8.GetByteCount(json)}", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsigned_IsRefused()
    {
        using var plain = new HttpClient { BaseAddress = _server.BaseAddress };

        HttpResponseMessage response = await plain.GetAsync(new Uri("/orders", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("missing_signature", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnregisteredKey_IsRefusedAsInvalidSignature()
    {
        using SigningKey stranger = SigningKey.Generate();
        using var client = new HttpClient(new KeyPairAuth.Client.Internal.KeyPairSigningHandler(() => new RequestSigner(stranger)) { InnerHandler = new SocketsHttpHandler() })
        {
            BaseAddress = _server.BaseAddress,
        };

        HttpResponseMessage response = await client.GetAsync(new Uri("/orders", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("invalid_signature", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StandaloneRequestSigner_ManualRequest_IsAuthenticated()
    {
        using SigningKey key = SigningKey.Generate();
        _server.Register(key.KeyId, key.PublicKey);
        var signer = new RequestSigner(key);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(_server.BaseAddress, "/items/42?v=2"))
        {
            Content = new ByteArrayContent([1, 2, 3, 0, 255]),
        };

        await signer.SignAsync(request);
        HttpResponseMessage response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"ok key={key.KeyId} body=5", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
