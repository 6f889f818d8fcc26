using System.Net;
using System.Security.Claims;
using KeyPairAuth.AspNetCore;
using KeyPairAuth.Cli.Tests.Commands;
using KeyPairAuth.Issuance;
using KeyPairAuth.Keys;
using KeyPairAuth.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyPairAuth.Cli.Tests;

/// <summary>
/// The bring-your-own-key journey end to end, on real Kestrel with the real scheme: <c>keypairauth keygen</c> on the
/// user's machine → the printed public key registered through <see cref="IKeyPairIssuer"/> (as a dashboard would) →
/// requests signed with what keygen left behind (its printed key id, or its secret file), by the CLI and by the client
/// SDK. No key id is ever copied back from the server.
/// </summary>
public sealed class BringYourOwnKeyTests : IAsyncLifetime, IDisposable
{
    private readonly CliRunner _cli = new();
    private WebApplication _app = null!;
    private Uri _baseAddress = null!;

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
        _app.MapGet("/whoami", (ClaimsPrincipal user) =>
            $"owner={user.FindFirstValue(ClaimTypes.NameIdentifier)} keyid={user.FindFirstValue(KeyPairClaimTypes.KeyId)}").RequireAuthorization();
        await _app.StartAsync();
        _baseAddress = new Uri(_app.Urls.First());
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public void Dispose() => _cli.Dispose();

    private string WhoAmI => new Uri(_baseAddress, "/whoami").ToString();

    /// <summary>Runs keygen and registers the public key it printed (the given format) through the issuer; returns keygen's output.</summary>
    private async Task<(string Output, PublicKeyRecord Record)> KeygenAndRegisterAsync(string keyFile, string format, string owner, bool registerJwk)
    {
        CliResult keygen = await _cli.RunAsync("keygen", "--out", keyFile, "--format", format);
        Assert.True(keygen.ExitCode == 0, keygen.Error);

        string printed = registerJwk ? PrintedJwk(keygen.Output) : PrintedSpkiPem(keygen.Output);
        IKeyPairIssuer issuer = _app.Services.GetRequiredService<IKeyPairIssuer>();
        PublicKeyRecord record = await issuer.RegisterAsync(new KeyRegistrationRequest
        {
            Owner = owner, Name = "laptop", PublicKey = Ed25519PublicKey.Parse(printed),
        });
        return (keygen.Output, record);
    }

    [Fact]
    public async Task PemKey_RegisteredThroughIssuer_CliSignsWithKeygensPrintedKeyId_200()
    {
        string keyFile = _cli.PathOf("api.pem");
        (string output, PublicKeyRecord record) = await KeygenAndRegisterAsync(keyFile, "pem", "alice", registerJwk: false);
        string printedKeyId = KeygenCommandTests.KeyIdFrom(output);

        CliResult result = await _cli.RunAsync("request", "GET", WhoAmI, "--key-file", keyFile, "--key-id", printedKeyId);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.StartsWith("HTTP/1.1 200 OK", result.Output, StringComparison.Ordinal);
        Assert.Contains($"owner=alice keyid={printedKeyId}", result.Output, StringComparison.Ordinal);
        Assert.Equal(printedKeyId, record.KeyId);
    }

    [Fact]
    public async Task PemKey_RegisteredThroughIssuer_CliSignsWithoutAnyKeyId_200()
    {
        string keyFile = _cli.PathOf("api.pem");
        (string output, _) = await KeygenAndRegisterAsync(keyFile, "pem", "alice", registerJwk: true);

        // A PEM carries no key id, but its id is derived from the key, so the CLI needs none.
        CliResult result = await _cli.RunAsync("request", "GET", WhoAmI, "--key-file", keyFile);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains($"keyid={KeygenCommandTests.KeyIdFrom(output)}", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretKey_RegisteredThroughIssuer_CliSignsWithTheSecretFile_200()
    {
        string keyFile = _cli.PathOf("api.secret");
        (string output, _) = await KeygenAndRegisterAsync(keyFile, "secret", "bob", registerJwk: true);

        CliResult result = await _cli.RunAsync("request", "GET", WhoAmI, "--key-file", keyFile);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains($"owner=bob keyid={KeygenCommandTests.KeyIdFrom(output)}", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PemKey_RegisteredThroughIssuer_SdkSignsWithKeygensPrintedKeyId_200()
    {
        string keyFile = _cli.PathOf("api.pem");
        (string output, _) = await KeygenAndRegisterAsync(keyFile, "pem", "carol", registerJwk: false);
        string printedKeyId = KeygenCommandTests.KeyIdFrom(output);
        string pem = await File.ReadAllTextAsync(keyFile);

        string body = await SdkGetAsync(b => b.AddKeyPairSigning(printedKeyId, pem));

        Assert.Equal($"owner=carol keyid={printedKeyId}", body);
    }

    [Fact]
    public async Task SecretKey_RegisteredThroughIssuer_SdkSignsWithTheSecret_200()
    {
        string keyFile = _cli.PathOf("api.secret");
        (string output, _) = await KeygenAndRegisterAsync(keyFile, "secret", "dave", registerJwk: false);
        string secret = (await File.ReadAllTextAsync(keyFile)).Trim();

        string body = await SdkGetAsync(b => b.AddKeyPairSigning(secret));

        Assert.Equal($"owner=dave keyid={KeygenCommandTests.KeyIdFrom(output)}", body);
    }

    [Fact]
    public async Task SameKeygenPublicKey_RegisteredByAnotherOwner_IsRefused()
    {
        string keyFile = _cli.PathOf("api.pem");
        (string output, _) = await KeygenAndRegisterAsync(keyFile, "pem", "alice", registerJwk: false);
        IKeyPairIssuer issuer = _app.Services.GetRequiredService<IKeyPairIssuer>();

        KeyIssuanceException ex = await Assert.ThrowsAsync<KeyIssuanceException>(async () => await issuer.RegisterAsync(new KeyRegistrationRequest
        {
            Owner = "mallory", Name = "copied", PublicKey = Ed25519PublicKey.Parse(PrintedJwk(output)),
        }));

        Assert.Equal(KeyIssuanceError.DuplicatePublicKey, ex.Error);
    }

    private async Task<string> SdkGetAsync(Action<IHttpClientBuilder> configure)
    {
        var services = new ServiceCollection();
        configure(services.AddHttpClient("api", c => c.BaseAddress = _baseAddress));
        await using ServiceProvider provider = services.BuildServiceProvider();
        HttpClient client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("api");

        using HttpResponseMessage response = await client.GetAsync(new Uri("/whoami", UriKind.Relative));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return body;
    }

    private static string PrintedSpkiPem(string output)
    {
        int start = output.IndexOf("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal);
        int end = output.IndexOf("-----END PUBLIC KEY-----", StringComparison.Ordinal) + "-----END PUBLIC KEY-----".Length;
        return output[start..end];
    }

    private static string PrintedJwk(string output) =>
        output.Split('\n').Single(line => line.StartsWith("{\"kty\"", StringComparison.Ordinal) || line.StartsWith("{\"crv\"", StringComparison.Ordinal)).Trim();
}
