using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>
/// Binds a KeyPair scheme's options from <c>Authentication:Schemes:&lt;scheme name&gt;</c>, as JwtBearer's are bound:
/// through <see cref="IAuthenticationConfigurationProvider"/>, before any options configured in code (so code wins).
/// </summary>
/// <remarks>
/// Each setting is read by name rather than with the reflection binder, so trimming and NativeAOT stay safe; a test
/// checks every settable option is covered.
/// </remarks>
internal sealed class KeyPairAuthenticationConfigureOptions(IServiceProvider services) : IConfigureNamedOptions<KeyPairAuthenticationOptions>
{
    public void Configure(KeyPairAuthenticationOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, KeyPairAuthenticationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // No configuration (a bare ServiceCollection, not a host): nothing to bind. The default provider needs IConfiguration.
        if (string.IsNullOrEmpty(name) || services.GetService<IConfiguration>() is null ||
            services.GetService<IAuthenticationConfigurationProvider>() is not { } provider)
        {
            return;
        }

        IConfiguration section = provider.GetSchemeConfiguration(name);
        if (!section.GetChildren().Any())
        {
            return;
        }

        var config = new ConfigurationReader(section);
        options.ClaimsIssuer = config.String(nameof(options.ClaimsIssuer), options.ClaimsIssuer);
        options.ForwardDefault = config.String(nameof(options.ForwardDefault), options.ForwardDefault);
        options.ForwardAuthenticate = config.String(nameof(options.ForwardAuthenticate), options.ForwardAuthenticate);
        options.ForwardChallenge = config.String(nameof(options.ForwardChallenge), options.ForwardChallenge);
        options.ForwardForbid = config.String(nameof(options.ForwardForbid), options.ForwardForbid);
        options.ForwardSignIn = config.String(nameof(options.ForwardSignIn), options.ForwardSignIn);
        options.ForwardSignOut = config.String(nameof(options.ForwardSignOut), options.ForwardSignOut);

        options.MaxBodySize = config.Int64(nameof(options.MaxBodySize), options.MaxBodySize);
        options.BodyBufferThreshold = config.Int32(nameof(options.BodyBufferThreshold), options.BodyBufferThreshold);
        options.IncludeErrorDetails = config.Bool(nameof(options.IncludeErrorDetails), options.IncludeErrorDetails);
        options.RecordLastUsed = config.Bool(nameof(options.RecordLastUsed), options.RecordLastUsed);
        options.LastUsedInterval = config.TimeSpan(nameof(options.LastUsedInterval), options.LastUsedInterval);
        options.AuthenticateAllowAnonymousEndpoints = config.Bool(nameof(options.AuthenticateAllowAnonymousEndpoints), options.AuthenticateAllowAnonymousEndpoints);
        options.ReplayCacheFullRetryAfter = config.TimeSpan(nameof(options.ReplayCacheFullRetryAfter), options.ReplayCacheFullRetryAfter);

        if (config.Has(nameof(options.Verification)))
        {
            BindVerification(config.Child(nameof(options.Verification)), options.Verification);
        }
    }

    private static void BindVerification(ConfigurationReader config, SignatureVerificationOptions v)
    {
        v.MaxSignatureAge = config.TimeSpan(nameof(v.MaxSignatureAge), v.MaxSignatureAge);
        v.MaxFutureSkew = config.TimeSpan(nameof(v.MaxFutureSkew), v.MaxFutureSkew);
        v.RequireNonce = config.Bool(nameof(v.RequireNonce), v.RequireNonce);
        v.MaxNonceLength = config.Int32(nameof(v.MaxNonceLength), v.MaxNonceLength);
        v.RequireContentDigestForContent = config.Bool(nameof(v.RequireContentDigestForContent), v.RequireContentDigestForContent);
        config.AddTo(nameof(v.AdditionalRequiredComponents), v.AdditionalRequiredComponents);
        v.MaxSignatures = config.Int32(nameof(v.MaxSignatures), v.MaxSignatures);
        v.RequiredLabel = config.String(nameof(v.RequiredLabel), v.RequiredLabel);
        v.RequiredTag = config.String(nameof(v.RequiredTag), v.RequiredTag);
        v.AllowTargetUri = config.Bool(nameof(v.AllowTargetUri), v.AllowTargetUri);
        v.RequireAlgorithmParameter = config.Bool(nameof(v.RequireAlgorithmParameter), v.RequireAlgorithmParameter);
        v.RequireScheme = config.Bool(nameof(v.RequireScheme), v.RequireScheme);

        if (config.Has(nameof(v.FieldLimits)))
        {
            // The limits are immutable (init-only) and shared by default: build a new instance from the current one.
            ConfigurationReader limits = config.Child(nameof(v.FieldLimits));
            StructuredFieldLimits current = v.FieldLimits ?? StructuredFieldLimits.Default;
            v.FieldLimits = new StructuredFieldLimits
            {
                MaxFieldLength = limits.Int32(nameof(current.MaxFieldLength), current.MaxFieldLength),
                MaxMembers = limits.Int32(nameof(current.MaxMembers), current.MaxMembers),
                MaxInnerListItems = limits.Int32(nameof(current.MaxInnerListItems), current.MaxInnerListItems),
                MaxParameters = limits.Int32(nameof(current.MaxParameters), current.MaxParameters),
            };
        }
    }
}
