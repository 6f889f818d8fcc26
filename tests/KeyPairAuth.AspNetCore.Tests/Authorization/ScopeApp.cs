using System.Security.Claims;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Stores;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyPairAuth.AspNetCore.Tests.Authorization;

/// <summary>
/// A real Kestrel app with controllers and minimal APIs whose scope policies (<c>scope:…</c>) are never registered with
/// <c>AddScopePolicy</c>: the policy provider must build them. <c>AddControllers</c> (which registers the default policy
/// provider) runs before <c>AddKeyPair</c>, as in most apps.
/// </summary>
internal sealed class ScopeApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ScopeApp(WebApplication app)
    {
        _app = app;
        BaseAddress = new Uri(app.Urls.First());
        Client = new HttpClient { BaseAddress = BaseAddress };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<ScopeApp> StartAsync(Action<IServiceCollection>? beforeKeyPair = null, Action<IServiceCollection>? afterKeyPair = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddControllers().AddApplicationPart(typeof(ScopedOrdersController).Assembly);
        beforeKeyPair?.Invoke(builder.Services);
        builder.Services.AddAuthentication(KeyPairAuthenticationDefaults.AuthenticationScheme).AddKeyPair();
        afterKeyPair?.Invoke(builder.Services);

        WebApplication app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapControllers();
        app.MapGet("/minimal/invoices", [Authorize(Policy = "scope:invoices:read")] (ClaimsPrincipal user) => Results.Text("invoices"));
        app.MapDelete("/minimal/invoices", (ClaimsPrincipal user) => Results.Text("deleted")).RequireAuthorization("scope:invoices:delete");
        app.MapPost("/minimal/both", (ClaimsPrincipal user) => Results.Text("both")).RequireScope("orders:write", "invoices:write");
        await app.StartAsync();
        return new ScopeApp(app);
    }

    public async Task<TestKey> AddKeyAsync(params string[] scopes)
    {
        var key = TestKey.Create();
        IPublicKeyStore store = Services.GetRequiredService<IPublicKeyStore>();
        Assert.Equal(PublicKeyAddResult.Added, await store.AddAsync(key.Record(scopes: scopes), maxActiveKeysPerOwner: 1000));
        return key;
    }

    public async Task<HttpResponseMessage> SendAsync(string method, string target, TestKey key)
    {
        OutgoingRequest request = method == "GET" || method == "DELETE"
            ? new OutgoingRequest(method, BaseAddress.Authority, target)
            : OutgoingRequest.Json(method, BaseAddress.Authority, target, "{}");
        using HttpRequestMessage message = TestApp.Sign(request, key).ToHttpRequestMessage(BaseAddress);
        return await Client.SendAsync(message);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A controller using a <c>scope:</c> policy that nobody registered.</summary>
[ApiController]
[Route("orders")]
public sealed class ScopedOrdersController : ControllerBase
{
    [HttpPost]
    [Authorize(Policy = "scope:orders:write")]
    public IActionResult Create() => Content("created");

    [HttpGet("{id}")]
    [Authorize(Policy = "scope:orders:read")]
    public IActionResult Get(string id) => Content("order " + id);
}
