using System.Net;
using System.Text.Json;
using KeyPairAuth.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyPairAuth.AspNetCore.OpenApi.Tests;

/// <summary>The document a real Kestrel app serves at /openapi/v1.json, read as JSON.</summary>
public sealed class OpenApiDocumentTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private JsonElement _document;

    public async Task InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddKeyPairAuth().UseInMemoryStores();
        builder.Services.AddAuthentication(KeyPairAuthenticationDefaults.AuthenticationScheme)
            .AddKeyPair()
            .AddScheme<AuthenticationSchemeOptions, NeverAuthenticates>("Other", null);
        builder.Services.AddAuthorization();
        builder.Services.AddOpenApi(o => o.AddKeyPairSecurityScheme().AddKeyPairSecurityScheme());

        _app = builder.Build();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapOpenApi();
        _app.MapGet("/orders", () => "orders").RequireAuthorization();
        _app.MapPost("/orders", () => "created").RequireScope("orders:write");
        _app.MapGet("/orders/{id}", [Authorize(Policy = "scope:orders:read")] (int id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _app.MapGet("/health", () => "ok");
        _app.MapGet("/open", [AllowAnonymous] () => "open").RequireAuthorization();
        _app.MapGet("/other", [Authorize(AuthenticationSchemes = "Other")] () => "other");
        await _app.StartAsync();

        string address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        using HttpResponseMessage response = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        _document = json.RootElement.Clone();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public void Document_SecurityScheme_DescribesSignaturesAndLinksTheProtocol()
    {
        JsonElement scheme = _document.GetProperty("components").GetProperty("securitySchemes").GetProperty("KeyPair");

        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("header", scheme.GetProperty("in").GetString());
        Assert.Equal("Signature", scheme.GetProperty("name").GetString());
        string description = scheme.GetProperty("description").GetString()!;
        foreach (string expected in (string[])["RFC 9421", "Signature-Input", "@method", "@authority", "@path", "@query", "content-digest", "Content-Digest", "created", "keyid", "nonce", "alg=\\\"ed25519\\\"".Replace("\\", string.Empty, StringComparison.Ordinal), "docs/protocol.md"])
        {
            Assert.Contains(expected, description, StringComparison.Ordinal);
        }

        Assert.Single(_document.GetProperty("components").GetProperty("securitySchemes").EnumerateObject());
    }

    [Theory]
    [InlineData("/orders", "get")]
    [InlineData("/orders", "post")]
    [InlineData("/orders/{id}", "get")]
    public void Document_ProtectedOperation_RequiresKeyPairWithProblemResponses(string path, string method)
    {
        JsonElement operation = Operation(path, method);

        JsonElement requirement = Assert.Single(operation.GetProperty("security").EnumerateArray());
        JsonProperty scheme = Assert.Single(requirement.EnumerateObject());
        Assert.Equal("KeyPair", scheme.Name);
        JsonElement responses = operation.GetProperty("responses");
        Assert.True(responses.TryGetProperty("200", out _));
        foreach (string status in (string[])["401", "403"])
        {
            JsonElement response = responses.GetProperty(status);
            Assert.True(response.GetProperty("content").TryGetProperty("application/problem+json", out JsonElement media), status);
            Assert.True(media.GetProperty("schema").GetProperty("properties").TryGetProperty("error", out _));
        }

        Assert.Contains("insufficient_scope", responses.GetProperty("403").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/open")]
    [InlineData("/other")]
    public void Document_OperationNotProtectedByKeyPair_HasNoRequirementOrProblemResponses(string path)
    {
        JsonElement operation = Operation(path, "get");

        Assert.False(operation.TryGetProperty("security", out _));
        Assert.False(operation.GetProperty("responses").TryGetProperty("401", out _));
    }

    private JsonElement Operation(string path, string method) => _document.GetProperty("paths").GetProperty(path).GetProperty(method);

    private sealed class NeverAuthenticates(
        Microsoft.Extensions.Options.IOptionsMonitor<AuthenticationSchemeOptions> options,
        ILoggerFactory logger,
        System.Text.Encodings.Web.UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());
    }
}
