namespace KeyPairAuth.EntityFrameworkCore;

/// <summary>
/// One row per key owner: the row the store updates first in the transaction that adds a key, so writers for one
/// owner queue on its row lock while other owners proceed (see <see cref="EntityFrameworkCorePublicKeyStore{TContext}"/>).
/// </summary>
/// <remarks>The type name is part of the model (and of migration snapshots): do not rename it.</remarks>
internal sealed class KeyOwnerEntity
{
    public string Owner { get; set; } = null!;

    /// <summary>Gets or sets how many keys were added for the owner (bumped to take the row lock).</summary>
    public long Version { get; set; }
}
