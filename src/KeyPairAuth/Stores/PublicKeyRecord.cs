using KeyPairAuth.Keys;

namespace KeyPairAuth.Stores;

/// <summary>
/// What the server keeps about an API key: the public key and its metadata. Never any private material.
/// </summary>
public sealed record PublicKeyRecord
{
    /// <summary>Gets the key id (not secret, globally unique).</summary>
    public required string KeyId { get; init; }

    /// <summary>Gets the owner (user or tenant id) the key signs in as.</summary>
    public required string Owner { get; init; }

    /// <summary>Gets the human-readable name given at issuance.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the public key.</summary>
    public required Ed25519PublicKey PublicKey { get; init; }

    /// <summary>Gets the scopes granted to the key.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>Gets when the key was issued or registered.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the key stops being accepted, or <see langword="null"/> for no expiry.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Gets when the key was revoked, or <see langword="null"/> while it is not.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Gets when the key last authenticated a request (recorded at most once per interval).</summary>
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>Gets whether the key has been revoked.</summary>
    public bool IsRevoked => RevokedAt is not null;

    /// <summary>Gets whether the key has expired at <paramref name="now"/>.</summary>
    /// <param name="now">The current time.</param>
    /// <returns><see langword="true"/> when an expiry is set and has passed.</returns>
    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt is { } expires && expires <= now;

    /// <summary>Gets whether the key can authenticate requests at <paramref name="now"/>.</summary>
    /// <param name="now">The current time.</param>
    /// <returns><see langword="true"/> when neither revoked nor expired.</returns>
    public bool IsActiveAt(DateTimeOffset now) => !IsRevoked && !IsExpiredAt(now);
}
