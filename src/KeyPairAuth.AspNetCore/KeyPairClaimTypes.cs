namespace KeyPairAuth.AspNetCore;

/// <summary>
/// Claim types on the principal the KeyPair scheme signs in. The owner is the standard
/// <see cref="System.Security.Claims.ClaimTypes.NameIdentifier"/> claim (and the identity's name).
/// </summary>
public static class KeyPairClaimTypes
{
    /// <summary>The key id that signed the request: <c>keypair:key_id</c>.</summary>
    public const string KeyId = "keypair:key_id";

    /// <summary>The name given to the key at issuance: <c>keypair:key_name</c>.</summary>
    public const string KeyName = "keypair:key_name";

    /// <summary>One claim per scope granted to the key: <c>scope</c>.</summary>
    public const string Scope = "scope";
}
