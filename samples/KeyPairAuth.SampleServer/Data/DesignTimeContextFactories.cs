using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace KeyPairAuth.SampleServer;

/// <summary>
/// Lets <c>dotnet ef migrations add &lt;Name&gt; --context SqliteSampleDbContext --output-dir Data/Migrations/Sqlite</c>
/// build the model without starting the app. Generating a migration opens no connection, so the path is a placeholder.
/// </summary>
internal sealed class SqliteSampleDbContextFactory : IDesignTimeDbContextFactory<SqliteSampleDbContext>
{
    public SqliteSampleDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteSampleDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>
/// The same for <c>--context PostgresSampleDbContext --output-dir Data/Migrations/Postgres</c>; no server is needed
/// to generate a migration.
/// </summary>
internal sealed class PostgresSampleDbContextFactory : IDesignTimeDbContextFactory<PostgresSampleDbContext>
{
    public PostgresSampleDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresSampleDbContext>().UseNpgsql("Host=localhost;Database=design_time").Options);
}
