using BenchmarkDotNet.Attributes;
using KeyPairAuth.Benchmarks.Infrastructure;
using KeyPairAuth.Benchmarks.Stores;

namespace KeyPairAuth.Benchmarks.Suites;

/// <summary>
/// Verification of a signed GET with the key cache hit, over the in-memory store (baseline) and over the EF Core store
/// (PostgreSQL when <c>KEYPAIRAUTH_TEST_POSTGRES</c> is set, else a SQLite file). On a hit the store is not called, so
/// the ratio should be 1: the database is off the hot path. <c>store</c> (StoreRunner) measures the same pair interleaved,
/// and the cold lookup.
/// </summary>
[BenchmarkCategory("Store")]
public class StoreBenchmarks
{
    private BenchDatabase _database = null!;
    private VerifyFixture _inMemory = null!;
    private VerifyFixture _efCore = null!;

    [GlobalSetup]
    public void Setup()
    {
        _database = BenchDatabase.CreateAsync(BenchDatabase.PostgresConfigured).GetAwaiter().GetResult();
        using (KeyPairAuth.Keys.SigningKey key = KeyPairAuth.Keys.SigningKey.FromSeed(Fixtures.KeyId, Fixtures.Seed))
        {
            Fixtures.Require(_database.Store.AddAsync(Fixtures.RecordFor(key, TimeProvider.System.GetUtcNow()), 10).AsTask().GetAwaiter().GetResult()
                == KeyPairAuth.Stores.PublicKeyAddResult.Added, "the bench key is stored");
        }

        _inMemory = VerifyFixture.ForGet();
        _efCore = VerifyFixture.ForGet(_database.Store);
        Console.WriteLine($"// EF Core store on {_database.Provider}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _inMemory.Dispose();
        _efCore.Dispose();
        _database.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "verify GET, key cache hit, in-memory store")]
    public ValueTask<bool> InMemoryStore() => _inMemory.VerifyNextAsync();

    [Benchmark(Description = "verify GET, key cache hit, EF Core store")]
    public ValueTask<bool> EfCoreStore() => _efCore.VerifyNextAsync();
}
