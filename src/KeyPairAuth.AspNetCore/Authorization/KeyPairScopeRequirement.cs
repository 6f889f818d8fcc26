using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace KeyPairAuth.AspNetCore;

/// <summary>
/// Requires the caller's key to hold a scope (a <see cref="KeyPairClaimTypes.Scope"/> claim, compared ordinally).
/// It is its own handler, so no registration is needed. A failure answers 403 with the error code <c>scope_missing</c>.
/// </summary>
public sealed class KeyPairScopeRequirement : AuthorizationHandler<KeyPairScopeRequirement>, IAuthorizationRequirement
{
    /// <summary>
    /// The <see cref="HttpContext.Items"/> key under which failed requirements leave the missing scopes (a
    /// <see cref="List{T}"/> of strings, in requirement order, without duplicates) for the 403 response.
    /// </summary>
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
            // Every missing scope is named in the 403, not only the first (each requirement is evaluated even after
            // another failed; a requirement object may see the others' requirements too, hence the de-duplication).
            if (http.Items.TryGetValue(MissingScopeItemKey, out object? value) && value is List<string> missing)
            {
                if (!missing.Contains(requirement.Scope, StringComparer.Ordinal))
                {
                    missing.Add(requirement.Scope);
                }
            }
            else
            {
                http.Items[MissingScopeItemKey] = new List<string> { requirement.Scope };
            }
        }

        context.Fail(new AuthorizationFailureReason(this, $"The key lacks the scope '{requirement.Scope}'."));
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override string ToString() => $"KeyPairScopeRequirement: requires the scope '{Scope}'.";
}
