using Microsoft.Extensions.DependencyInjection;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>What <c>AddKeyPair</c> registers so the scheme fits an ASP.NET Core app without further calls.</summary>
internal static class KeyPairSchemeServices
{
    public static void Add(IServiceCollection services)
    {
        // [Authorize(Policy = "scope:orders:write")] without a per-scope AddScopePolicy.
        KeyPairScopePolicyProvider.TryRegister(services);
    }
}
