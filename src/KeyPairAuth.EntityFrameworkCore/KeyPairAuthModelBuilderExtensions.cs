using KeyPairAuth.EntityFrameworkCore;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Adds KeyPairAuth's tables to an application's <see cref="DbContext"/> model.</summary>
public static class KeyPairAuthModelBuilderExtensions
{
    /// <summary>
    /// Adds the KeyPairAuth key tables to the model: call it from your context's <c>OnModelCreating</c>, then create
    /// the schema with <c>Database.EnsureCreated()</c> (quick starts) or an EF Core migration.
    /// </summary>
    /// <param name="modelBuilder">The context's model builder.</param>
    /// <param name="configure">Renames the tables or sets their schema; <see langword="null"/> for the defaults.</param>
    /// <returns>The same model builder.</returns>
    /// <remarks>
    /// <para>
    /// The keys table (<c>keypairauth_keys</c>) has one row per key: <c>id</c> (surrogate key), <c>key_id</c> (unique
    /// index), <c>owner</c> (index), <c>name</c>, <c>public_key</c> (the raw 32 bytes), <c>scopes</c> (a JSON array),
    /// and <c>created_at</c>, <c>expires_at</c>, <c>revoked_at</c>, <c>last_used_at</c> as UTC date-times with
    /// microsecond precision. It never holds private key material. The key-owners table
    /// (<c>keypairauth_key_owners</c>) has one row per owner, locked while a key is added for that owner.
    /// </para>
    /// <para>
    /// Key ids and owners are compared by the database's collation: keep them case-sensitive (the default of SQLite
    /// and PostgreSQL; on SQL Server choose a binary or case-sensitive collation for <c>key_id</c> and <c>owner</c>).
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException">A table name is empty.</exception>
    public static ModelBuilder AddKeyPairAuth(this ModelBuilder modelBuilder, Action<KeyPairAuthModelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        KeyPairAuthModelOptions options = new();
        configure?.Invoke(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.KeysTableName, "KeyPairAuthModelOptions.KeysTableName");
        ArgumentException.ThrowIfNullOrWhiteSpace(options.KeyOwnersTableName, "KeyPairAuthModelOptions.KeyOwnersTableName");
        string keys = options.KeysTableName;
        string owners = options.KeyOwnersTableName;

        modelBuilder.Entity<PublicKeyEntity>(b =>
        {
            b.ToTable(keys, options.Schema);
            b.HasKey(k => k.Id).HasName($"pk_{keys}");
            b.Property(k => k.Id).HasColumnName("id").ValueGeneratedOnAdd();
            b.Property(k => k.KeyId).HasColumnName("key_id").HasMaxLength(256).IsRequired();
            b.Property(k => k.Owner).HasColumnName("owner").HasMaxLength(256).IsRequired();
            b.Property(k => k.Name).HasColumnName("name").HasMaxLength(256).IsRequired();
            b.Property(k => k.PublicKey).HasColumnName("public_key").HasMaxLength(32).IsRequired();
            b.Property(k => k.Scopes).HasColumnName("scopes").IsRequired();
            b.Property(k => k.CreatedAt).HasColumnName("created_at");
            b.Property(k => k.ExpiresAt).HasColumnName("expires_at");
            b.Property(k => k.RevokedAt).HasColumnName("revoked_at");
            b.Property(k => k.LastUsedAt).HasColumnName("last_used_at");
            b.HasIndex(k => k.KeyId).IsUnique().HasDatabaseName($"ix_{keys}_key_id");
            b.HasIndex(k => k.Owner).HasDatabaseName($"ix_{keys}_owner");
        });

        modelBuilder.Entity<KeyOwnerEntity>(b =>
        {
            b.ToTable(owners, options.Schema);
            b.HasKey(o => o.Owner).HasName($"pk_{owners}");
            b.Property(o => o.Owner).HasColumnName("owner").HasMaxLength(256).ValueGeneratedNever();
            b.Property(o => o.Version).HasColumnName("version");
        });

        return modelBuilder;
    }
}
