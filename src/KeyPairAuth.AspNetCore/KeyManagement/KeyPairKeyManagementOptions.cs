using System.Security.Claims;
using KeyPairAuth.Issuance;

namespace KeyPairAuth.AspNetCore.KeyManagement;

/// <summary>
/// Options for the key self-service endpoints mapped by
/// <c>app.MapKeyPairKeyManagement("/account/keys", o => ...)</c>. Each mapping has its own options.
/// </summary>
public sealed class KeyPairKeyManagementOptions
{
    /// <summary>
    /// Gets or sets the claim type whose value is the owner of the keys the signed-in user manages. The owner is always
    /// taken from the signed-in user, never from the request.
    /// </summary>
    /// <value>The default value is <see cref="ClaimTypes.NameIdentifier"/>.</value>
    /// <remarks>
    /// <see cref="ClaimTypes.NameIdentifier"/> is the stable user id in ASP.NET Core Identity cookies, and JWT bearer maps
    /// <c>sub</c> to it. A display name (<see cref="ClaimTypes.Name"/>) is a poor choice: it may change or be reused, and a
    /// key belongs to whoever holds the owner value. Use the same value the KeyPair scheme signs keys in as
    /// (<see cref="ClaimTypes.NameIdentifier"/> of a key's principal is its owner).
    /// </remarks>
    public string OwnerClaimType { get; set; } = ClaimTypes.NameIdentifier;

    /// <summary>
    /// Gets the scopes a user may grant their own keys. A request naming any other scope is refused with 400
    /// <c>scope_not_allowed</c>.
    /// </summary>
    /// <value>The default value is empty: self-service keys carry no scopes until the application lists some.</value>
    /// <remarks>
    /// Scopes are what the application's authorization trusts, so a user must not be able to grant themselves any
    /// scope they like. <see cref="IsScopeAllowed"/>, when set, decides instead of this list.
    /// </remarks>
    public ISet<string> AllowedScopes { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets a callback that decides whether the signed-in user may grant a scope, for example only
    /// administrators may grant <c>admin</c>. When set, <see cref="AllowedScopes"/> is not consulted.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (use <see cref="AllowedScopes"/>).</value>
    public Func<ClaimsPrincipal, string, bool>? IsScopeAllowed { get; set; }

    /// <summary>
    /// Gets or sets whether a request authenticated by a KeyPairAuth key (a principal carrying a
    /// <see cref="KeyPairClaimTypes.KeyId"/> claim) may use the endpoints.
    /// </summary>
    /// <value>The default value is <see langword="false"/>: such requests get 403 <c>api_key_caller_refused</c>.</value>
    /// <remarks>
    /// A leaked key that could create keys would outlive its own revocation: the attacker mints a fresh key first.
    /// Key management is for the signed-in user of the application's interactive scheme (cookie, OpenID Connect, …).
    /// </remarks>
    public bool AllowApiKeyCallers { get; set; }

    /// <summary>
    /// Gets or sets whether every unsafe request (create, register, revoke) must carry a valid antiforgery token
    /// (<c>IAntiforgery</c>, header <c>RequestVerificationToken</c> by default). Requires <c>services.AddAntiforgery()</c>.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    /// <remarks>
    /// Without it the endpoints already resist cross-site request forgery: create and register accept only
    /// <c>application/json</c> bodies and revoke is a <c>DELETE</c> that refuses a form body (so a form-field method
    /// override cannot turn a cross-site form POST into it), neither of which a cross-site page can send without a CORS
    /// preflight. Turn it on for cookie-authenticated applications as defence in depth.
    /// </remarks>
    public bool RequireAntiforgeryToken { get; set; }

    /// <summary>
    /// Gets or sets the largest key lifetime a user may choose, or <see langword="null"/> for no limit. When set, a
    /// create or register request must name an expiry no further away than this.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public TimeSpan? MaxKeyLifetime { get; set; }
}
