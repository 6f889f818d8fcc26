namespace KeyPairAuth.EntityFrameworkCore;

/// <summary>
/// One row of the keys table. Times are UTC <see cref="DateTime"/>s, truncated to whole microseconds: every provider
/// then stores them in a type that orders and compares as instants (SQLite: ISO-8601 text without an offset;
/// PostgreSQL: <c>timestamp with time zone</c>; SQL Server: <c>datetime2</c>) and round-trips them exactly.
/// </summary>
/// <remarks>The type name is part of the model (and of migration snapshots): do not rename it.</remarks>
internal sealed class PublicKeyEntity
{
    /// <summary>Gets or sets the surrogate key; it also orders keys created at the same instant by insertion.</summary>
    public long Id { get; set; }

    public string KeyId { get; set; } = null!;

    public string Owner { get; set; } = null!;

    public string Name { get; set; } = null!;

    /// <summary>Gets or sets the raw 32-byte Ed25519 public key.</summary>
    public byte[] PublicKey { get; set; } = null!;

    /// <summary>Gets or sets the scopes as a JSON array of strings.</summary>
    public string Scopes { get; set; } = null!;

    public DateTime CreatedAt { get; set; }

    public DateTime? ExpiresAt { get; set; }

    public DateTime? RevokedAt { get; set; }

    public DateTime? LastUsedAt { get; set; }
}
