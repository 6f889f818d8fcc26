using Npgsql;

namespace KeyPairAuth.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>
/// A fresh database on the PostgreSQL server named by <see cref="Variable"/> (./test.sh starts one), dropped on dispose.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    public const string Variable = "KEYPAIRAUTH_TEST_POSTGRES";

    private readonly string _serverConnectionString;
    private bool _created;

    public PostgresTestDatabase()
    {
        _serverConnectionString = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{Variable} is not set; mark the test [PostgresFact] or the class [RequiresEnvironmentVariable].");
        Name = $"keypairauth_test_{Guid.NewGuid():N}";
        ConnectionString = new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = Name, MaxPoolSize = 50 }.ToString();
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static bool IsConfigured => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable));

    /// <summary>Creates the database. Fails (never skips) when the server cannot be reached.</summary>
    public async Task CreateAsync()
    {
        await using NpgsqlConnection connection = new(_serverConnectionString);
        await connection.OpenAsync();
        await using NpgsqlCommand command = new($"CREATE DATABASE \"{Name}\"", connection);
        await command.ExecuteNonQueryAsync();
        _created = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_created)
        {
            return;
        }

        await using (NpgsqlConnection pooled = new(ConnectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        await using NpgsqlConnection connection = new(_serverConnectionString);
        await connection.OpenAsync();
        try
        {
            await using NpgsqlCommand command = new($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            // FORCE must be allowed to terminate every session in the database, and an autovacuum worker that just
            // started on the new database belongs to no role our CREATEDB-only test role may signal (seen once in CI).
            // A plain DROP asks autovacuum workers to exit by itself and waits for them; our own pool is cleared above.
            await using NpgsqlCommand command = new($"DROP DATABASE IF EXISTS \"{Name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>
/// A test that needs the PostgreSQL server: skipped with the reason when <see cref="PostgresTestDatabase.Variable"/> is
/// not set (a plain <c>dotnet test</c>), run (and failing if the server is unreachable) when it is.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (!PostgresTestDatabase.IsConfigured)
        {
            Skip = $"{PostgresTestDatabase.Variable} is not set: no PostgreSQL server (./test.sh provisions one).";
        }
    }
}
