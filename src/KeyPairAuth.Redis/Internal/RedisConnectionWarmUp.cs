using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace KeyPairAuth.Redis.Internal;

/// <summary>
/// Opens the Redis connection while the app starts, and waits for one answered round trip to the primary, so the first
/// requests do not pay for (or fail on) the initial connect: a multiplexer can report itself connected while its
/// hand-shake (which server is the primary) is still running, and with <see cref="BacklogPolicy.FailFast"/> a replay
/// check sent then would fail. Waits at most <see cref="MaxWait"/>: when Redis is not there by then the app starts
/// anyway, refuses signed requests with 503 until Redis answers, and the connection keeps being retried in the
/// background.
/// </summary>
internal sealed class RedisConnectionWarmUp(RedisConnection connection, TimeProvider timeProvider) : IHostedService
{
    internal static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(50);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        long started = timeProvider.GetTimestamp();
        try
        {
            IConnectionMultiplexer multiplexer = await connection.GetAsync().WaitAsync(MaxWait, timeProvider, cancellationToken).ConfigureAwait(false);
            while (true)
            {
                TimeSpan left = MaxWait - timeProvider.GetElapsedTime(started);
                if (left <= TimeSpan.Zero)
                {
                    return;
                }

                try
                {
                    // The replay check demands the primary too (SET must not go to a replica).
                    await multiplexer.GetDatabase().PingAsync(CommandFlags.DemandMaster).WaitAsync(left, timeProvider, cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (RedisException)
                {
                    // Not ready yet (no primary known, or not connected): try again shortly, within MaxWait.
                    await Task.Delay(RetryDelay, timeProvider, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is TimeoutException or RedisException)
        {
            // Not fatal: the replay cache fails closed and logs the outage on the first request.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
