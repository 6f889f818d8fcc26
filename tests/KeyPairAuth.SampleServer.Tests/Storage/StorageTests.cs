using System.Net;
using KeyPairAuth.SampleServer.Tests.Infrastructure;
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
    public async Task Redis_Configured_StopsAtStartUpRatherThanRunWithoutASharedReplayCache()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RunningSampleServer.StartAsync("--ConnectionStrings:Redis=127.0.0.1:1"));

        Assert.Contains("ConnectionStrings:Redis", error.Message, StringComparison.Ordinal);
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
