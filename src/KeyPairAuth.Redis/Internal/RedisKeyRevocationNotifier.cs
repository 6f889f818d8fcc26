using KeyPairAuth.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace KeyPairAuth.Redis.Internal;

/// <summary>
/// Publishes a revoked key's id on <see cref="KeyPairAuthRedisOptions.RevocationChannel"/> so every instance drops it
/// from its key cache (see <see cref="RedisRevocationSubscriber"/>). Never throws for Redis trouble: the revocation is
/// already stored, and the key-cache duration bounds the delay on the other instances.
/// </summary>
internal sealed class RedisKeyRevocationNotifier : IKeyRevocationNotifier
{
    private readonly RedisConnection _connection;
    private readonly RedisChannel _channel;
    private readonly string _channelName;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public RedisKeyRevocationNotifier(RedisConnection connection, IOptions<KeyPairAuthRedisOptions> options, TimeProvider timeProvider, ILogger<RedisKeyRevocationNotifier>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _connection = connection;
        _channelName = options.Value.RevocationChannel;
        _channel = RedisChannel.Literal(_channelName);
        _timeout = options.Value.Timeout;
        _timeProvider = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public async ValueTask NotifyRevokedAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        Task<long>? pending = null;
        try
        {
            long start = _timeProvider.GetTimestamp();
            IConnectionMultiplexer multiplexer = await _connection.GetAsync().WaitAsync(_timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
            if (!multiplexer.IsConnected)
            {
                Log.RevocationPublishFailed(_logger, keyId, _channelName, "not connected", null);
                return;
            }

            TimeSpan remaining = _timeout - _timeProvider.GetElapsedTime(start);
            pending = multiplexer.GetSubscriber().PublishAsync(_channel, keyId);
            long receivers = await pending.WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _timeProvider, cancellationToken).ConfigureAwait(false);
            Log.RevocationPublished(_logger, keyId, _channelName, receivers);
        }
        catch (TimeoutException ex)
        {
            pending?.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            Log.RevocationPublishFailed(_logger, keyId, _channelName, $"no answer within {_timeout.TotalMilliseconds:F0} ms", ex);
        }
        catch (RedisException ex)
        {
            Log.RevocationPublishFailed(_logger, keyId, _channelName, ex.GetType().Name, ex);
        }
        catch (ObjectDisposedException ex)
        {
            Log.RevocationPublishFailed(_logger, keyId, _channelName, "connection closed", ex);
        }
    }
}
