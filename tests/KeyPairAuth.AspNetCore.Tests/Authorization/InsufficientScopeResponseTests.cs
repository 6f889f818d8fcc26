using System.Net;
using System.Text.Json;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace KeyPairAuth.AspNetCore.Tests.Authorization;

/// <summary>A 403 for a missing scope names the scope, in the problem body and in <c>WWW-Authenticate</c> as RFC 6750 §3 does.</summary>
public sealed class InsufficientScopeResponseTests : IAsyncLifetime
{
    private ScopeApp _app = null!;

    public async Task InitializeAsync() => _app = await ScopeApp.StartAsync(afterKeyPair: services => services.AddAuthorization(o => o.AddScopePolicy("orders:write")));

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task MissingScope_403BodyAndWwwAuthenticateNameTheScope()
    {
        TestKey key = await _app.AddKeyAsync("orders:read");

        using HttpResponseMessage response = await _app.SendAsync("POST", "/orders", key);

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "scope_missing");
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("orders:write", body.RootElement.GetProperty("scope").GetString());
        Assert.Equal("KeyPair error=\"insufficient_scope\", scope=\"orders:write\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Fact]
    public async Task TwoMissingScopes_AreBothNamed_SpaceSeparated()
    {
        TestKey key = await _app.AddKeyAsync("orders:read");

        using HttpResponseMessage response = await _app.SendAsync("POST", "/minimal/both", key);

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "scope_missing");
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("orders:write invoices:write", body.RootElement.GetProperty("scope").GetString());
        Assert.Equal("KeyPair error=\"insufficient_scope\", scope=\"orders:write invoices:write\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Fact]
    public async Task OneOfTwoScopesHeld_OnlyTheMissingOneIsNamed()
    {
        TestKey key = await _app.AddKeyAsync("invoices:write");

        using HttpResponseMessage response = await _app.SendAsync("POST", "/minimal/both", key);

        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("orders:write", body.RootElement.GetProperty("scope").GetString());
        Assert.Equal("KeyPair error=\"insufficient_scope\", scope=\"orders:write\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Fact]
    public async Task ScopeHeld_NoInsufficientScopeChallenge()
    {
        TestKey key = await _app.AddKeyAsync("orders:write");

        using HttpResponseMessage response = await _app.SendAsync("POST", "/orders", key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Headers.WwwAuthenticate);
    }
}
