using KeyPairAuth.EntityFrameworkCore.Tests.Infrastructure;
using KeyPairAuth.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KeyPairAuth.EntityFrameworkCore.Tests;

/// <summary>The EF Core store on SQLite (a real file, write-ahead log) passes the store conformance suite.</summary>
public sealed class SqliteStoreConformanceTests : PublicKeyStoreConformanceTests
{
    private readonly SqliteTestDatabase _database = new();

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddDbContext<AppDbContext>(o => o.UseSqlite(_database.ConnectionString));
        services.AddKeyPairAuth().AddEntityFrameworkCoreStore<AppDbContext>();
    }

    protected override async Task InitializeStoreAsync(IServiceProvider services)
    {
        await using AsyncServiceScope scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AppDbContext>().Database.EnsureCreatedAsync();
        await _database.UseWriteAheadLogAsync();
    }

    protected override async Task<IReadOnlyCollection<object?>> ReadStoredValuesAsync(IServiceProvider services)
    {
        await using AsyncServiceScope scope = services.CreateAsyncScope();
        return await StoredValues.ReadAllAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    protected override async Task DisposeStoreAsync(IServiceProvider services) => await _database.DisposeAsync();
}
