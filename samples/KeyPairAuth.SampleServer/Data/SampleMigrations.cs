using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;

namespace KeyPairAuth.SampleServer;

/// <summary>Keeps databases made by earlier versions of the sample (which used <c>EnsureCreated</c>) working under migrations.</summary>
internal static class SampleMigrations
{
    /// <summary>
    /// When the database already has tables but no migration history, it was created by <c>EnsureCreated</c> from the
    /// same model as the first migration: record that migration as applied instead of letting <c>Migrate</c> fail on
    /// "table already exists". A database with history, or an empty one, is left to <c>Migrate</c>.
    /// </summary>
    public static async Task AdoptEnsureCreatedSchemaAsync(SampleDbContext db, CancellationToken cancellationToken)
    {
        var creator = (IRelationalDatabaseCreator)db.GetService<IDatabaseCreator>();
        if (!await creator.ExistsAsync(cancellationToken) || !await creator.HasTablesAsync(cancellationToken))
        {
            return;
        }

        IHistoryRepository history = db.GetService<IHistoryRepository>();
        if (await history.ExistsAsync(cancellationToken))
        {
            return;
        }

        string first = db.Database.GetMigrations().First();
        string productVersion = typeof(DbContext).Assembly.GetName().Version?.ToString(3) ?? "10.0.0";
        await db.Database.ExecuteSqlRawAsync(history.GetCreateIfNotExistsScript(), cancellationToken);
        await db.Database.ExecuteSqlRawAsync(history.GetInsertScript(new HistoryRow(first, productVersion)), cancellationToken);
    }
}
