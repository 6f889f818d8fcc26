namespace KeyPairAuth.Keys;

/// <summary>What was wrong with a key, secret string, PEM or JWK.</summary>
public enum KeyFormatError
{
    /// <summary>The input is not in any format we read.</summary>
    Malformed = 1,

    /// <summary>A secret string does not start with the KeyPairAuth prefix.</summary>
    WrongPrefix,

    /// <summary>The input has the wrong length (for example a truncated secret, or a 31-byte key).</summary>
    WrongLength,

    /// <summary>The input contains characters outside its encoding's alphabet.</summary>
    BadEncoding,

    /// <summary>The checksum does not match: the secret was mistyped or truncated.</summary>
    ChecksumMismatch,

    /// <summary>The key is of another algorithm (RSA, P-256, ...), not Ed25519.</summary>
    UnsupportedAlgorithm,

    /// <summary>The bytes decode but are not a valid Ed25519 key.</summary>
    InvalidKey,

    /// <summary>A key id is not in the KeyPairAuth key-id format.</summary>
    InvalidKeyId,
}
