namespace KeyPairAuth.Issuance;

/// <summary>Why <see cref="IKeyPairIssuer"/> refused a request.</summary>
public enum KeyIssuanceError
{
    /// <summary>The request is invalid in a way not listed below.</summary>
    InvalidRequest = 1,

    /// <summary>The owner is empty, longer than 200 characters, or contains control characters.</summary>
    InvalidOwner,

    /// <summary>The name is empty or whitespace, longer than 100 characters, or contains control characters.</summary>
    InvalidName,

    /// <summary>A scope does not match the scope grammar (see <see cref="KeyScopes"/>).</summary>
    InvalidScope,

    /// <summary>More scopes than <see cref="KeyScopes.MaxScopesPerKey"/>.</summary>
    TooManyScopes,

    /// <summary>The expiry is not in the future.</summary>
    InvalidExpiry,

    /// <summary>A key id is not in the KeyPairAuth key-id format.</summary>
    InvalidKeyId,

    /// <summary>
    /// The public key is registered already (active or revoked, by this owner or another): its derived key id is taken.
    /// </summary>
    DuplicatePublicKey,

    /// <summary>The owner already holds <see cref="KeyPairIssuerOptions.MaxActiveKeysPerOwner"/> active keys.</summary>
    ActiveKeyLimitReached,
}
