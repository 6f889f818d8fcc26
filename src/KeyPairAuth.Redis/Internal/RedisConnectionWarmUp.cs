using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace KeyPairAuth.Redis.Internal;

/// <summary>
/// Opens the Redis connection while the app starts, so the first requests do not pay for (or fail on) the initial
/// connect. Waits at most <see cref="MaxWait"/>: when Redis is not there by then the app starts anyway, refuses signed
/// requests with 503 until Redis answers, and the connection keeps being retried in the background.
/// </summary>
internal sealed class RedisConnectionWarmUp(RedisConnection connection, TimeProvider timeProvider) : IHostedService
{
    internal static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(5);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await connection.GetAsync().WaitAsync(MaxWait, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or RedisException)
        {
            // Not fatal: the replay cache fails closed and logs the outage on the first request.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
