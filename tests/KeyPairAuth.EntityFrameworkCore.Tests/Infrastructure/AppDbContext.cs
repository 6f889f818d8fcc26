using Microsoft.EntityFrameworkCore;

namespace KeyPairAuth.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>An application's own context: its own entity plus the KeyPairAuth tables.</summary>
public sealed class AppDbContext(DbContextOptions<AppDbContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Order>().ToTable("orders");
        modelBuilder.AddKeyPairAuth();
    }
}

/// <summary>An application entity, so the tests show the store sharing a context with the app's own data.</summary>
public sealed class Order
{
    public int Id { get; set; }

    public string Item { get; set; } = "";
}

/// <summary>A context that forgot <c>modelBuilder.AddKeyPairAuth()</c>.</summary>
public sealed class ForgetfulDbContext(DbContextOptions<ForgetfulDbContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();
}

/// <summary>A context with renamed KeyPairAuth tables.</summary>
public sealed class RenamedTablesDbContext(DbContextOptions<RenamedTablesDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.AddKeyPairAuth(o =>
        {
            o.KeysTableName = "api_keys";
            o.KeyOwnersTableName = "api_key_owners";
        });
}
