using KeyPairAuth.Keys;

namespace KeyPairAuth.Issuance;

/// <summary>
/// A request to register a public key the user generated themselves (<see cref="IKeyPairIssuer.RegisterAsync"/>).
/// Read the user's key with <see cref="Ed25519PublicKey.Parse"/> (SPKI PEM, JWK, OpenSSH or base64url).
/// </summary>
public sealed class KeyRegistrationRequest
{
    /// <summary>Gets the owner (user or tenant id) the key signs in as: 1 to 200 characters, no control characters.</summary>
    public required string Owner { get; init; }

    /// <summary>Gets the human-readable name: 1 to 100 characters, no control characters, not only whitespace.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the public key.</summary>
    public required Ed25519PublicKey PublicKey { get; init; }

    /// <summary>Gets the scopes granted (see <see cref="KeyScopes"/> for the grammar); duplicates are removed.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>Gets when the key stops being accepted (must be in the future), or <see langword="null"/> for no expiry.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}
