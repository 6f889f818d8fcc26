using KeyPairAuth.EntityFrameworkCore;
using KeyPairAuth.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Entity Framework Core key store.</summary>
public static class KeyPairAuthEntityFrameworkCoreBuilderExtensions
{
    /// <summary>
    /// Stores keys in the application's <typeparamref name="TContext"/>, replacing any other
    /// <see cref="IPublicKeyStore"/>. The store is scoped, like the context (register the context itself with
    /// <c>AddDbContext</c>); its model must include <c>modelBuilder.AddKeyPairAuth()</c>. Safe to call more than once.
    /// </summary>
    /// <typeparam name="TContext">The application's context.</typeparam>
    /// <param name="builder">The KeyPairAuth builder.</param>
    /// <returns>The same builder.</returns>
    public static KeyPairAuthBuilder AddEntityFrameworkCoreStore<TContext>(this KeyPairAuthBuilder builder)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);

        // Replaces the in-memory default; scoped because TContext is (the key cache opens a scope per store call).
        return builder.AddPublicKeyStore<EntityFrameworkCorePublicKeyStore<TContext>>(ServiceLifetime.Scoped);
    }
}
