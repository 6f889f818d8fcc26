using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace KeyPairAuth.AspNetCore;

/// <summary>
/// Requires the caller's key to hold a scope (a <see cref="KeyPairClaimTypes.Scope"/> claim, compared ordinally).
/// It is its own handler, so no registration is needed. A failure answers 403 with the error code <c>scope_missing</c>.
/// </summary>
public sealed class KeyPairScopeRequirement : AuthorizationHandler<KeyPairScopeRequirement>, IAuthorizationRequirement
{
    /// <summary>The <see cref="HttpContext.Items"/> key under which a failed requirement leaves the missing scope for the 403 response.</summary>
    internal static readonly object MissingScopeItemKey = new();

    /// <summary>Initializes a new instance of the <see cref="KeyPairScopeRequirement"/> class.</summary>
    /// <param name="scope">The required scope.</param>
    public KeyPairScopeRequirement(string scope)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        Scope = scope;
    }

    /// <summary>Gets the required scope.</summary>
    public string Scope { get; }

    /// <inheritdoc/>
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, KeyPairScopeRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requirement);
        if (context.User.HasClaim(c => c.Type == KeyPairClaimTypes.Scope && string.Equals(c.Value, requirement.Scope, StringComparison.Ordinal)))
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }

        if (context.Resource is HttpContext http)
        {
            http.Items.TryAdd(MissingScopeItemKey, requirement.Scope);
        }

        context.Fail(new AuthorizationFailureReason(this, $"The key lacks the scope '{requirement.Scope}'."));
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override string ToString() => $"KeyPairScopeRequirement: requires the scope '{Scope}'.";
}
