using System.Data.Common;
using KeyPairAuth.EntityFrameworkCore.Tests.Infrastructure;
using KeyPairAuth.Keys;
using KeyPairAuth.Stores;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace KeyPairAuth.EntityFrameworkCore.Tests;

/// <summary>What the conformance suite cannot see: the SQLite schema, the stored forms, errors and the app's context.</summary>
public sealed class SqliteStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Epoch = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly SqliteTestDatabase _database = new();

    public async Task InitializeAsync()
    {
        await using AppDbContext context = NewContext();
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Schema_EnsureCreated_KeyIdIsUniqueAndOwnerIsIndexed()
    {
        IReadOnlyList<(string Name, bool Unique, string Columns)> indexes = await IndexesAsync("keypairauth_keys");

        Assert.Contains(("ix_keypairauth_keys_key_id", true, "key_id"), indexes);
        Assert.Contains(("ix_keypairauth_keys_owner", false, "owner"), indexes);
    }

    [Fact]
    public async Task Schema_UniqueKeyId_RefusesASecondRowWrittenAroundTheStore()
    {
        PublicKeyRecord record = NewRecord("alice", Epoch);
        await using AppDbContext context = NewContext();
        Assert.Equal(PublicKeyAddResult.Added, await Store(context).AddAsync(record, 10));

        await Assert.ThrowsAsync<SqliteException>(() => ExecuteAsync(
            $"INSERT INTO keypairauth_keys (key_id, owner, name, public_key, scopes, created_at) VALUES ('{record.KeyId}', 'bob', 'x', x'00', '[]', '2030-01-01 00:00:00')"));
    }

    [Fact]
    public async Task Add_PublicKey_IsStoredAsThe32RawBytes()
    {
        PublicKeyRecord record = NewRecord("alice", Epoch);
        await using AppDbContext context = NewContext();
        Assert.Equal(PublicKeyAddResult.Added, await Store(context).AddAsync(record, 10));

        IReadOnlyList<object?> row = await QueryRowAsync($"SELECT typeof(public_key), public_key FROM keypairauth_keys WHERE key_id = '{record.KeyId}'");

        Assert.Equal("blob", row[0]);
        Assert.Equal(record.PublicKey.RawBytes.ToArray(), row[1]);
    }

    [Fact]
    public async Task Add_TimesWithOffsets_AreStoredAsUtcAndReadBackAsTheSameInstants()
    {
        DateTimeOffset created = new(2030, 1, 3, 3, 4, 5, 678, TimeSpan.FromHours(5));
        PublicKeyRecord record = NewRecord("alice", created) with { ExpiresAt = new DateTimeOffset(2030, 6, 1, 1, 0, 0, TimeSpan.FromHours(-7)) };
        await using AppDbContext context = NewContext();
        Assert.Equal(PublicKeyAddResult.Added, await Store(context).AddAsync(record, 10));

        IReadOnlyList<object?> row = await QueryRowAsync($"SELECT created_at, expires_at FROM keypairauth_keys WHERE key_id = '{record.KeyId}'");
        PublicKeyRecord? found = await Store(NewContext()).FindAsync(record.KeyId);

        // UTC text without an offset: orders and compares as instants.
        Assert.Equal("2030-01-02 22:04:05.678", row[0]);
        Assert.Equal("2030-06-01 08:00:00", row[1]);
        Assert.Equal(created, found?.CreatedAt);
        Assert.Equal(TimeSpan.Zero, found?.CreatedAt.Offset);
        Assert.Equal(record.ExpiresAt, found?.ExpiresAt);
    }

    [Fact]
    public async Task Add_SubMicrosecondTicks_AreTruncatedToWholeMicroseconds()
    {
        DateTimeOffset created = Epoch.AddTicks(1_234_567);
        PublicKeyRecord record = NewRecord("alice", created);
        await using AppDbContext context = NewContext();
        Assert.Equal(PublicKeyAddResult.Added, await Store(context).AddAsync(record, 10));

        PublicKeyRecord? found = await Store(NewContext()).FindAsync(record.KeyId);

        Assert.Equal(Epoch.AddTicks(1_234_560), found?.CreatedAt);
    }

    [Fact]
    public async Task RecordLastUsed_AcrossWholeAndFractionalSeconds_ComparesAsTimesInSql()
    {
        // Stored text drops trailing zeros ("12:00:00" vs "11:59:59.999999"): the SQL comparison must still be by time.
        PublicKeyRecord record = NewRecord("alice", Epoch);
        await using AppDbContext context = NewContext();
        IPublicKeyStore store = Store(context);
        Assert.Equal(PublicKeyAddResult.Added, await store.AddAsync(record, 10));
        DateTimeOffset noon = Epoch.AddHours(12);

        await store.RecordLastUsedAsync(record.KeyId, noon);
        await store.RecordLastUsedAsync(record.KeyId, noon.AddTicks(-10));
        Assert.Equal(noon, (await store.FindAsync(record.KeyId))?.LastUsedAt);

        await store.RecordLastUsedAsync(record.KeyId, noon.AddTicks(10));
        Assert.Equal(noon.AddTicks(10), (await store.FindAsync(record.KeyId))?.LastUsedAt);
        Assert.Equal("2030-01-01 12:00:00.000001", (await QueryRowAsync($"SELECT last_used_at FROM keypairauth_keys WHERE key_id = '{record.KeyId}'"))[0]);
    }

    [Fact]
    public async Task Store_DatabaseWithoutTheTables_ThrowsOnEveryOperationInsteadOfReportingNotFound()
    {
        await using SqliteTestDatabase empty = new();
        await using AppDbContext context = new(new DbContextOptionsBuilder<AppDbContext>().UseSqlite(empty.ConnectionString).Options);
        IPublicKeyStore store = Store(context);
        string keyId = KeyId.New();

        await Assert.ThrowsAsync<SqliteException>(async () => await store.FindAsync(keyId));
        await Assert.ThrowsAsync<SqliteException>(async () => await store.ListByOwnerAsync("alice"));
        await Assert.ThrowsAsync<SqliteException>(async () => await store.AddAsync(NewRecord("alice", Epoch), 10));
        await Assert.ThrowsAsync<SqliteException>(async () => await store.RevokeAsync(keyId, Epoch));
        await Assert.ThrowsAsync<SqliteException>(async () => await store.RecordLastUsedAsync(keyId, Epoch));
    }

    [Fact]
    public async Task Store_PostgresServerUnreachable_FindThrowsInsteadOfReportingNotFound()
    {
        int closedPort;
        using (System.Net.Sockets.TcpListener listener = new(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        await using AppDbContext context = new(new DbContextOptionsBuilder<AppDbContext>()
            .UseNpgsql($"Host=127.0.0.1;Port={closedPort};Username=nobody;Password=x;Database=none;Timeout=5;Pooling=false").Options);

        // Npgsql's default execution strategy wraps it in an InvalidOperationException ("transient failure").
        Exception error = await Assert.ThrowsAnyAsync<Exception>(async () => await Store(context).FindAsync(KeyId.New()));
        Assert.IsType<NpgsqlException>(error as NpgsqlException ?? error.InnerException);
    }

    [Fact]
    public void Store_ContextWithoutAddKeyPairAuth_ExplainsWhatToCall()
    {
        using ForgetfulDbContext context = new(new DbContextOptionsBuilder<ForgetfulDbContext>().UseSqlite(_database.ConnectionString).Options);

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => new EntityFrameworkCorePublicKeyStore<ForgetfulDbContext>(context));

        Assert.Contains("modelBuilder.AddKeyPairAuth()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Model_RenamedTables_AreCreatedAndUsed()
    {
        await using SqliteTestDatabase database = new();
        await using RenamedTablesDbContext context = new(new DbContextOptionsBuilder<RenamedTablesDbContext>().UseSqlite(database.ConnectionString).Options);
        await context.Database.EnsureCreatedAsync();
        PublicKeyRecord record = NewRecord("alice", Epoch);

        Assert.Equal(PublicKeyAddResult.Added, await new EntityFrameworkCorePublicKeyStore<RenamedTablesDbContext>(context).AddAsync(record, 10));

        DbConnection connection = context.Database.GetDbConnection();
        await connection.OpenAsync();
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name)";
        Assert.Equal("api_key_owners,api_keys", await command.ExecuteScalarAsync());
        command.CommandText = "SELECT key_id FROM api_keys";
        Assert.Equal(record.KeyId, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Add_OnTheAppsContext_LeavesNothingTracked()
    {
        await using AppDbContext context = NewContext();
        IPublicKeyStore store = Store(context);

        Assert.Equal(PublicKeyAddResult.Added, await store.AddAsync(NewRecord("alice", Epoch), 1));
        Assert.Equal(PublicKeyAddResult.ActiveKeyLimitReached, await store.AddAsync(NewRecord("alice", Epoch), 1));

        Assert.Empty(context.ChangeTracker.Entries());
    }

    [Fact]
    public async Task Add_InsideTheAppsTransaction_IsRolledBackWithIt()
    {
        PublicKeyRecord record = NewRecord("alice", Epoch);
        await using (AppDbContext context = NewContext())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            context.Orders.Add(new Order { Item = "book" });
            Assert.Equal(PublicKeyAddResult.Added, await Store(context).AddAsync(record, 10));
            Assert.NotNull(await Store(context).FindAsync(record.KeyId));
            await transaction.RollbackAsync();
        }

        await using AppDbContext after = NewContext();
        Assert.Null(await Store(after).FindAsync(record.KeyId));
        Assert.Empty(after.Orders);
    }

    [Fact]
    public void AddEntityFrameworkCoreStore_CalledTwice_RegistersOneScopedStoreInPlaceOfTheInMemoryOne()
    {
        ServiceCollection services = new();
        services.AddDbContext<AppDbContext>(o => o.UseSqlite(_database.ConnectionString));

        services.AddKeyPairAuth().AddEntityFrameworkCoreStore<AppDbContext>().AddEntityFrameworkCoreStore<AppDbContext>();
        services.AddKeyPairAuth();

        ServiceDescriptor descriptor = Assert.Single(services, d => d.ServiceType == typeof(IPublicKeyStore));
        Assert.Equal(ServiceLifetime.Scoped, descriptor.Lifetime);
        using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        using IServiceScope first = provider.CreateScope();
        using IServiceScope second = provider.CreateScope();
        IPublicKeyStore store = first.ServiceProvider.GetRequiredService<IPublicKeyStore>();
        Assert.IsType<EntityFrameworkCorePublicKeyStore<AppDbContext>>(store);
        Assert.Same(store, first.ServiceProvider.GetRequiredService<IPublicKeyStore>());
        Assert.NotSame(store, second.ServiceProvider.GetRequiredService<IPublicKeyStore>());
    }

    private static PublicKeyRecord NewRecord(string owner, DateTimeOffset createdAt)
    {
        using SigningKey key = SigningKey.Generate();
        return new PublicKeyRecord { KeyId = key.KeyId, Owner = owner, Name = "test", PublicKey = key.PublicKey, CreatedAt = createdAt };
    }

    private static EntityFrameworkCorePublicKeyStore<AppDbContext> Store(AppDbContext context) => new(context);

    private AppDbContext NewContext() => new(new DbContextOptionsBuilder<AppDbContext>().UseSqlite(_database.ConnectionString).Options);

    private async Task ExecuteAsync(string sql)
    {
        await using SqliteConnection connection = new(_database.ConnectionString);
        await connection.OpenAsync();
        await using SqliteCommand command = new(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<IReadOnlyList<object?>> QueryRowAsync(string sql)
    {
        await using SqliteConnection connection = new(_database.ConnectionString);
        await connection.OpenAsync();
        await using SqliteCommand command = new(sql, connection);
        await using SqliteDataReader reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return [.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i))];
    }

    private async Task<IReadOnlyList<(string Name, bool Unique, string Columns)>> IndexesAsync(string table)
    {
        await using SqliteConnection connection = new(_database.ConnectionString);
        await connection.OpenAsync();
        List<(string, bool)> list = [];
        await using (SqliteCommand command = new($"SELECT name, \"unique\" FROM pragma_index_list('{table}')", connection))
        await using (SqliteDataReader reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                list.Add((reader.GetString(0), reader.GetInt64(1) == 1));
            }
        }

        List<(string, bool, string)> indexes = [];
        foreach ((string name, bool unique) in list)
        {
            await using SqliteCommand columns = new($"SELECT group_concat(name, ',') FROM pragma_index_info('{name}')", connection);
            indexes.Add((name, unique, (string)(await columns.ExecuteScalarAsync())!));
        }

        return indexes;
    }
}
