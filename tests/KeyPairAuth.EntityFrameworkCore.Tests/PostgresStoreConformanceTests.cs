using KeyPairAuth.EntityFrameworkCore.Tests.Infrastructure;
using KeyPairAuth.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KeyPairAuth.EntityFrameworkCore.Tests;

/// <summary>The EF Core store on a real PostgreSQL server (a fresh database per test) passes the store conformance suite.</summary>
[RequiresEnvironmentVariable(PostgresTestDatabase.Variable)]
public sealed class PostgresStoreConformanceTests : PublicKeyStoreConformanceTests
{
    private readonly PostgresTestDatabase _database = new();

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddDbContext<AppDbContext>(o => o.UseNpgsql(_database.ConnectionString));
        services.AddKeyPairAuth().AddEntityFrameworkCoreStore<AppDbContext>();
    }

    protected override async Task InitializeStoreAsync(IServiceProvider services)
    {
        await _database.CreateAsync();
        await using AsyncServiceScope scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AppDbContext>().Database.EnsureCreatedAsync();
    }

    protected override async Task<IReadOnlyCollection<object?>> ReadStoredValuesAsync(IServiceProvider services)
    {
        await using AsyncServiceScope scope = services.CreateAsyncScope();
        return await StoredValues.ReadAllAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    protected override async Task DisposeStoreAsync(IServiceProvider services) => await _database.DisposeAsync();
}
