using Microsoft.Data.Sqlite;

namespace KeyPairAuth.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>A SQLite database in a real file in a fresh temp folder, deleted on dispose.</summary>
public sealed class SqliteTestDatabase : IAsyncDisposable
{
    private readonly string _directory;

    public SqliteTestDatabase()
    {
        _directory = Directory.CreateTempSubdirectory("keypairauth-sqlite-").FullName;
        Path = System.IO.Path.Combine(_directory, "keys.db");

        // A busy writer makes the others wait (up to the command timeout) instead of failing with SQLITE_BUSY.
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = Path, DefaultTimeout = 60 }.ToString();
    }

    public string Path { get; }

    public string ConnectionString { get; }

    /// <summary>Switches the file to write-ahead logging (readers do not block the writer); persistent in the file.</summary>
    public async Task UseWriteAheadLogAsync()
    {
        await using SqliteConnection connection = new(ConnectionString);
        await connection.OpenAsync();
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        Assert.Equal("wal", await command.ExecuteScalarAsync());
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearPool(new SqliteConnection(ConnectionString));
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A connection still open elsewhere; the OS temp folder is cleaned eventually.
        }

        return ValueTask.CompletedTask;
    }
}
