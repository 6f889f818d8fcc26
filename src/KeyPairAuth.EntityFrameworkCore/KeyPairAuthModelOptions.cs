namespace KeyPairAuth.EntityFrameworkCore;

/// <summary>
/// Names of the tables KeyPairAuth adds to your model with
/// <see cref="Microsoft.EntityFrameworkCore.KeyPairAuthModelBuilderExtensions.AddKeyPairAuth"/>. Column names are
/// lower-case snake_case (<c>key_id</c>, <c>owner</c>, <c>public_key</c>, <c>created_at</c> ...).
/// </summary>
public sealed class KeyPairAuthModelOptions
{
    /// <summary>Gets or sets the table of public keys (one row per key).</summary>
    /// <value>The default value is <c>keypairauth_keys</c>.</value>
    public string KeysTableName { get; set; } = "keypairauth_keys";

    /// <summary>
    /// Gets or sets the table with one row per key owner, which the store locks while it adds a key for that owner so
    /// the active-key limit holds under concurrent writers.
    /// </summary>
    /// <value>The default value is <c>keypairauth_key_owners</c>.</value>
    public string KeyOwnersTableName { get; set; } = "keypairauth_key_owners";

    /// <summary>Gets or sets the schema of both tables, or <see langword="null"/> for the model's default schema.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Schema { get; set; }
}
