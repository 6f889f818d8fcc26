using KeyPairAuth.EntityFrameworkCore.Tests.Infrastructure;
using KeyPairAuth.Keys;
using KeyPairAuth.Stores;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace KeyPairAuth.EntityFrameworkCore.Tests;

/// <summary>The PostgreSQL schema and stored forms (the conformance suite covers behaviour).</summary>
public sealed class PostgresStoreTests : IAsyncLifetime
{
    private PostgresTestDatabase? _database;

    public async Task InitializeAsync()
    {
        if (!PostgresTestDatabase.IsConfigured)
        {
            return;
        }

        _database = new PostgresTestDatabase();
        await _database.CreateAsync();
        await using AppDbContext context = NewContext();
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task Schema_EnsureCreated_KeyIdIsUniqueAndOwnerIsIndexed()
    {
        List<string> indexes = [];
        await using NpgsqlConnection connection = await OpenAsync();
        await using NpgsqlCommand command = new("SELECT indexdef FROM pg_indexes WHERE tablename = 'keypairauth_keys' ORDER BY indexname", connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            indexes.Add(reader.GetString(0));
        }

        Assert.Contains(indexes, d => d.StartsWith("CREATE UNIQUE INDEX ix_keypairauth_keys_key_id ON public.keypairauth_keys USING btree (key_id)", StringComparison.Ordinal));
        Assert.Contains(indexes, d => d.StartsWith("CREATE INDEX ix_keypairauth_keys_owner ON public.keypairauth_keys USING btree (owner)", StringComparison.Ordinal));
    }

    [PostgresFact]
    public async Task Schema_Columns_AreBytesAndTimestampsWithTimeZone()
    {
        Dictionary<string, string> types = [];
        await using NpgsqlConnection connection = await OpenAsync();
        await using NpgsqlCommand command = new("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'keypairauth_keys'", connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            types[reader.GetString(0)] = reader.GetString(1);
        }

        Assert.Equal("bytea", types["public_key"]);
        foreach (string column in new[] { "created_at", "expires_at", "revoked_at", "last_used_at" })
        {
            Assert.Equal("timestamp with time zone", types[column]);
        }
    }

    [PostgresFact]
    public async Task Add_TimeWithOffset_IsStoredAsTheSameUtcInstant()
    {
        DateTimeOffset created = new(2030, 1, 3, 3, 4, 5, 678, TimeSpan.FromHours(5));
        using SigningKey key = SigningKey.Generate();
        PublicKeyRecord record = new() { KeyId = key.KeyId, Owner = "alice", Name = "test", PublicKey = key.PublicKey, CreatedAt = created };
        await using AppDbContext context = NewContext();
        Assert.Equal(PublicKeyAddResult.Added, await new EntityFrameworkCorePublicKeyStore<AppDbContext>(context).AddAsync(record, 10));

        await using NpgsqlConnection connection = await OpenAsync();
        await using NpgsqlCommand command = new($"SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS'), public_key FROM keypairauth_keys WHERE key_id = '{record.KeyId}'", connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());

        Assert.Equal("2030-01-02 22:04:05.678", reader.GetString(0));
        Assert.Equal(key.PublicKey.RawBytes.ToArray(), (byte[])reader.GetValue(1));
        Assert.Equal(created, (await new EntityFrameworkCorePublicKeyStore<AppDbContext>(NewContext()).FindAsync(record.KeyId))?.CreatedAt);
    }

    private AppDbContext NewContext() => new(new DbContextOptionsBuilder<AppDbContext>().UseNpgsql(_database!.ConnectionString).Options);

    private async Task<NpgsqlConnection> OpenAsync()
    {
        NpgsqlConnection connection = new(_database!.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
