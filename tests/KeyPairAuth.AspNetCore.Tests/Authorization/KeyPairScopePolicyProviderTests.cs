using System.Net;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KeyPairAuth.AspNetCore.Tests.Authorization;

public sealed class KeyPairScopePolicyProviderTests
{
    private static KeyPairScopePolicyProvider Create(Action<AuthorizationOptions>? configure = null)
    {
        var options = new AuthorizationOptions();
        configure?.Invoke(options);
        return new KeyPairScopePolicyProvider(new DefaultAuthorizationPolicyProvider(Options.Create(options)));
    }

    [Fact]
    public async Task GetPolicyAsync_ScopeName_RequiresAuthenticatedUserAndTheScope_AndIsCached()
    {
        KeyPairScopePolicyProvider provider = Create();

        AuthorizationPolicy? policy = await provider.GetPolicyAsync("scope:orders:write");

        Assert.NotNull(policy);
        Assert.Contains(policy.Requirements, r => r is Microsoft.AspNetCore.Authorization.Infrastructure.DenyAnonymousAuthorizationRequirement);
        Assert.Equal("orders:write", Assert.Single(policy.Requirements.OfType<KeyPairScopeRequirement>()).Scope);
        Assert.Same(policy, await provider.GetPolicyAsync("scope:orders:write"));
    }

    [Fact]
    public async Task GetPolicyAsync_OtherNames_ComeFromTheFallbackOnly()
    {
        KeyPairScopePolicyProvider provider = Create(o => o.AddPolicy("admins", p => p.RequireRole("admin")));

        Assert.NotNull(await provider.GetPolicyAsync("admins"));
        Assert.Null(await provider.GetPolicyAsync("unknown"));
        Assert.Null(await provider.GetPolicyAsync("Scope:orders:write")); // the prefix is case-sensitive, like the policy names
    }

    [Theory]
    [InlineData("scope:")]
    [InlineData("scope:Orders:Write")]
    [InlineData("scope:orders write")]
    public async Task GetPolicyAsync_ScopeNameWithInvalidScope_ThrowsNamingThePolicy(string name)
    {
        KeyPairScopePolicyProvider provider = Create();

        InvalidOperationException ex = await Assert.ThrowsAsync<InvalidOperationException>(() => provider.GetPolicyAsync(name));

        Assert.Contains($"'{name}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("no key can hold", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddKeyPair_BeforeAndAfterAddAuthorization_RegistersOneProviderThatWrapsTheDefault()
    {
        foreach (bool authorizationFirst in new[] { true, false })
        {
            var services = new ServiceCollection();
            if (authorizationFirst)
            {
                services.AddAuthorization();
            }

            services.AddAuthentication().AddKeyPair().AddKeyPair("Second", _ => { });
            services.AddAuthorization();
            using ServiceProvider provider = services.BuildServiceProvider();

            Assert.Single(services, d => d.ServiceType == typeof(IAuthorizationPolicyProvider));
            Assert.IsType<KeyPairScopePolicyProvider>(provider.GetRequiredService<IAuthorizationPolicyProvider>());
        }
    }

    [Fact]
    public void AddKeyPair_AppsOwnProvider_IsNotReplaced()
    {
        var services = new ServiceCollection();
        services.AddAuthorization();
        services.AddSingleton<IAuthorizationPolicyProvider, AppPolicyProvider>();
        services.AddAuthentication().AddKeyPair();
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.IsType<AppPolicyProvider>(provider.GetRequiredService<IAuthorizationPolicyProvider>());
    }

    [Fact]
    public async Task AppsOwnProvider_WrappedByKeyPairScopePolicyProvider_ServesBoth_OnRealKestrel()
    {
        await using ScopeApp app = await ScopeApp.StartAsync(beforeKeyPair: services =>
            services.AddSingleton<IAuthorizationPolicyProvider>(sp =>
                new KeyPairScopePolicyProvider(new AppPolicyProvider(sp.GetRequiredService<IOptions<AuthorizationOptions>>()))));
        TestKey key = await app.AddKeyAsync("orders:write");

        using HttpResponseMessage response = await app.SendAsync("POST", "/orders", key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.IsType<KeyPairScopePolicyProvider>(app.Services.GetRequiredService<IAuthorizationPolicyProvider>());
    }

    /// <summary>An application's own provider: the default one plus policies it makes up.</summary>
    private sealed class AppPolicyProvider(IOptions<AuthorizationOptions> options) : DefaultAuthorizationPolicyProvider(options);
}
