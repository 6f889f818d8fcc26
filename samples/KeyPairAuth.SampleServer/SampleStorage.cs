namespace KeyPairAuth.SampleServer;

/// <summary>
/// The one place the sample chooses where keys live, shared by the web server and the admin CLI (<c>keys ...</c>).
/// </summary>
/// <remarks>
/// Today this is KeyPairAuth's in-memory store, so keys are lost when the process exits and a <c>keys</c> command run
/// as its own process does not see the server's keys. The durable set-up this seam is for (the
/// <c>KeyPairAuth.EntityFrameworkCore</c> and <c>KeyPairAuth.Redis</c> packages): an embedded SQLite file at
/// <c>Database:Path</c> (default <c>./data/keypairauth.db</c>, schema created on first start), or PostgreSQL and Redis
/// when <c>ConnectionStrings:Postgres</c> and <c>ConnectionStrings:Redis</c> are set.
/// </remarks>
public static class SampleStorage
{
    public const string DefaultDatabasePath = "./data/keypairauth.db";

    /// <summary>Registers the key store, the issuer and the replay cache.</summary>
    public static void AddSampleStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddKeyPairAuth(o => o.MaxActiveKeysPerOwner = configuration.GetValue("Keys:MaxActivePerOwner", 10));
    }

    /// <summary>Prepares the store before first use (creates or migrates the schema of a database store).</summary>
    public static Task InitializeAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        return Task.CompletedTask;
    }

    /// <summary>Says where keys are kept, for the start-up banner and <c>keys</c> output.</summary>
    public static string Describe(IConfiguration configuration) =>
        "in memory (keys are lost when the process exits)";
}
