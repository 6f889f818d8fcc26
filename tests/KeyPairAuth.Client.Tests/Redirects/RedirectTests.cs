using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Text;
using KeyPairAuth.AspNetCore;
using KeyPairAuth.Keys;
using KeyPairAuth.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyPairAuth.Client.Tests.Redirects;

/// <summary>
/// Redirects against real Kestrel servers on loopback: the API (the KeyPair scheme) and another origin (another port).
/// A signed request must never reach another origin, and a same-origin hop must be signed afresh for its own target.
/// </summary>
/// <remarks>
/// The redirecting endpoints are anonymous, the worst case: a redirect answered before authentication (an anonymous
/// endpoint, a gateway, HTTPS redirection) leaves the nonce unused, so a leaked signature could be replayed once.
/// </remarks>
public sealed class RedirectTests : IAsyncLifetime
{
    private const string Payload = """{"secret":"payload"}""";

    private WebApplication _api = null!;
    private WebApplication _other = null!;
    private ServiceProvider _clients = null!;
    private Uri _apiAddress = null!;
    private Uri _otherAddress = null!;

    /// <summary>What the API received, in order, before authentication ran.</summary>
    private readonly ConcurrentQueue<Received> _apiReceived = new();

    /// <summary>What the other origin received.</summary>
    private readonly ConcurrentQueue<Received> _otherReceived = new();

    private sealed record Received(string Method, string Path, Dictionary<string, string> Headers, string Body)
    {
        public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;

        public string Nonce => System.Text.RegularExpressions.Regex.Match(Header("Signature-Input") ?? "", "nonce=\"([^\"]*)\"").Groups[1].Value;

        public override string ToString() =>
            $"{Method} {Path} [{string.Join("; ", Headers.Where(h => h.Key.StartsWith("Signature", StringComparison.OrdinalIgnoreCase) || h.Key.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)).Select(h => $"{h.Key}: {h.Value}"))}] body={Body}";
    }

