using System.Net;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;

namespace KeyPairAuth.AspNetCore.Tests;

public sealed class AuthorizationTests(DefaultAppFixture fixture) : IClassFixture<DefaultAppFixture>
{
    private TestApp App => fixture.App;

    [Fact]
    public async Task RequireScope_KeyHoldsScope_Succeeds()
    {
        TestKey key = await App.AddKeyAsync(scopes: ["orders:write"]);

        using HttpResponseMessage response = await App.SendAsync(TestApp.Sign(App.PostJson("/orders/write", "{}"), key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task RequireScope_KeyLacksScope_Returns403ScopeMissing()
    {
        TestKey key = await App.AddKeyAsync(scopes: ["orders:read"]);

        using HttpResponseMessage response = await App.SendAsync(TestApp.Sign(App.PostJson("/orders/write", "{}"), key));

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "scope_missing");
    }

    [Fact]
    public async Task RequireScope_NoSignature_Returns401NotScopeMissing()
    {
        using HttpResponseMessage response = await App.SendAsync(App.PostJson("/orders/write", "{}"));

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "missing_signature");
    }

    [Fact]
    public async Task RequireScope_BadSignature_Returns401NotScopeMissing()
    {
        OutgoingRequest request = TestApp.Sign(App.PostJson("/orders/write", "{}"), TestKey.Create());

        using HttpResponseMessage response = await App.SendAsync(request);

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "invalid_signature");
    }

    [Fact]
    public async Task AuthorizeAttributeScopePolicy_KeyHoldsScope_Succeeds()
    {
        TestKey key = await App.AddKeyAsync(scopes: ["orders:read"]);

        using HttpResponseMessage response = await App.SendAsync(TestApp.Sign(App.Get("/orders/read"), key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AuthorizeAttributeScopePolicy_KeyLacksScope_Returns403ScopeMissing()
    {
        TestKey key = await App.AddKeyAsync(scopes: ["billing:read"]);

        using HttpResponseMessage response = await App.SendAsync(TestApp.Sign(App.Get("/orders/read"), key));

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "scope_missing");
    }
}
