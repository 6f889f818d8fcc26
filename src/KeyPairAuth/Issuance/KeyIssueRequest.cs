namespace KeyPairAuth.Issuance;

/// <summary>A request to issue a server-generated key pair (<see cref="IKeyPairIssuer.IssueAsync"/>).</summary>
public sealed class KeyIssueRequest
{
    /// <summary>Gets the owner (user or tenant id) the key signs in as: 1 to 200 characters, no control characters.</summary>
    public required string Owner { get; init; }

    /// <summary>Gets the human-readable name ("CI deploy key"): 1 to 100 characters, no control characters, not only whitespace.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the scopes granted (see <see cref="KeyScopes"/> for the grammar); duplicates are removed.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>Gets when the key stops being accepted (must be in the future), or <see langword="null"/> for no expiry.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}