    public async Task InitializeAsync()
    {
        // The other origin: any host a redirect can point at (a CDN, storage, a compromised or attacker-owned host).
        WebApplicationBuilder otherBuilder = WebApplication.CreateSlimBuilder();
        otherBuilder.Logging.ClearProviders();
        otherBuilder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _other = otherBuilder.Build();
        _other.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            string body = await reader.ReadToEndAsync();
            _otherReceived.Enqueue(new Received(context.Request.Method, context.Request.Path, Headers(context.Request), body));
            context.Response.StatusCode = 200;
        });
        await _other.StartAsync();
        _otherAddress = new Uri(_other.Urls.First());

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Services.AddKeyPairAuth();
        builder.Services.AddAuthentication(KeyPairAuthenticationDefaults.AuthenticationScheme).AddKeyPair(o => o.IncludeErrorDetails = true);
        builder.Services.AddAuthorization();
        _api = builder.Build();
        _api.Use(async (context, next) =>
        {
            _apiReceived.Enqueue(new Received(context.Request.Method, context.Request.Path + context.Request.QueryString, Headers(context.Request), ""));
            await next(context);
        });
        _api.UseAuthentication();
        _api.UseAuthorization();

        // A 307 to another origin (e.g. "upload goes to storage", a moved API, an open redirect).
        _api.MapPost("/files", () => Results.Redirect(new Uri(_otherAddress, "/upload").ToString(), permanent: false, preserveMethod: true)).AllowAnonymous();

        // A same-origin 307 (a renamed route).
        _api.MapPost("/v1/orders", () => Results.Redirect("/v2/orders", permanent: false, preserveMethod: true)).AllowAnonymous();
        _api.MapPost("/v2/orders", async (ClaimsPrincipal user, HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            return $"{user.FindFirstValue(ClaimTypes.NameIdentifier)} {await reader.ReadToEndAsync()}";
        }).RequireAuthorization();

        // Every redirect status, to this origin (relative Location) or to the other one (absolute Location).
        _api.MapMethods("/redirect/{status:int}/{where}", ["GET", "POST", "PUT"], (int status, string where, HttpContext context) =>
        {
            context.Response.StatusCode = status;
            context.Response.Headers.Location = where == "same" ? "/landed?from=" + status : new Uri(_otherAddress, "/landed").ToString();
        }).AllowAnonymous();
        _api.MapMethods("/landed", ["GET", "POST", "PUT"], async (ClaimsPrincipal user, HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            string body = await reader.ReadToEndAsync();
            return $"{request.Method} {body.Length} {user.FindFirstValue(ClaimTypes.NameIdentifier)}";
        }).RequireAuthorization();
        _api.MapGet("/loop", (HttpContext context) =>
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = "/loop";
        }).AllowAnonymous();

        await _api.StartAsync();
        _apiAddress = new Uri(_api.Urls.First());

        using SigningKey key = SigningKey.Generate();
        IPublicKeyStore store = _api.Services.GetRequiredService<IPublicKeyStore>();
        await store.AddAsync(new PublicKeyRecord
        {
            KeyId = key.KeyId, Owner = "alice", Name = "k", PublicKey = key.PublicKey, CreatedAt = TimeProvider.System.GetUtcNow().AddMinutes(-1),
        }, 10);

        var services = new ServiceCollection();
        string secret = key.ExportSecret();

        // The factory's default primary handler.
        services.AddHttpClient("api", c => c.BaseAddress = _apiAddress).AddKeyPairSigning(secret);

        // The application supplies its own primary handler, after AddKeyPairSigning, with AllowAutoRedirect left on.
        services.AddHttpClient("own-handler", c => c.BaseAddress = _apiAddress).AddKeyPairSigning(secret)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = true, UseProxy = false });
        _clients = services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _clients.DisposeAsync();
        await _api.StopAsync();
        await _api.DisposeAsync();
        await _other.StopAsync();
        await _other.DisposeAsync();
    }

    private static Dictionary<string, string> Headers(HttpRequest request) =>
        request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);

    private HttpClient Client(string name = "api") => _clients.GetRequiredService<IHttpClientFactory>().CreateClient(name);

    private string OtherOriginReceived() => string.Join("\n", _otherReceived.Select(r => r.ToString()));

    [Fact]
    public async Task Post_CrossOriginRedirect_SignatureDigestAndBodyNeverReachTheOtherOrigin()
    {
        HttpResponseMessage response = await Client().PostAsync(new Uri("files", UriKind.Relative), new StringContent(Payload, Encoding.UTF8, "application/json"));

        // A signature made for the API (its authority, path, body digest and a fresh, possibly unconsumed nonce) never
        // reaches another origin, as HttpClient itself strips Authorization on cross-origin redirects. The SDK goes
        // further: it does not follow the redirect at all and hands the 307 to the caller.
        Assert.False(_otherReceived.Any(r => r.Headers.ContainsKey("Signature") || r.Headers.ContainsKey("Signature-Input")), $"Leaked to {_otherAddress}: {OtherOriginReceived()}");
        Assert.False(_otherReceived.Any(r => r.Headers.ContainsKey("Content-Digest") || r.Body.Length > 0), $"Leaked to {_otherAddress}: {OtherOriginReceived()}");
        Assert.Empty(_otherReceived);
        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(new Uri(_otherAddress, "/upload"), response.Headers.Location);
    }

    [Fact]
    public async Task Post_SameOriginRedirect_RedirectedRequestIsSignedForItsOwnTarget()
    {
        HttpResponseMessage response = await Client().PostAsync(new Uri("v1/orders", UriKind.Relative), new StringContent("""{"item":"widget"}""", Encoding.UTF8, "application/json"));
        string text = await response.Content.ReadAsStringAsync();

        // Either the redirect is surfaced to the caller (3xx) or the new request is signed for /v2/orders (200); the SDK
        // follows it, re-signed. Before the fix the stale signature for /v1/orders was re-sent to /v2/orders and refused.
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.TemporaryRedirect, $"{(int)response.StatusCode} {response.Headers.WwwAuthenticate} {text}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""alice {"item":"widget"}""", text);
    }

    public static TheoryData<int, string> StatusesAndMethods()
    {
        var data = new TheoryData<int, string>();
        foreach (int status in (int[])[301, 302, 303, 307, 308])
        {
            foreach (string method in (string[])["GET", "POST", "PUT"])
            {
                data.Add(status, method);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(StatusesAndMethods))]
    public async Task SendAsync_CrossOriginRedirect_ReturnedToTheCallerUnfollowed(int status, string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri($"redirect/{status}/cross", UriKind.Relative))
        {
            Content = method == "GET" ? null : new StringContent(Payload),
        };

        HttpResponseMessage response = await Client().SendAsync(request);

        Assert.True(_otherReceived.IsEmpty, $"{status} {method} reached {_otherAddress}: {OtherOriginReceived()}");
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(new Uri(_otherAddress, "/landed"), response.Headers.Location);
        Assert.Single(_apiReceived);
    }

    [Theory]
    [InlineData(302, "GET")]
    [InlineData(307, "POST")]
    [InlineData(308, "PUT")]
    public async Task SendAsync_CrossOriginRedirect_AppSuppliedAutoRedirectingHandler_StillNotFollowed(int status, string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri($"redirect/{status}/cross", UriKind.Relative))
        {
            Content = method == "GET" ? null : new StringContent(Payload),
        };

        HttpResponseMessage response = await Client("own-handler").SendAsync(request);

        Assert.True(_otherReceived.IsEmpty, $"{status} {method} reached {_otherAddress}: {OtherOriginReceived()}");
        Assert.Equal(status, (int)response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(StatusesAndMethods))]
    public async Task SendAsync_SameOriginRedirect_FollowedAndReSignedWithAFreshNonce(int status, string method)
    {
        // As browsers and SocketsHttpHandler do: 303 turns anything but GET/HEAD into GET, 301/302 turn POST into GET;
        // 307/308 keep the method and the body.
        bool becomesGet = method != "GET" && (status == 303 || (method == "POST" && status is 301 or 302));
        string expectedMethod = becomesGet ? "GET" : method;
        int expectedBody = method != "GET" && !becomesGet ? Encoding.UTF8.GetByteCount(Payload) : 0;
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri($"redirect/{status}/same", UriKind.Relative))
        {
            Content = method == "GET" ? null : new StringContent(Payload),
        };

        HttpResponseMessage response = await Client().SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();

        // /landed requires authentication: a 200 means the second hop's signature verified for its own target.
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {response.Headers.WwwAuthenticate} {text}");
        Assert.Equal($"{expectedMethod} {expectedBody} alice", text);
        Received[] hops = [.. _apiReceived];
        Assert.Equal(2, hops.Length);
        Assert.Equal($"/redirect/{status}/same", hops[0].Path);
        Assert.Equal($"/landed?from={status}", hops[1].Path);
        Assert.Equal(expectedMethod, hops[1].Method);
        Assert.All(hops, h => Assert.False(string.IsNullOrEmpty(h.Nonce), h.ToString()));
        Assert.NotEqual(hops[0].Nonce, hops[1].Nonce);
        Assert.Equal(expectedBody > 0, hops[1].Header("Signature-Input")!.Contains("\"content-digest\"", StringComparison.Ordinal));
        Assert.Equal(expectedBody > 0, hops[1].Header("Content-Digest") is not null);
        Assert.Equal(request.RequestUri, new Uri(_apiAddress, $"/landed?from={status}"));
        Assert.Empty(_otherReceived);
    }

    [Fact]
    public async Task SendAsync_RedirectLoop_StopsAfterTheHopLimitAndReturnsTheLastRedirect()
    {
        HttpResponseMessage response = await Client().GetAsync(new Uri("loop", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(1 + 10, _apiReceived.Count);
        Assert.Equal(_apiReceived.Count, _apiReceived.Select(r => r.Nonce).Distinct().Count());
    }
}
