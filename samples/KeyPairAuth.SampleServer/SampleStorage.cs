using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace KeyPairAuth.SampleServer;

/// <summary>
/// The one place the sample chooses where keys live, shared by the web server and the admin CLI (<c>keys ...</c>):
/// an embedded SQLite file at <c>Database:Path</c> (default <c>./data/keypairauth.db</c>), or PostgreSQL when
/// <c>ConnectionStrings:Postgres</c> is set, plus Redis for the replay cache and revocation fan-out when
/// <c>ConnectionStrings:Redis</c> is set (the many-instance set-up of <c>docs/deployment.md</c>). Keys are stored by
/// <c>KeyPairAuth.EntityFrameworkCore</c> in <see cref="SampleDbContext"/>.
/// </summary>
public static class SampleStorage
{
    public const string DefaultDatabasePath = "./data/keypairauth.db";

    /// <summary>Registers the database, the key store, the issuer and the replay cache.</summary>
    public static void AddSampleStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration.GetConnectionString("Postgres") is { Length: > 0 } postgres)
        {
            services.AddDbContext<SampleDbContext, PostgresSampleDbContext>(o => o.UseNpgsql(postgres));
        }
        else
        {
            // Default Timeout: concurrent writers (the server and a `keys` command) wait for SQLite's lock instead of failing.
            string connectionString = new SqliteConnectionStringBuilder { DataSource = SqlitePath(configuration), DefaultTimeout = 30 }.ToString();
            services.AddDbContext<SampleDbContext, SqliteSampleDbContext>(o => o.UseSqlite(connectionString));
        }

        KeyPairAuthBuilder keys = services.AddKeyPairAuth(o => o.MaxActiveKeysPerOwner = configuration.GetValue("Keys:MaxActivePerOwner", 10));
        if (configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
        {
            // Several instances: a shared replay cache, so a request accepted by one instance and replayed to another
            // is refused there, and revocations reach every instance's key cache within a round trip.
            keys.AddRedisReplayCache(o => o.Configuration = redis).AddRedisRevocationFanOut();
        }
        else
        {
            // One instance: the in-memory replay cache, on purpose (this also picks the in-memory key store, which the
            // next line replaces).
            keys.UseInMemoryStores();
        }

        keys.AddEntityFrameworkCoreStore<SampleDbContext>();
    }

    /// <summary>
    /// Brings the database schema up to date on start: applies the sample's EF Core migrations (<c>Data/Migrations</c>,
    /// one set per provider), creating the database file or tables on first start. A database created by an earlier
    /// version of the sample with <c>EnsureCreated</c> has the tables but no migration history: it is recognised and
    /// its history recorded, so it keeps its keys.
    /// </summary>
    public static async Task InitializeAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using AsyncServiceScope scope = services.CreateAsyncScope();
        SampleDbContext db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
        bool sqlite = db.Database.IsSqlite();
        if (sqlite)
        {
            string? path = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            if (Path.GetDirectoryName(path) is { Length: > 0 } directory)
            {
                Directory.CreateDirectory(directory);
            }

            // Write-ahead logging: readers (the server) never wait for a writer (a `keys` command). Persists in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        await SampleMigrations.AdoptEnsureCreatedSchemaAsync(db, cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
    }

    /// <summary>Says where keys are kept, for the start-up banner and the dashboard (never a password).</summary>
    public static string Describe(IConfiguration configuration) =>
        (configuration.GetConnectionString("Postgres") is { Length: > 0 }
            ? "in PostgreSQL (ConnectionStrings:Postgres)"
            : $"in the SQLite file {SqlitePath(configuration)}")
        + (configuration.GetConnectionString("Redis") is { Length: > 0 } ? ", replay cache in Redis (ConnectionStrings:Redis)" : string.Empty);

    private static string SqlitePath(IConfiguration configuration) =>
        Path.GetFullPath(configuration["Database:Path"] is { Length: > 0 } path ? path : DefaultDatabasePath);
}

