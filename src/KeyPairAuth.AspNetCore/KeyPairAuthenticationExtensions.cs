using KeyPairAuth.AspNetCore;
using KeyPairAuth.AspNetCore.Internal;
using KeyPairAuth.Replay;
using KeyPairAuth.Stores;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the KeyPair authentication scheme: <c>services.AddAuthentication().AddKeyPair()</c>.</summary>
public static class KeyPairAuthenticationExtensions
{
    /// <summary>Adds the KeyPair scheme under <see cref="KeyPairAuthenticationDefaults.AuthenticationScheme"/> with default options.</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <returns>The builder.</returns>
    public static AuthenticationBuilder AddKeyPair(this AuthenticationBuilder builder) =>
        builder.AddKeyPair(KeyPairAuthenticationDefaults.AuthenticationScheme, displayName: null, configureOptions: null);

    /// <summary>Adds the KeyPair scheme under <paramref name="authenticationScheme"/> with default options.</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="authenticationScheme">The scheme name.</param>
    /// <returns>The builder.</returns>
    public static AuthenticationBuilder AddKeyPair(this AuthenticationBuilder builder, string authenticationScheme) =>
        builder.AddKeyPair(authenticationScheme, displayName: null, configureOptions: null);

    /// <summary>Adds the KeyPair scheme under <see cref="KeyPairAuthenticationDefaults.AuthenticationScheme"/>.</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="configureOptions">Configures the options.</param>
    /// <returns>The builder.</returns>
    public static AuthenticationBuilder AddKeyPair(this AuthenticationBuilder builder, Action<KeyPairAuthenticationOptions> configureOptions) =>
        builder.AddKeyPair(KeyPairAuthenticationDefaults.AuthenticationScheme, displayName: null, configureOptions);

    /// <summary>Adds the KeyPair scheme under <paramref name="authenticationScheme"/>.</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="authenticationScheme">The scheme name.</param>
    /// <param name="configureOptions">Configures the options.</param>
    /// <returns>The builder.</returns>
    public static AuthenticationBuilder AddKeyPair(this AuthenticationBuilder builder, string authenticationScheme, Action<KeyPairAuthenticationOptions> configureOptions) =>
        builder.AddKeyPair(authenticationScheme, displayName: null, configureOptions);

    /// <summary>
    /// Adds the KeyPair scheme: verifies RFC 9421 signatures and <c>Content-Digest</c> against the keys in the
    /// <c>IPublicKeyStore</c> registered by <c>services.AddKeyPairAuth()</c>. Options are validated at start-up.
    /// </summary>
    /// <remarks>
    /// Works alone: without <c>services.AddKeyPairAuth()</c> and a chosen store and replay cache, it falls back to the
    /// in-memory ones and, outside the Development environment, logs one warning at start-up that keys are lost on
    /// restart and replay protection is per instance. Call <c>services.AddKeyPairAuth().UseInMemoryStores()</c> to
    /// choose them on purpose. This method can be safely called multiple times (with different scheme names).
    /// </remarks>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="authenticationScheme">The scheme name.</param>
    /// <param name="displayName">The display name, or <see langword="null"/>.</param>
    /// <param name="configureOptions">Configures the options, or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static AuthenticationBuilder AddKeyPair(this AuthenticationBuilder builder, string authenticationScheme, string? displayName, Action<KeyPairAuthenticationOptions>? configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(authenticationScheme);

        IServiceCollection services = builder.Services;

        // The core services: TimeProvider, the in-memory key store and replay cache unless others are registered
        // (warned about at start-up outside Development), the key cache and the issuer.
        services.AddKeyPairAuth();

        services.AddMetrics();
        services.TryAddSingleton<KeyPairAuthenticationMetrics>();
        services.TryAddSingleton<KeyPairVerifierFactory>();
        services.TryAddSingleton<LastUsedRecorder>();
        services.AddHostedService<LastUsedRecorderService>();
        services.AddHostedService<InMemoryFallbackWarning>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KeyPairAuthenticationOptions>, KeyPairAuthenticationOptionsValidator>());

        // Refuses, wherever authorization runs, a request rewritten after a KeyPair scheme authenticated it.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, KeyPairRequestIntegrityHandler>());
        services.AddOptions<KeyPairAuthenticationOptions>(authenticationScheme).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, SignedComponentsStartupCheck>());
        KeyPairSchemeServices.Add(services);

        return builder.AddScheme<KeyPairAuthenticationOptions, KeyPairAuthenticationHandler>(authenticationScheme, displayName ?? KeyPairAuthenticationDefaults.DisplayName, configureOptions);
    }
}
