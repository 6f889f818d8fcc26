namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures KeyPairAuth services; returned by <see cref="KeyPairAuthServiceCollectionExtensions.AddKeyPairAuth(IServiceCollection)"/>.</summary>
public sealed class KeyPairAuthBuilder
{
    /// <summary>Initializes a new instance of the <see cref="KeyPairAuthBuilder"/> class.</summary>
    /// <param name="services">The service collection.</param>
    public KeyPairAuthBuilder(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        Services = services;
    }

    /// <summary>Gets the service collection, for extension methods that add stores and caches.</summary>
    public IServiceCollection Services { get; }
}
