namespace KeyPairAuth.AspNetCore.KeyManagement;

/// <summary>
/// The stable <c>error</c> codes in the <c>application/problem+json</c> bodies of the key self-service endpoints.
/// Issuer refusals (<see cref="Issuance.KeyIssuanceError"/>) use the issuer's codes: <c>invalid_name</c>,
/// <c>invalid_scope</c>, <c>too_many_scopes</c>, <c>invalid_expiry</c>, <c>invalid_owner</c>, <c>invalid_request</c>
/// (400), <c>duplicate_public_key</c> and <c>active_key_limit_reached</c> (409).
/// </summary>
public static class KeyManagementErrorCodes
{
    /// <summary>401: no signed-in user (the group was mapped without <c>RequireAuthorization</c>).</summary>
    public const string AuthenticationRequired = "authentication_required";

    /// <summary>403: the caller authenticated with a KeyPairAuth key, which may not manage keys.</summary>
    public const string ApiKeyCallerRefused = "api_key_caller_refused";

    /// <summary>403: the signed-in user has no owner claim (<see cref="KeyPairKeyManagementOptions.OwnerClaimType"/>).</summary>
    public const string OwnerClaimMissing = "owner_claim_missing";

    /// <summary>400: the antiforgery token is missing or invalid (<see cref="KeyPairKeyManagementOptions.RequireAntiforgeryToken"/>).</summary>
    public const string AntiforgeryTokenInvalid = "antiforgery_token_invalid";

    /// <summary>
    /// 415: a create or register body is not <c>application/json</c>, or a revoke carries a form body (what a cross-site
    /// form sends). Checked before the antiforgery token, so no form body is ever read.
    /// </summary>
    public const string UnsupportedMediaType = "unsupported_media_type";

    /// <summary>413: the body is larger than a key request can be.</summary>
    public const string BodyTooLarge = "body_too_large";

    /// <summary>400: the body is not a JSON object of the expected shape (malformed JSON, wrong types, unknown members such as <c>owner</c>).</summary>
    public const string InvalidJson = "invalid_json";

    /// <summary>400: the public key is missing or is not an Ed25519 public key in a supported format.</summary>
    public const string InvalidPublicKey = "invalid_public_key";

    /// <summary>400: a requested scope is not one the user may grant (<see cref="KeyPairKeyManagementOptions.AllowedScopes"/>).</summary>
    public const string ScopeNotAllowed = "scope_not_allowed";

    /// <summary>404: no key with this id belongs to the signed-in user (whether or not it exists for someone else).</summary>
    public const string KeyNotFound = "key_not_found";

    /// <summary>409: the user already registered this public key.</summary>
    public const string DuplicatePublicKey = "duplicate_public_key";

    /// <summary>409: the user already holds the maximum number of active keys.</summary>
    public const string ActiveKeyLimitReached = "active_key_limit_reached";
}
