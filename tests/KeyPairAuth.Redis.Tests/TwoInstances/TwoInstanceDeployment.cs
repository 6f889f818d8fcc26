using KeyPairAuth.EntityFrameworkCore;
using KeyPairAuth.EntityFrameworkCore.Tests.Infrastructure;
using KeyPairAuth.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace KeyPairAuth.Redis.Tests.TwoInstances;

/// <summary>
/// The "many instances behind a load balancer" deployment, for real: a fresh PostgreSQL database (EF Core store, schema
/// by <c>EnsureCreated</c>) and a private Redis (replay cache + revocation fan-out) that the test may stop and start,
/// shared by two Kestrel instances <see cref="A"/> and <see cref="B"/> on different loopback ports.
/// </summary>
internal sealed class TwoInstanceDeployment : IAsyncDisposable
{
    // Two pools of 20 stay well under PostgreSQL's default 100 connections even with other tests on the same server.
    private const int MaxPoolSizePerInstance = 20;

    private readonly List<IAsyncDisposable> _owned = [];

    private TwoInstanceDeployment()
    {
    }

    public KestrelInstance A { get; private set; } = null!;

    public KestrelInstance B { get; private set; } = null!;

    public RedisServerProcess Redis { get; private set; } = null!;

    /// <summary>Starts the database, Redis and both instances; on any failure disposes what was started and rethrows (the test fails).</summary>
    /// <param name="redisTimeout">The replay-cache bound; the test default (2 s) when <see langword="null"/>.</param>
    public static async Task<TwoInstanceDeployment> StartAsync(TimeSpan? redisTimeout = null)
    {
        var deployment = new TwoInstanceDeployment();
        try
        {
            var database = new PostgresTestDatabase();
            deployment._owned.Add(database);
            await database.CreateAsync();
            string connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString)
            {
                MaxPoolSize = MaxPoolSizePerInstance,
                Timeout = 30,
                CommandTimeout = 60,
            }.ToString();

            DbContextOptions<TwoInstanceDbContext> options = new DbContextOptionsBuilder<TwoInstanceDbContext>().UseNpgsql(connectionString).Options;
            await using (var context = new TwoInstanceDbContext(options))
            {
                await context.Database.EnsureCreatedAsync();
            }

            deployment.Redis = await RedisServerProcess.StartNewAsync();
            deployment._owned.Add(deployment.Redis);
            var settings = RedisInstanceSettings.Unique(deployment.Redis.Configuration, redisTimeout);

            deployment.A = await StartInstanceAsync(settings, connectionString);
            deployment._owned.Add(deployment.A);
            deployment.B = await StartInstanceAsync(settings, connectionString);
            deployment._owned.Add(deployment.B);
            return deployment;
        }
        catch
        {
            await deployment.DisposeAsync();
            throw;
        }
    }

    /// <summary>Completes when both instances listen on the revocation channel (bounded: a slow machine, not a hang).</summary>
    public async Task FanOutSubscribedAsync()
    {
        await Subscriber(A).Subscribed.WaitAsync(TimeSpan.FromSeconds(30));
        await Subscriber(B).Subscribed.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        // Apps first, then Redis, then the database (dropped WITH (FORCE)).
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        _owned.Clear();
    }

    private static Task<KestrelInstance> StartInstanceAsync(RedisInstanceSettings settings, string connectionString) =>
        KestrelInstance.StartAsync(
            settings,
            store: null,
            configure: services => services.AddDbContext<TwoInstanceDbContext>(o => o.UseNpgsql(connectionString)),
            keyPair: builder => builder.AddEntityFrameworkCoreStore<TwoInstanceDbContext>());

    private static Internal.RedisRevocationSubscriber Subscriber(KestrelInstance instance) =>
        instance.Services.GetRequiredService<Internal.RedisRevocationSubscriber>();
}

/// <summary>The application's context both instances share: only the KeyPairAuth tables.</summary>
internal sealed class TwoInstanceDbContext(DbContextOptions<TwoInstanceDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddKeyPairAuth();
}

/// <summary>
/// A test that needs both servers from <c>./test.sh</c>: PostgreSQL (<c>KEYPAIRAUTH_TEST_POSTGRES</c>) and the
/// redis-server binary for a private server it can stop and start (<c>KEYPAIRAUTH_TEST_REDIS_SERVER</c>). Skipped with
/// the reason when either is missing; when both are set, an unreachable server fails the test.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class TwoInstanceFactAttribute : FactAttribute
{
    public TwoInstanceFactAttribute()
    {
        var missing = new List<string>();
        if (!PostgresTestDatabase.IsConfigured)
        {
            missing.Add(PostgresTestDatabase.Variable);
        }

        if (RedisTestEnvironment.ServerPath is null)
        {
            missing.Add(RedisTestEnvironment.ServerVariable);
        }

        if (missing.Count > 0)
        {
            Skip = $"{string.Join(" and ", missing)} not set: the two-instance test needs PostgreSQL and Redis; run ./test.sh (.ci/services/postgres.sh, .ci/services/redis.sh).";
        }
    }
}
