using KeyPairAuth.AspNetCore.KeyManagement;
using KeyPairAuth.AspNetCore.KeyManagement.Internal;
using KeyPairAuth.Issuance;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Maps the key self-service endpoints — list, create, register, revoke — for the signed-in user, the way
/// <c>MapIdentityApi</c> maps account endpoints: <c>app.MapKeyPairKeyManagement("/account/keys").RequireAuthorization("…")</c>.
/// </summary>
public static class KeyPairKeyManagementEndpointRouteBuilderExtensions
{
    /// <summary>Maps the key self-service endpoints under <paramref name="prefix"/> with default options.</summary>
    /// <param name="endpoints">The endpoint route builder (the <c>WebApplication</c>).</param>
    /// <param name="prefix">The route prefix, for example <c>/account/keys</c>.</param>
    /// <returns>The route group, to add <c>RequireAuthorization(...)</c> and other conventions.</returns>
    public static RouteGroupBuilder MapKeyPairKeyManagement(this IEndpointRouteBuilder endpoints, string prefix) =>
        endpoints.MapKeyPairKeyManagement(prefix, static _ => { });

    /// <summary>
    /// Maps the key self-service endpoints under <paramref name="prefix"/>:
    /// <list type="bullet">
    /// <item><c>GET {prefix}</c> — the signed-in user's keys (<see cref="ManagedKeyList"/>); never a secret.</item>
    /// <item><c>POST {prefix}</c> — generate a key (<see cref="CreateKeyRequest"/>); 201 with <see cref="CreatedKey"/>, the only response that ever carries the private key.</item>
    /// <item><c>POST {prefix}/register</c> — register the user's own public key (<see cref="RegisterKeyRequest"/>); 201 with <see cref="ManagedKey"/>.</item>
    /// <item><c>GET {prefix}/{keyId}</c> — one key; <c>DELETE {prefix}/{keyId}</c> — revoke it (idempotent).</item>
    /// </list>
    /// </summary>
    /// <remarks>
    /// The owner is the signed-in user's <see cref="KeyPairKeyManagementOptions.OwnerClaimType"/> claim, never a value from
    /// the request. Another owner's key answers 404, exactly like a key that does not exist. Refusals are
    /// <c>application/problem+json</c> with an <c>error</c> code from <see cref="KeyManagementErrorCodes"/>; invalid input is
    /// 400, a duplicate public key or the active-key limit 409, never 500. Requires <c>services.AddKeyPairAuth()</c>.
    /// Add <c>RequireAuthorization</c> with a policy for the application's interactive scheme; without it an anonymous
    /// request gets 401.
    /// </remarks>
    /// <param name="endpoints">The endpoint route builder (the <c>WebApplication</c>).</param>
    /// <param name="prefix">The route prefix, for example <c>/account/keys</c>.</param>
    /// <param name="configure">Configures this mapping's options (owner claim, allowed scopes, antiforgery).</param>
    /// <returns>The route group, to add <c>RequireAuthorization(...)</c> and other conventions.</returns>
    /// <exception cref="InvalidOperationException">KeyPairAuth or antiforgery services are missing, or an option is invalid.</exception>
    public static RouteGroupBuilder MapKeyPairKeyManagement(this IEndpointRouteBuilder endpoints, string prefix, Action<KeyPairKeyManagementOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(configure);

        var options = new KeyPairKeyManagementOptions();
        configure(options);
        Validate(options, endpoints.ServiceProvider);

        ILogger logger = endpoints.ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger("KeyPairAuth.AspNetCore.KeyManagement")
            ?? NullLogger.Instance;
        var handlers = new KeyManagementEndpoints(options, logger);

        // RequestDelegate endpoints: no Request Delegate Factory reflection, so the group works trimmed and AOT-compiled.
        RouteGroupBuilder group = endpoints.MapGroup(prefix);
        string keyRoute = $"/{{{KeyManagementEndpoints.KeyIdRouteValue}}}";
        group.MapGet("/", handlers.ListAsync).WithDisplayName($"KeyPairAuth: list keys ({prefix})");
        group.MapPost("/", handlers.CreateAsync).WithDisplayName($"KeyPairAuth: create a key ({prefix})");
        group.MapPost("/register", handlers.RegisterAsync).WithDisplayName($"KeyPairAuth: register a public key ({prefix})");
        group.MapGet(keyRoute, handlers.GetAsync).WithDisplayName($"KeyPairAuth: get a key ({prefix})");
        group.MapDelete(keyRoute, handlers.RevokeAsync).WithDisplayName($"KeyPairAuth: revoke a key ({prefix})");
        return group;
    }

    private static void Validate(KeyPairKeyManagementOptions options, IServiceProvider services)
    {
        if (string.IsNullOrEmpty(options.OwnerClaimType))
        {
            throw new InvalidOperationException("KeyPairKeyManagementOptions.OwnerClaimType must name the claim that holds the owner, for example ClaimTypes.NameIdentifier.");
        }

        foreach (string scope in options.AllowedScopes)
        {
            if (!KeyScopes.IsValid(scope))
            {
                throw new InvalidOperationException($"KeyPairKeyManagementOptions.AllowedScopes contains '{scope}', which is not a valid scope ({KeyScopes.Pattern}).");
            }
        }

        if (options.MaxKeyLifetime is { } lifetime && lifetime <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"KeyPairKeyManagementOptions.MaxKeyLifetime must be positive or null; it is {lifetime}.");
        }

        IServiceProviderIsService? isService = services.GetService<IServiceProviderIsService>();
        if (isService is not null && !isService.IsService(typeof(IKeyPairIssuer)))
        {
            throw new InvalidOperationException("MapKeyPairKeyManagement needs the KeyPairAuth services: call services.AddKeyPairAuth() (or AddAuthentication().AddKeyPair()).");
        }

        if (options.RequireAntiforgeryToken && isService is not null && !isService.IsService(typeof(IAntiforgery)))
        {
            throw new InvalidOperationException("KeyPairKeyManagementOptions.RequireAntiforgeryToken needs the antiforgery services: call services.AddAntiforgery().");
        }
    }
}
