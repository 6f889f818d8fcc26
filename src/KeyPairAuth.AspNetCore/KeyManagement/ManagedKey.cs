namespace KeyPairAuth.AspNetCore.KeyManagement;

/// <summary>A key as the key self-service endpoints describe it: public material and metadata only, never a secret.</summary>
public sealed class ManagedKey
{
    /// <summary>Gets the key id (not secret).</summary>
    public required string KeyId { get; init; }

    /// <summary>Gets the key's name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the public key's OpenSSH-style fingerprint (<c>SHA256:...</c>), as <c>ssh-keygen -lf</c> prints it.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>Gets the raw public key in base64url (43 characters).</summary>
    public required string PublicKey { get; init; }

    /// <summary>Gets the scopes granted to the key.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>Gets when the key was issued or registered.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the key stops being accepted, or <see langword="null"/> for no expiry.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Gets when the key was revoked, or <see langword="null"/>.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Gets when the key last authenticated a request (recorded at most once per interval), or <see langword="null"/>.</summary>
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>Gets whether the key is active, expired or revoked at the time of the response.</summary>
    public required ManagedKeyStatus Status { get; init; }
}
