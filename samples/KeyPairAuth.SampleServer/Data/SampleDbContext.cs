using Microsoft.EntityFrameworkCore;

namespace KeyPairAuth.SampleServer;

/// <summary>
/// The sample's database: only KeyPairAuth's tables (an application would have its own next to them). Migrations are
/// provider-specific, so each provider has its own context type and migration set: <see cref="SqliteSampleDbContext"/>
/// (<c>Data/Migrations/Sqlite</c>) and <see cref="PostgresSampleDbContext"/> (<c>Data/Migrations/Postgres</c>). Both
/// are registered as <see cref="SampleDbContext"/>, which is what the key store resolves.
/// </summary>
public abstract class SampleDbContext(DbContextOptions options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddKeyPairAuth();
}

/// <summary>The sample's database on the embedded SQLite file (the default).</summary>
public sealed class SqliteSampleDbContext(DbContextOptions<SqliteSampleDbContext> options) : SampleDbContext(options);

/// <summary>The sample's database on PostgreSQL (<c>ConnectionStrings:Postgres</c>).</summary>
public sealed class PostgresSampleDbContext(DbContextOptions<PostgresSampleDbContext> options) : SampleDbContext(options);
