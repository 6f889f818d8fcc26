using KeyPairAuth.Client;
using KeyPairAuth.Client.Internal;
using KeyPairAuth.Keys;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds KeyPairAuth request signing to a named or typed <see cref="HttpClient"/>:
/// <c>services.AddHttpClient("api").AddKeyPairSigning(o =&gt; o.Secret = config["Api:Key"])</c>.
/// </summary>
public static class KeyPairHttpClientBuilderExtensions
{
    /// <summary>Signs the client's requests with the key and settings configured by <paramref name="configureOptions"/>.</summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="configureOptions">Configures the client's <see cref="KeyPairSigningOptions"/>.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// <para>
    /// The options are named after <see cref="IHttpClientBuilder.Name"/> and validated when the application starts.
    /// This method can be safely called multiple times: the signing handler is added once, the configurations accumulate.
    /// Add retry handlers before this call so every attempt is signed afresh.
    /// </para>
    /// <para>
    /// Redirects: automatic redirects are switched off on the client's primary handler (a <see cref="SocketsHttpHandler"/> or
    /// <see cref="HttpClientHandler"/>, whoever configured it), and the signing handler follows same-origin redirects
    /// itself, signing each hop afresh, up to <see cref="KeyPairSigningOptions.MaxAutomaticRedirections"/>. A redirect to
    /// another origin is returned to the caller unfollowed: a signed request, its digest and its body never leave the origin
    /// they were signed for. A custom primary handler must not follow redirects itself; if it does, the response is refused.
    /// </para>
    /// </remarks>
    public static IHttpClientBuilder AddKeyPairSigning(this IHttpClientBuilder builder, Action<KeyPairSigningOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configureOptions);

        AddSigningCore(builder).Configure(configureOptions);
        return builder;
    }

    /// <summary>Signs the client's requests with a one-line KeyPairAuth secret (it carries the key id).</summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="secret">The secret; validated at start-up.</param>
    /// <returns>The builder.</returns>
    public static IHttpClientBuilder AddKeyPairSigning(this IHttpClientBuilder builder, string secret)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(secret);

        return builder.AddKeyPairSigning(o => o.Secret = secret);
    }

    /// <summary>Signs the client's requests with a key id and a PKCS#8 PEM Ed25519 private key.</summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="keyId">The key id the server knows the public key by.</param>
    /// <param name="privateKeyPem">The private key (<c>-----BEGIN PRIVATE KEY-----</c>); validated at start-up.</param>
    /// <returns>The builder.</returns>
    public static IHttpClientBuilder AddKeyPairSigning(this IHttpClientBuilder builder, string keyId, string privateKeyPem)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(keyId);
        ArgumentNullException.ThrowIfNull(privateKeyPem);

        return builder.AddKeyPairSigning(o =>
        {
            o.KeyId = keyId;
            o.PrivateKeyPem = privateKeyPem;
        });
    }

    /// <summary>
    /// Signs the client's requests with settings bound from a configuration section, e.g. <c>{ "Secret": "…" }</c> or
    /// <c>{ "KeyId": "…", "PrivateKeyPem": "…" }</c>, plus any other <see cref="KeyPairSigningOptions"/> property.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="configuration">The configuration section.</param>
    /// <returns>The builder.</returns>
    public static IHttpClientBuilder AddKeyPairSigning(this IHttpClientBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);

        AddSigningCore(builder).Bind(configuration);
        return builder;
    }

    /// <summary>
    /// Signs the client's requests with a key supplied by the application, e.g. from a vault. The factory is called once
    /// (at start-up validation); the key stays owned by the application.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="keyFactory">Supplies the key.</param>
    /// <returns>The builder.</returns>
    public static IHttpClientBuilder AddKeyPairSigning(this IHttpClientBuilder builder, Func<IServiceProvider, SigningKey> keyFactory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(keyFactory);

        return builder.AddKeyPairSigning(o => o.KeyFactory = keyFactory);
    }

    private static OptionsBuilder<KeyPairSigningOptions> AddSigningCore(IHttpClientBuilder builder)
    {
        IServiceCollection services = builder.Services;
        string name = builder.Name;

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new KeyPairSigningRegistry(sp, sp.GetRequiredService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KeyPairSigningOptions>, KeyPairSigningOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHttpMessageHandlerBuilderFilter, KeyPairSigningPrimaryHandlerFilter>());

        bool registered = services.Any(d => d.ServiceType == typeof(KeyPairSigningRegistration)
            && d.ImplementationInstance is KeyPairSigningRegistration r && string.Equals(r.ClientName, name, StringComparison.Ordinal));
        if (!registered)
        {
            services.AddSingleton(new KeyPairSigningRegistration(name));
            builder.AddHttpMessageHandler(sp =>
            {
                KeyPairSigningRegistry registry = sp.GetRequiredService<KeyPairSigningRegistry>();
                IOptionsMonitor<KeyPairSigningOptions> monitor = sp.GetRequiredService<IOptionsMonitor<KeyPairSigningOptions>>();
                return new KeyPairSigningHandler(() => registry.GetSigner(name, monitor.Get(name)), () => monitor.Get(name).MaxAutomaticRedirections);
            });
        }

        return services.AddOptions<KeyPairSigningOptions>(name).ValidateOnStart();
    }
}
