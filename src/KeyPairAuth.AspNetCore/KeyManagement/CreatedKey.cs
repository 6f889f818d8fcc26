namespace KeyPairAuth.AspNetCore.KeyManagement;

/// <summary>
/// The body of <c>POST {prefix}</c>: a new server-generated key with its private key. This is the only response that
/// ever carries the private key; the server does not keep it and cannot show it again.
/// </summary>
/// <remarks><see cref="object.ToString"/> is not overridden and never includes the secret.</remarks>
public sealed class CreatedKey
{
    /// <summary>Gets the key's public description.</summary>
    public required ManagedKey Key { get; init; }

    /// <summary>Gets the private key as a one-line KeyPairAuth secret (<c>kpa_sk_...</c>), for KeyPairAuth clients.</summary>
    public required string Secret { get; init; }

    /// <summary>Gets the private key as an unencrypted PKCS#8 PEM, for clients in other languages.</summary>
    public required string PrivateKeyPem { get; init; }
}
