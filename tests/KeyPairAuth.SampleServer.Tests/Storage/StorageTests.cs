using System.Net;
using KeyPairAuth.Client;
using KeyPairAuth.Keys;
using KeyPairAuth.SampleServer.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace KeyPairAuth.SampleServer.Tests.Storage;

/// <summary>Where the sample keeps keys: an embedded SQLite file by default, PostgreSQL when configured.</summary>
public sealed class StorageTests
{
    [Fact]
    public async Task Sqlite_KeysSurviveARestart_AndTheSchemaIsCreatedOnFirstStart()
    {
        string database = Path.Combine(Path.GetTempPath(), $"kpa-sample-{Guid.NewGuid():N}", "nested", "keys.db");
        try
        {
            string secret;
            await using (RunningSampleServer first = await RunningSampleServer.StartAsync($"--Database:Path={database}"))
            {
                Assert.Contains($"in the SQLite file {database}", first.StartupOutput, StringComparison.Ordinal);
                (_, secret) = await first.IssueAsync("alice");
            }

            Assert.True(File.Exists(database));
            await using RunningSampleServer second = await RunningSampleServer.StartAsync($"--Database:Path={database}");
            await using var client = new SignedClient(second.BaseAddress, secret);
            (await client.GetAsync("api/whoami")).AssertStatus(HttpStatusCode.OK);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(database))!, recursive: true);
        }
    }

    [Fact]
    public void Migrations_MatchTheModel_ForBothProviders()
    {
        // Fails when the KeyPairAuth model changes without a new migration (`dotnet ef migrations add ...`, sample README).
        using var sqlite = new SqliteSampleDbContext(new DbContextOptionsBuilder<SqliteSampleDbContext>().UseSqlite("Data Source=:memory:").Options);
        using var postgres = new PostgresSampleDbContext(new DbContextOptionsBuilder<PostgresSampleDbContext>().UseNpgsql("Host=localhost").Options);

        Assert.False(sqlite.Database.HasPendingModelChanges());
        Assert.False(postgres.Database.HasPendingModelChanges());
        Assert.Single(sqlite.Database.GetMigrations());
        Assert.Single(postgres.Database.GetMigrations());
    }

    [Fact]
    public async Task Sqlite_FirstStart_AppliesTheMigration()
    {
        string database = Path.Combine(Path.GetTempPath(), $"kpa-sample-{Guid.NewGuid():N}", "keys.db");
        try
        {
            await using (RunningSampleServer server = await RunningSampleServer.StartAsync($"--Database:Path={database}"))
            {
                await server.IssueAsync("alice");
            }

            Assert.Equal(SqliteMigrations(), await AppliedMigrationsAsync(database));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(Path.GetDirectoryName(database)!, recursive: true);
        }
    }

    [Fact]
    public async Task Sqlite_DatabaseMadeByEnsureCreated_IsAdoptedByMigrations_AndKeepsItsKeys()
    {
        // Earlier versions of the sample created the schema with EnsureCreated: no migration history. Such a file must
        // start (not fail on "table already exists") and its keys must keep working.
        string database = Path.Combine(Path.GetTempPath(), $"kpa-sample-{Guid.NewGuid():N}", "keys.db");
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        try
        {
            await using (var legacy = new SqliteSampleDbContext(new DbContextOptionsBuilder<SqliteSampleDbContext>().UseSqlite($"Data Source={database}").Options))
            {
                Assert.True(await legacy.Database.EnsureCreatedAsync());
            }

            string secret;
            await using (RunningSampleServer first = await RunningSampleServer.StartAsync($"--Database:Path={database}"))
            {
                (_, secret) = await first.IssueAsync("alice");
            }

            Assert.Equal(SqliteMigrations(), await AppliedMigrationsAsync(database));
            await using RunningSampleServer second = await RunningSampleServer.StartAsync($"--Database:Path={database}");
            await using var client = new SignedClient(second.BaseAddress, secret);
            (await client.GetAsync("api/whoami")).AssertStatus(HttpStatusCode.OK);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(Path.GetDirectoryName(database)!, recursive: true);
        }
    }

    private static string[] SqliteMigrations()
    {
        using var db = new SqliteSampleDbContext(new DbContextOptionsBuilder<SqliteSampleDbContext>().UseSqlite("Data Source=:memory:").Options);
        return db.Database.GetMigrations().ToArray();
    }

    private static async Task<string[]> AppliedMigrationsAsync(string database)
    {
        await using var db = new SqliteSampleDbContext(new DbContextOptionsBuilder<SqliteSampleDbContext>().UseSqlite($"Data Source={database}").Options);
        return (await db.Database.GetAppliedMigrationsAsync()).ToArray();
    }

    [RedisFact]
    public async Task Redis_TwoInstancesShareTheReplayCache_ARequestReplayedToTheOtherIsRefused()
    {
        // Two instances on one SQLite file (one machine) and one Redis: the set-up of docs/deployment.md in miniature.
        string database = Path.Combine(Path.GetTempPath(), $"kpa-sample-{Guid.NewGuid():N}", "keys.db");
        string redis = $"--ConnectionStrings:Redis={Environment.GetEnvironmentVariable(RedisFactAttribute.Variable)}";
        try
        {
            await using RunningSampleServer first = await RunningSampleServer.StartAsync($"--Database:Path={database}", redis);
            await using RunningSampleServer second = await RunningSampleServer.StartAsync($"--Database:Path={database}", redis);
            Assert.Contains("replay cache in Redis", first.StartupOutput, StringComparison.Ordinal);
            (_, string secret) = await first.IssueAsync("alice");

            // Signed for the first instance; the same bytes are then sent to the second (its Host still the first's).
            using SigningKey key = SigningKey.Parse(secret);
            using var original = new HttpRequestMessage(HttpMethod.Get, new Uri(first.BaseAddress, "api/whoami"));
            await new RequestSigner(key).SignAsync(original);
            using var replay = new HttpRequestMessage(HttpMethod.Get, new Uri(second.BaseAddress, "api/whoami"));
            replay.Headers.Host = first.BaseAddress.Authority;
            foreach (var header in original.Headers)
            {
                replay.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            using var http = new HttpClient();
            using HttpResponseMessage accepted = await http.SendAsync(original);
            using HttpResponseMessage replayed = await http.SendAsync(replay);

            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
            (await Reply.ReadAsync(replayed)).AssertProblem(HttpStatusCode.Unauthorized, "replayed_nonce");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(Path.GetDirectoryName(database)!, recursive: true);
        }
    }

    [PostgresFact]
    public async Task Postgres_TwoInstancesShareKeys()
    {
        string database = $"keypairauth_sample_{Guid.NewGuid():N}";
        string connectionString = new NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable)) { Database = database }.ToString();
        try
        {
            await using RunningSampleServer first = await RunningSampleServer.StartAsync($"--ConnectionStrings:Postgres={connectionString}");
            await using RunningSampleServer second = await RunningSampleServer.StartAsync($"--ConnectionStrings:Postgres={connectionString}");
            Assert.Contains("PostgreSQL", first.StartupOutput, StringComparison.Ordinal);
            string password = new NpgsqlConnectionStringBuilder(connectionString).Password!;
            Assert.DoesNotContain(password, first.StartupOutput, StringComparison.Ordinal);

            (string keyId, string secret) = await first.IssueAsync("alice", "orders:read");

            await using var client = new SignedClient(second.BaseAddress, secret);
            Reply whoami = await client.GetAsync("api/whoami");
            whoami.AssertStatus(HttpStatusCode.OK);
            Assert.Equal(keyId, whoami.Json.GetProperty("keyId").GetString());

            await using var db = new PostgresSampleDbContext(new DbContextOptionsBuilder<PostgresSampleDbContext>().UseNpgsql(connectionString).Options);
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
            Assert.NotEmpty(db.Database.GetMigrations());
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable));
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>
/// A test that needs PostgreSQL: skipped with the reason when <c>KEYPAIRAUTH_TEST_POSTGRES</c> is not set, run (and
/// failing when the server cannot be reached) when <c>./test.sh</c> set it.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = "KEYPAIRAUTH_TEST_POSTGRES";

    public PostgresFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"{Variable} is not set: no PostgreSQL server (./test.sh provisions one).";
        }
    }
}

/// <summary>
/// A test that needs Redis: skipped with the reason when <c>KEYPAIRAUTH_TEST_REDIS</c> is not set, run (and failing
/// when Redis cannot be reached) when <c>./test.sh</c> set it.
/// </summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public const string Variable = "KEYPAIRAUTH_TEST_REDIS";

    public RedisFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"{Variable} is not set: no Redis server (./test.sh provisions one).";
        }
    }
}
