// KeyPairAuth in one process: a real Kestrel server protected by the KeyPair scheme, a key issued the way a
// dashboard would issue it, and an HttpClient that signs every request. Each step prints what happened and the
// program exits non-zero if any step did not behave as described.
using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using KeyPairAuth.AspNetCore;
using KeyPairAuth.Client;
using KeyPairAuth.Issuance;
using KeyPairAuth.Keys;
using Microsoft.AspNetCore.Authorization;

var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.ClearProviders();
builder.Services.AddKeyPairAuth();
builder.Services.AddAuthentication(KeyPairAuthenticationDefaults.AuthenticationScheme).AddKeyPair();
builder.Services.AddAuthorization(o => o.AddScopePolicy("orders:write"));

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapGet("/orders", (ClaimsPrincipal user, string? id) => $"order {id} for {user.Identity!.Name}").RequireAuthorization();
app.MapPost("/orders", async (HttpRequest request, ClaimsPrincipal user) =>
{
    using var reader = new StreamReader(request.Body, Encoding.UTF8);
    string body = await reader.ReadToEndAsync();
    return $"{user.Identity!.Name} created {body}";
}).RequireScope("orders:write");
await app.StartAsync();
string baseAddress = app.Urls.First();
Console.WriteLine($"Server listening on {baseAddress}");

int failures = 0;
void Check(string step, bool ok, string detail)
{
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {step}: {detail}");
    if (!ok)
    {
        failures++;
    }
}

static async Task<string> Describe(HttpResponseMessage response)
{
    string body = await response.Content.ReadAsStringAsync();
    if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
    {
        using JsonDocument problem = JsonDocument.Parse(body);
        return $"{(int)response.StatusCode} error={problem.RootElement.GetProperty("error").GetString()}";
    }

    return $"{(int)response.StatusCode} \"{body}\"";
}

// 1. Issue a key. The private key exists as a string exactly once: here, where a dashboard would show it.
IKeyPairIssuer issuer = app.Services.GetRequiredService<IKeyPairIssuer>();
using IssuedKeyPair issued = await issuer.IssueAsync(new KeyIssueRequest
{
    Owner = "alice",
    Name = "demo laptop",
    Scopes = ["orders:read", "orders:write"],
});
string secret = issued.Secret;
Console.WriteLine($"Issued {issued.KeyId}; secret {secret[..SigningKey.SecretPrefix.Length]}… ({secret.Length} chars, shown once)");
Console.WriteLine($"The server stores only the public key: {issued.Record.PublicKey.ExportBase64Url()}");

// 2. A signing HttpClient, configured the way an application would.
var services = new ServiceCollection();
services.AddHttpClient("api", c => c.BaseAddress = new Uri(baseAddress)).AddKeyPairSigning(secret);
#pragma warning disable ASP0000 // The client is a separate application that happens to share this process.
await using ServiceProvider clientServices = services.BuildServiceProvider();
#pragma warning restore ASP0000
HttpClient api = clientServices.GetRequiredService<IHttpClientFactory>().CreateClient("api");

using (HttpResponseMessage r = await api.GetAsync(new Uri("/orders?id=42", UriKind.Relative)))
{
    Check("signed GET", r.StatusCode == HttpStatusCode.OK, await Describe(r));
}

using (HttpResponseMessage r = await api.PostAsync(new Uri("/orders", UriKind.Relative), new StringContent("{\"sku\":\"kpa-1\"}", Encoding.UTF8, "application/json")))
{
    Check("signed POST with Content-Digest", r.StatusCode == HttpStatusCode.OK, await Describe(r));
}

// 3. What an attacker sees.
using var plain = new HttpClient { BaseAddress = new Uri(baseAddress) };
using (HttpResponseMessage r = await plain.GetAsync(new Uri("/orders?id=42", UriKind.Relative)))
{
    Check("unsigned GET is refused", r.StatusCode == HttpStatusCode.Unauthorized, await Describe(r));
}

using SigningKey key = SigningKey.Parse(secret);
var signer = new RequestSigner(key);
using var captured = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(baseAddress), "/orders?id=42"));
await signer.SignAsync(captured);

HttpRequestMessage Copy(string pathAndQuery)
{
    var copy = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(baseAddress), pathAndQuery));
    foreach (var header in captured.Headers)
    {
        copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
    }

    return copy;
}

using (HttpRequestMessage tampered = Copy("/orders?id=43"))
using (HttpResponseMessage r = await plain.SendAsync(tampered))
{
    Check("signature moved to another query is refused", r.StatusCode == HttpStatusCode.Unauthorized, await Describe(r));
}

using (HttpRequestMessage first = Copy("/orders?id=42"))
using (HttpResponseMessage r = await plain.SendAsync(first))
{
    Check("captured request, first delivery", r.StatusCode == HttpStatusCode.OK, await Describe(r));
}

using (HttpRequestMessage replay = Copy("/orders?id=42"))
using (HttpResponseMessage r = await plain.SendAsync(replay))
{
    Check("the same request replayed is refused", r.StatusCode == HttpStatusCode.Unauthorized, await Describe(r));
}

// 4. Revocation takes effect at once.
await issuer.RevokeAsync(issued.KeyId);
using (HttpResponseMessage r = await api.GetAsync(new Uri("/orders?id=42", UriKind.Relative)))
{
    Check("after revocation", r.StatusCode == HttpStatusCode.Unauthorized, await Describe(r));
}

await app.StopAsync();
Console.WriteLine(failures == 0 ? "Demo finished: every step behaved as described." : $"Demo finished with {failures} unexpected result(s).");
return failures == 0 ? 0 : 1;
