using StackExchange.Redis;

namespace KeyPairAuth.Testing;

/// <summary>The Redis settings <c>.ci/services/redis.sh</c> exports, and a strict connection for assertions.</summary>
internal static class RedisTestEnvironment
{
    public const string ConfigurationVariable = "KEYPAIRAUTH_TEST_REDIS";
    public const string ServerVariable = "KEYPAIRAUTH_TEST_REDIS_SERVER";

    /// <summary>Gets the StackExchange.Redis configuration string of the shared test Redis, or <see langword="null"/>.</summary>
    public static string? Configuration => NullIfEmpty(Environment.GetEnvironmentVariable(ConfigurationVariable));

    /// <summary>Gets the redis-server binary for private servers, or <see langword="null"/>.</summary>
    public static string? ServerPath => NullIfEmpty(Environment.GetEnvironmentVariable(ServerVariable));

    /// <summary>Gets the configuration string of the shared test Redis; throws when it is not set.</summary>
    public static string RequiredConfiguration =>
        Configuration ?? throw new InvalidOperationException($"{ConfigurationVariable} is not set.");

    /// <summary>
    /// Connects for the test's own raw commands and assertions; fails (throws) within a few seconds when the server does
    /// not answer, so an unreachable Redis fails the test rather than skipping it.
    /// </summary>
    public static async Task<ConnectionMultiplexer> ConnectAsync(string? configuration = null)
    {
        string value = configuration ?? RequiredConfiguration;
        ConfigurationOptions options = ConfigurationOptions.Parse(value);
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = 5000;
        options.AllowAdmin = true;
        try
        {
            return await ConnectionMultiplexer.ConnectAsync(options);
        }
        catch (RedisConnectionException ex)
        {
            throw new InvalidOperationException($"The test Redis at {value} ({ConfigurationVariable}) cannot be reached: {ex.Message}", ex);
        }
    }

    /// <summary>A key prefix and channel no other test uses, so tests can share one Redis in parallel.</summary>
    public static string UniqueName(string kind) => $"kpa-test:{kind}:{Guid.NewGuid():N}:";

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
