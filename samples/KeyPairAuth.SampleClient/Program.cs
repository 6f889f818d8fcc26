// KeyPairAuth sample client: signs every request to the sample server with an API key from the dashboard.
//
//   export KEYPAIRAUTH_SECRET=kpa_sk_...        (the secret the dashboard showed you once)
//   dotnet run --project samples/KeyPairAuth.SampleClient [-- --server http://localhost:5080] [--secret-file FILE]
//
// Calls GET /api/whoami, POST /api/echo, GET and POST /api/orders, then sends a request whose body was changed after
// it was signed and shows the server refusing it. Exit code 0 when every step behaved as described, 1 otherwise,
// 2 for a usage error (no secret, bad arguments).
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using KeyPairAuth.Client;
using KeyPairAuth.Keys;
using Microsoft.Extensions.DependencyInjection;

string server = Environment.GetEnvironmentVariable("KEYPAIRAUTH_SERVER") ?? "http://localhost:5080";
string? secretFile = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--server" when i + 1 < args.Length:
            server = args[++i];
            break;
        case "--secret-file" when i + 1 < args.Length:
            secretFile = args[++i];
            break;
        case "--help" or "-h":
            Console.WriteLine("usage: KEYPAIRAUTH_SECRET=kpa_sk_... SampleClient [--server URL] [--secret-file FILE]");
            return 0;
        default:
            Console.Error.WriteLine($"error: unknown argument '{args[i]}' (--server URL, --secret-file FILE)");
            return 2;
    }
}

string? secret;
try
{
    secret = secretFile is not null ? (await File.ReadAllTextAsync(secretFile)).Trim() : Environment.GetEnvironmentVariable("KEYPAIRAUTH_SECRET")?.Trim();
}
catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: cannot read the secret file: {exception.Message}");
    return 2;
}

if (string.IsNullOrEmpty(secret))
{
    Console.Error.WriteLine("error: no key: set KEYPAIRAUTH_SECRET to the secret the dashboard showed you (kpa_sk_...), or pass --secret-file FILE");
    return 2;
}

if (!Uri.TryCreate(server.TrimEnd('/') + "/", UriKind.Absolute, out Uri? baseAddress))
{
    Console.Error.WriteLine($"error: --server '{server}' is not an absolute URL");
    return 2;
}

string keyId;
try
{
    // Checked here for a clear message; the messages never contain the secret.
    using SigningKey key = SigningKey.Parse(secret);
    keyId = key.KeyId;
}
catch (KeyFormatException exception)
{
    Console.Error.WriteLine($"error: the secret is not a KeyPairAuth secret: {exception.Message}");
    return 2;
}

// The application's HttpClient: every request it sends is signed (RFC 9421) with a Content-Digest of its body.
var services = new ServiceCollection();
services.AddHttpClient("sample-api", c => c.BaseAddress = baseAddress).AddKeyPairSigning(secret);
await using ServiceProvider provider = services.BuildServiceProvider();
HttpClient api = provider.GetRequiredService<IHttpClientFactory>().CreateClient("sample-api");

Console.WriteLine($"KeyPairAuth sample client: {baseAddress} as key {keyId}");
bool ok = true;
try
{
    using (HttpResponseMessage whoami = await api.GetAsync(new Uri("api/whoami", UriKind.Relative)))
    {
        ok &= await PrintAsync("GET  /api/whoami", whoami) == HttpStatusCode.OK;
    }

    using (HttpResponseMessage echo = await api.PostAsJsonAsync(new Uri("api/echo", UriKind.Relative), new { message = "hello, signed world", amount = 1 }))
    {
        ok &= await PrintAsync("POST /api/echo", echo) == HttpStatusCode.OK;
    }

    // These need the scopes orders:read and orders:write; without them the server answers 403 scope_missing.
    using (HttpResponseMessage orders = await api.GetAsync(new Uri("api/orders", UriKind.Relative)))
    {
        await PrintAsync("GET  /api/orders", orders);
    }

    using (HttpResponseMessage order = await api.PostAsJsonAsync(new Uri("api/orders", UriKind.Relative), new { item = "sample widget", quantity = 2 }))
    {
        await PrintAsync("POST /api/orders", order);
    }

    // Tampering: sign a request, then change its body on the way (as a man in the middle would) and send it unchanged
    // otherwise. The signature covers the Content-Digest, and the digest no longer matches the body: refused.
    using SigningKey signingKey = SigningKey.Parse(secret);
    var signer = new RequestSigner(signingKey);
    using var tampered = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, "api/echo"))
    {
        Content = new StringContent("""{"message":"pay","amount":1}""", Encoding.UTF8, "application/json"),
    };
    await signer.SignAsync(tampered);
    tampered.Content = new StringContent("""{"message":"pay","amount":1000}""", Encoding.UTF8, "application/json");
    using var plain = new HttpClient();
    using HttpResponseMessage refused = await plain.SendAsync(tampered);
    HttpStatusCode status = await PrintAsync("POST /api/echo, body changed after signing", refused);
    bool refusedAsExpected = status is HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest;
    Console.WriteLine(refusedAsExpected
        ? "ok   the tampered request was refused"
        : "FAIL the tampered request was not refused");
    ok &= refusedAsExpected;
}
catch (HttpRequestException exception)
{
    Console.Error.WriteLine($"error: cannot reach {baseAddress}: {exception.Message} (is the sample server running?)");
    return 1;
}

return ok ? 0 : 1;

static async Task<HttpStatusCode> PrintAsync(string step, HttpResponseMessage response)
{
    string body = await response.Content.ReadAsStringAsync();
    string mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
    if (mediaType.EndsWith("json", StringComparison.Ordinal) && body.Length > 0)
    {
        try
        {
            using JsonDocument json = JsonDocument.Parse(body);
            body = JsonSerializer.Serialize(json.RootElement);
        }
        catch (JsonException)
        {
        }
    }

    Console.WriteLine($"{step} -> {(int)response.StatusCode} {response.ReasonPhrase} {mediaType}");
    if (body.Length > 0)
    {
        Console.WriteLine($"     {body}");
    }

    return response.StatusCode;
}
