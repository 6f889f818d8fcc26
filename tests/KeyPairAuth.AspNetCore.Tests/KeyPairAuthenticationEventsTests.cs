using System.Net;
using System.Security.Claims;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;

namespace KeyPairAuth.AspNetCore.Tests;

/// <summary>The events run when replaced or derived (the handler skips building their contexts only for the no-op defaults).</summary>
public sealed class KeyPairAuthenticationEventsTests
{
    [Fact]
    public async Task Get_OnMessageReceivedFails_RequestIsRefusedBeforeVerification()
    {
        int calls = 0;
        await using TestApp app = await TestApp.StartAsync(o => o.Events.OnMessageReceived = context =>
        {
            calls++;
            context.Fail("refused by the application");
            return Task.CompletedTask;
        });
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/orders"), key));

        Assert.Equal(1, calls);
        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "rejected_by_application");
    }

    [Fact]
    public async Task Get_OnSignatureValidatedAddsClaim_AppSeesItWithTheKeyClaims()
    {
        await using TestApp app = await TestApp.StartAsync(o => o.Events.OnSignatureValidated = context =>
        {
            ((ClaimsIdentity)context.Principal!.Identity!).AddClaim(new Claim(ClaimTypes.Name, "from-event"));
            return Task.CompletedTask;
        });
        TestKey key = await app.AddKeyAsync("alice", ["orders:read"]);

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/orders"), key));

        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"owner=alice|name=alice|keyid={key.KeyId}|keyname=test key|scopes=orders:read|", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_OnSignatureValidatedClearsPrincipal_RequestIsRefused()
    {
        await using TestApp app = await TestApp.StartAsync(o => o.Events.OnSignatureValidated = context =>
        {
            context.Principal = null;
            return Task.CompletedTask;
        });
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/orders"), key));

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "rejected_by_application");
    }

    [Fact]
    public async Task Get_DerivedEventsOverridingSignatureValidated_OverrideRuns()
    {
        var events = new CountingEvents();
        await using TestApp app = await TestApp.StartAsync(o => o.Events = events);
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/orders"), key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, events.MessagesReceived);
        Assert.Equal(1, events.SignaturesValidated);
    }

    [Fact]
    public async Task Get_DefaultEvents_PrincipalHasOneIdentityWithEachClaimOnce()
    {
        await using TestApp app = await TestApp.StartAsync();
        TestKey key = await app.AddKeyAsync("bob", ["a", "b"]);

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/orders"), key));

        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"owner=bob|name=bob|keyid={key.KeyId}|keyname=test key|scopes=a,b|scheme=KeyPair", body, StringComparison.Ordinal);
    }

    private sealed class CountingEvents : KeyPairAuthenticationEvents
    {
        public int MessagesReceived { get; private set; }

        public int SignaturesValidated { get; private set; }

        public override Task MessageReceived(KeyPairMessageReceivedContext context)
        {
            MessagesReceived++;
            return base.MessageReceived(context);
        }

        public override Task SignatureValidated(KeyPairSignatureValidatedContext context)
        {
            SignaturesValidated++;
            Assert.Same(context.Principal!.Identity, context.Principal.Identities.Single());
            return base.SignatureValidated(context);
        }
    }
}
