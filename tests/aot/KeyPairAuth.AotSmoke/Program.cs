// NativeAOT smoke test: a published native server verifies a request signed by the client package and refuses a
// tampered one. Exit code 0 when both hold, 1 otherwise. Run by eng/aot-smoke.sh.
using System.Net;
using System.Text;
using KeyPairAuth.AspNetCore;
using KeyPairAuth.Client;
using KeyPairAuth.Issuance;
using KeyPairAuth.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddKeyPairAuth().UseInMemoryStores();
builder.Services.AddAuthentication(KeyPairAuthenticationDefaults.AuthenticationScheme).AddKeyPair();
builder.Services.AddAuthorization();

WebApplication app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapPost("/orders", async (HttpContext http) =>
{
    using var reader = new StreamReader(http.Request.Body);
    return Results.Text("ok " + await reader.ReadToEndAsync());
}).RequireAuthorization();
await app.StartAsync();
string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();

using SigningKey key = SigningKey.Generate();
await app.Services.GetRequiredService<IKeyPairIssuer>().RegisterAsync(new KeyRegistrationRequest { Owner = "smoke", Name = "aot", PublicKey = key.PublicKey });
var signer = new RequestSigner(key);
using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(address) };

using var good = new HttpRequestMessage(HttpMethod.Post, new Uri(client.BaseAddress, "/orders")) { Content = new StringContent("{\"qty\":1}", Encoding.UTF8, "application/json") };
await signer.SignAsync(good);
using HttpResponseMessage goodResponse = await client.SendAsync(good);

using var tampered = new HttpRequestMessage(HttpMethod.Post, new Uri(client.BaseAddress, "/orders")) { Content = new StringContent("{\"qty\":1}", Encoding.UTF8, "application/json") };
await signer.SignAsync(tampered);
tampered.Content = new StringContent("{\"qty\":9}", Encoding.UTF8, "application/json");
using HttpResponseMessage tamperedResponse = await client.SendAsync(tampered);
string challenge = tamperedResponse.Headers.WwwAuthenticate.ToString();

await app.StopAsync();
bool ok = goodResponse.StatusCode == HttpStatusCode.OK
    && tamperedResponse.StatusCode == HttpStatusCode.Unauthorized
    && challenge.Contains("digest_mismatch", StringComparison.Ordinal);
Console.WriteLine($"signed: {(int)goodResponse.StatusCode}; tampered: {(int)tamperedResponse.StatusCode} {challenge}; {(ok ? "PASS" : "FAIL")}");
return ok ? 0 : 1;
