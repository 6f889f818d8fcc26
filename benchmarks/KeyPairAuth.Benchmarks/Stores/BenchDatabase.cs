using KeyPairAuth.Stores;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace KeyPairAuth.Benchmarks.Stores;

/// <summary>An application context with the KeyPairAuth tables, as an app would have.</summary>
public sealed class BenchDbContext(DbContextOptions<BenchDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddKeyPairAuth();
}

/// <summary>
/// A throwaway database for the store benchmarks, with DI wired as an app wires the EF Core store: a fresh database on
/// the PostgreSQL server named by <c>KEYPAIRAUTH_TEST_POSTGRES</c> (benchmarks/run.sh starts one when it is unset), or a
/// SQLite file in a temp folder. Dropped or deleted on dispose.
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private const string PostgresVariable = "KEYPAIRAUTH_TEST_POSTGRES";
    private readonly string? _serverConnectionString;
    private readonly string _connectionString;
    private readonly string? _directory;
    private readonly string _name = $"keypairauth_bench_{Guid.NewGuid():N}";

    private BenchDatabase(bool postgres)
    {
        if (postgres)
        {
            _serverConnectionString = Environment.GetEnvironmentVariable(PostgresVariable);
            _connectionString = new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = _name }.ToString();
        }
        else
        {
            _directory = Directory.CreateTempSubdirectory("keypairauth-bench-").FullName;
            _connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_directory, "keys.db") }.ToString();
        }

        var services = new ServiceCollection();
        services.AddDbContext<BenchDbContext>(o =>
        {
            if (postgres)
            {
                o.UseNpgsql(_connectionString);
            }
            else
            {
                o.UseSqlite(_connectionString);
            }
        });
        services.AddKeyPairAuth().AddEntityFrameworkCoreStore<BenchDbContext>();
        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });

        // The key cache opens a DI scope per store call itself (AddKeyPairAuth); the benchmarks also seed the store and
        // count its calls, for which they need one IPublicKeyStore that does the same.
        Store = new ScopePerCallStore(Services.GetRequiredService<IServiceScopeFactory>());
    }

    public static bool PostgresConfigured => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PostgresVariable));

    public string Provider => _serverConnectionString is null ? "SQLite (file)" : "PostgreSQL";

    public ServiceProvider Services { get; }

    /// <summary>Gets the EF Core store, one DI scope (and DbContext) per call, as the key cache will use it.</summary>
    public IPublicKeyStore Store { get; }

    public string ConnectionString => _connectionString;

    public static async Task<BenchDatabase> CreateAsync(bool postgres)
    {
        var database = new BenchDatabase(postgres);
        if (postgres)
        {
            await using var connection = new NpgsqlConnection(database._serverConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database._name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        await using AsyncServiceScope scope = database.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<BenchDbContext>().Database.EnsureCreatedAsync();
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        if (_serverConnectionString is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_serverConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
        else
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_directory!, recursive: true);
        }
    }
}

/// <summary>An <see cref="IPublicKeyStore"/> that resolves the scoped store in a new DI scope for every call.</summary>
internal sealed class ScopePerCallStore(IServiceScopeFactory scopes) : IPublicKeyStore
{
    public async ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default)
    {
        await using AsyncServiceScope scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IPublicKeyStore>().FindAsync(keyId, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default)
    {
        await using AsyncServiceScope scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IPublicKeyStore>().ListByOwnerAsync(owner, cancellationToken);
    }

    public async ValueTask<PublicKeyAddResult> AddAsync(PublicKeyRecord record, int maxActiveKeysPerOwner, CancellationToken cancellationToken = default)
    {
        await using AsyncServiceScope scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IPublicKeyStore>().AddAsync(record, maxActiveKeysPerOwner, cancellationToken);
    }

    public async ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default)
    {
        await using AsyncServiceScope scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IPublicKeyStore>().RevokeAsync(keyId, revokedAt, cancellationToken);
    }

    public async ValueTask RecordLastUsedAsync(string keyId, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default)
    {
        await using AsyncServiceScope scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IPublicKeyStore>().RecordLastUsedAsync(keyId, lastUsedAt, cancellationToken);
    }
}
