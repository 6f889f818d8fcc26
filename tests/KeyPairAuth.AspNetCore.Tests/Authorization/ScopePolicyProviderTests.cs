using System.Net;
using System.Text.Json;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KeyPairAuth.AspNetCore.Tests.Authorization;

/// <summary><c>[Authorize(Policy = "scope:…")]</c> works on controllers and minimal APIs with no <c>AddScopePolicy</c> call.</summary>
public sealed class ScopePolicyProviderTests : IAsyncLifetime
{
    private ScopeApp _app = null!;

    public async Task InitializeAsync() => _app = await ScopeApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Controller_UnregisteredScopePolicy_KeyHoldsScope_Returns200()
    {
        TestKey key = await _app.AddKeyAsync("orders:write");

        using HttpResponseMessage response = await _app.SendAsync("POST", "/orders", key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("created", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Controller_UnregisteredScopePolicy_KeyLacksScope_Returns403ScopeMissing()
    {
        TestKey key = await _app.AddKeyAsync("orders:write");

        using HttpResponseMessage response = await _app.SendAsync("GET", "/orders/7", key);

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "scope_missing");
    }

    [Fact]
    public async Task MinimalApi_UnregisteredScopePolicyAttribute_KeyHoldsScope_Returns200()
    {
        TestKey key = await _app.AddKeyAsync("invoices:read");

        using HttpResponseMessage response = await _app.SendAsync("GET", "/minimal/invoices", key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task MinimalApi_UnregisteredScopePolicyAttribute_KeyLacksScope_Returns403ScopeMissing()
    {
        TestKey key = await _app.AddKeyAsync("orders:read");

        using HttpResponseMessage response = await _app.SendAsync("GET", "/minimal/invoices", key);

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "scope_missing");
    }

    [Fact]
    public async Task MinimalApi_RequireAuthorizationWithScopePolicyName_Returns200Or403()
    {
        TestKey holder = await _app.AddKeyAsync("invoices:delete");
        TestKey other = await _app.AddKeyAsync("invoices:read");

        using HttpResponseMessage allowed = await _app.SendAsync("DELETE", "/minimal/invoices", holder);
        using HttpResponseMessage refused = await _app.SendAsync("DELETE", "/minimal/invoices", other);

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        await Problem.AssertAsync(refused, HttpStatusCode.Forbidden, "scope_missing");
    }

    [Fact]
    public async Task UnregisteredScopePolicy_NoSignature_Returns401NotServerError()
    {
        using HttpResponseMessage response = await _app.Client.PostAsync(new Uri("/orders", UriKind.Relative), new StringContent("{}"));

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "missing_signature");
    }

    [Fact]
    public async Task PolicyTheAppRegisteredUnderAScopeName_WinsOverTheBuiltOne()
    {
        await using ScopeApp app = await ScopeApp.StartAsync(afterKeyPair: services => services.AddAuthorization(o =>
            o.AddPolicy("scope:orders:write", p => p.RequireClaim("department", "sales"))));
        TestKey key = await app.AddKeyAsync("orders:write");

        using HttpResponseMessage response = await app.SendAsync("POST", "/orders", key);

        // The app's own policy asks for a claim no key has; the scope alone must not let the caller in.
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task AuthorizationAddedAfterAddKeyPair_ScopePoliciesStillResolve()
    {
        await using ScopeApp app = await ScopeApp.StartAsync(afterKeyPair: services => services.AddAuthorization());
        TestKey key = await app.AddKeyAsync("orders:read");

        using HttpResponseMessage response = await app.SendAsync("GET", "/orders/1", key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
