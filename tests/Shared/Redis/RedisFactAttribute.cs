namespace KeyPairAuth.Testing;

/// <summary>
/// A test that needs the Redis started by <c>./test.sh</c> (<c>.ci/services/redis.sh</c>): reported skipped, with the
/// reason, when <c>KEYPAIRAUTH_TEST_REDIS</c> is not set (a plain <c>dotnet test</c>). When it is set the test runs and
/// fails if that Redis cannot be reached: never a silent pass.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (RedisTestEnvironment.Configuration is null)
        {
            Skip = $"{RedisTestEnvironment.ConfigurationVariable} is not set: run ./test.sh, which starts a throwaway Redis (.ci/services/redis.sh).";
        }
    }
}

/// <summary>
/// A test that starts its own private Redis servers (to stop and restart them) with the binary in
/// <c>KEYPAIRAUTH_TEST_REDIS_SERVER</c>: skipped, with the reason, when that variable is not set; fails when it is set
/// but the server cannot be started.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RedisServerFactAttribute : FactAttribute
{
    public RedisServerFactAttribute()
    {
        if (RedisTestEnvironment.ServerPath is null)
        {
            Skip = $"{RedisTestEnvironment.ServerVariable} is not set: run ./test.sh, which installs redis-server and exports it (.ci/services/redis.sh).";
        }
    }
}
