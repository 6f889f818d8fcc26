using System.Diagnostics;
using System.Globalization;
using System.Text;
using KeyPairAuth.Benchmarks.Infrastructure;
using KeyPairAuth.Keys;
using KeyPairAuth.Stores;
using Npgsql;

namespace KeyPairAuth.Benchmarks.Stores;

/// <summary>
/// <c>store [--quick] [--out FILE]</c>: the EF Core store on PostgreSQL (<c>KEYPAIRAUTH_TEST_POSTGRES</c>; run.sh starts a
/// throwaway server when it is unset).
/// <list type="number">
/// <item>Cold key lookup: <see cref="PublicKeyCache.FindAsync"/> right after <see cref="PublicKeyCache.Invalidate"/> (a
/// miss), through a DI scope per store call, a new <c>DbContext</c> and one EF Core query; p50/p90/p99 over many
/// lookups of distinct keys, one at a time. Beside it, the floor: the same SELECT with raw Npgsql on a pooled
/// connection.</item>
/// <item>Cache hit: full verification of a signed GET with the EF Core store behind the key cache, as a paired,
/// interleaved ratio to the same verification over the in-memory store (the database must be off the hot path).</item>
/// </list>
/// </summary>
internal static class StoreRunner
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (!BenchDatabase.PostgresConfigured)
        {
            Console.Error.WriteLine("KEYPAIRAUTH_TEST_POSTGRES is not set: run benchmarks/run.sh store (it starts a throwaway PostgreSQL).");
            return 2;
        }

        bool quick = args.Contains("--quick");
        int keys = quick ? 200 : 1000;
        int lookups = quick ? 1000 : 10_000;
        int rounds = quick ? 31 : 301;   // more than the other pairs: two equal sides, so only noise moves the ratio
        var inv = CultureInfo.InvariantCulture;

        await using BenchDatabase database = await BenchDatabase.CreateAsync(postgres: true);
        string[] keyIds = await SeedAsync(database.Store, keys);

        var sb = new StringBuilder();
        sb.AppendLine("# EF Core store on PostgreSQL");
        sb.AppendLine();
        sb.AppendLine(inv, $"Command: `benchmarks/run.sh{(quick ? " --quick" : string.Empty)} store`. PostgreSQL on 127.0.0.1 (throwaway server, fsync off), Npgsql.EntityFrameworkCore.PostgreSQL, `AddDbContext` (not pooled), {keys} keys in the table. .NET {Environment.Version}, {Environment.ProcessorCount} cores, shared machine.");
        sb.AppendLine();
        sb.AppendLine(inv, $"## Cold key lookup (cache miss), {lookups} lookups, one at a time");
        sb.AppendLine();
        sb.AppendLine("| path | p50 µs | p90 µs | p99 µs | max µs | mean µs |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|");

        var cache = new PublicKeyCache(database.Store, TimeProvider.System);
        sb.AppendLine(Latencies("PublicKeyCache miss → DI scope → DbContext → EF Core query", lookups, keyIds, async keyId =>
        {
            cache.Invalidate(keyId);
            return await cache.FindAsync(keyId) is not null;
        }));

        await using (var dataSource = NpgsqlDataSource.Create(database.ConnectionString))
        {
            sb.AppendLine(Latencies("floor: raw Npgsql SELECT by key_id on a pooled connection", lookups, keyIds, async keyId =>
            {
                await using NpgsqlCommand command = dataSource.CreateCommand("SELECT key_id, owner, name, public_key, scopes, created_at, expires_at, revoked_at, last_used_at FROM keypairauth_keys WHERE key_id = $1 LIMIT 1");
                command.Parameters.Add(new NpgsqlParameter { Value = keyId });
                await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
                return await reader.ReadAsync();
            }));
        }

        sb.AppendLine();
        sb.AppendLine("## Verification with the key cache hit: EF Core store vs in-memory store");
        sb.AppendLine();
        sb.AppendLine("| pair | in-memory µs/op (median) | EF Core µs/op (median) | ratio, median of rounds | ratio IQR | target |");
        sb.AppendLine("|---|---:|---:|---:|---:|---|");
        var counting = new CountingStore(database.Store);
        using (VerifyFixture inMemory = VerifyFixture.ForGet())
        using (VerifyFixture efCore = VerifyFixture.ForGet(counting))
        {
            int before = counting.Finds;
            long start = Stopwatch.GetTimestamp();
            PairedRatios.Row(sb, "verify GET, key cache hit: in-memory store vs EF Core store (PostgreSQL)", "≤ 1.02",
                () => inMemory.VerifyNextAsync().GetAwaiter().GetResult(),
                () => efCore.VerifyNextAsync().GetAwaiter().GetResult(), rounds);
            sb.AppendLine();
            sb.AppendLine(inv, $"Store lookups made by the EF Core side while the pair ran ({Stopwatch.GetElapsedTime(start).TotalSeconds:F0} s, warm-up included): **{counting.Finds - before}** (the key cache keeps a found key for 30 s; its first lookup was in the fixture's set-up).");
        }

        string markdown = sb.ToString();
        Console.WriteLine(markdown);
        await RunnerArguments.WriteReportAsync(RunnerArguments.OutputPath(args), markdown);
        return 0;
    }

    // The bench key (the verify fixture's) plus distinct keys spread over owners, as a real table holds them.
    private static async Task<string[]> SeedAsync(IPublicKeyStore store, int count)
    {
        DateTimeOffset now = TimeProvider.System.GetUtcNow();
        using (SigningKey benchKey = SigningKey.FromSeed(Fixtures.KeyId, Fixtures.Seed))
        {
            Fixtures.Require(await store.AddAsync(Fixtures.RecordFor(benchKey, now), 10) == PublicKeyAddResult.Added, "the bench key is stored");
        }

        var keyIds = new string[count];
        for (int i = 0; i < count; i++)
        {
            using SigningKey key = SigningKey.Generate();
            PublicKeyRecord record = Fixtures.RecordFor(key, now) with { Owner = $"owner-{i % 50}" };
            Fixtures.Require(await store.AddAsync(record, count) == PublicKeyAddResult.Added, "a key is stored");
            keyIds[i] = key.KeyId;
        }

        return keyIds;
    }

    private static string Latencies(string name, int count, string[] keyIds, Func<string, Task<bool>> lookup)
    {
        // Warm-up: JIT, EF's query cache, connection pool.
        for (int i = 0; i < Math.Min(500, count); i++)
        {
            Fixtures.Require(lookup(keyIds[i % keyIds.Length]).GetAwaiter().GetResult(), "the key is found");
        }

        var micros = new double[count];
        for (int i = 0; i < count; i++)
        {
            string keyId = keyIds[(i * 7919) % keyIds.Length];
            long start = Stopwatch.GetTimestamp();
            bool found = lookup(keyId).GetAwaiter().GetResult();
            micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            Fixtures.Require(found, "the key is found");
        }

        Array.Sort(micros);
        double P(double q) => micros[Math.Min(count - 1, (int)Math.Ceiling(q * count) - 1)];
        string row = string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {P(0.50):F0} | {P(0.90):F0} | {P(0.99):F0} | {micros[^1]:F0} | {micros.Average():F0} |");
        Console.WriteLine(row);
        return row;
    }

    /// <summary>Counts <see cref="IPublicKeyStore.FindAsync"/> calls, to show the hot path does not reach the database.</summary>
    private sealed class CountingStore(IPublicKeyStore inner) : IPublicKeyStore
    {
        private int _finds;

        public int Finds => Volatile.Read(ref _finds);

        public ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _finds);
            return inner.FindAsync(keyId, cancellationToken);
        }

        public ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default) => inner.ListByOwnerAsync(owner, cancellationToken);

        public ValueTask<PublicKeyAddResult> AddAsync(PublicKeyRecord record, int maxActiveKeysPerOwner, CancellationToken cancellationToken = default) => inner.AddAsync(record, maxActiveKeysPerOwner, cancellationToken);

        public ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default) => inner.RevokeAsync(keyId, revokedAt, cancellationToken);

        public ValueTask RecordLastUsedAsync(string keyId, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default) => inner.RecordLastUsedAsync(keyId, lastUsedAt, cancellationToken);
    }
}
