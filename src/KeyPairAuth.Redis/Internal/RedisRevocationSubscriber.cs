using KeyPairAuth.Keys;
using KeyPairAuth.Stores;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace KeyPairAuth.Redis.Internal;

/// <summary>
/// Subscribes to <see cref="KeyPairAuthRedisOptions.RevocationChannel"/> and drops every key id received from this
/// process's <see cref="PublicKeyCache"/>, so a key revoked on another instance is refused here within about a
/// round trip instead of after the key-cache duration.
/// </summary>
/// <remarks>
/// Start-up never waits on Redis: the subscription is made in the background and retried until it holds; afterwards
/// the multiplexer restores it after a reconnect. Messages that arrive while it is down are lost, and the key-cache
/// duration bounds the delay for those keys. Nothing here runs on the request path.
/// </remarks>
internal sealed class RedisRevocationSubscriber : IHostedService, IAsyncDisposable
{
    // The subscription is background work: it may wait longer than a request would, and retries with back-off.
    private static readonly TimeSpan SubscribeTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);
    private const int MaxMessageLength = 64;

    private readonly RedisConnection _connection;
    private readonly PublicKeyCache _cache;
    private readonly RedisChannel _channel;
    private readonly string _channelName;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Action<RedisChannel, RedisValue> _handler;
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _stopping;
    private Task? _running;
    private IConnectionMultiplexer? _multiplexer;
    private int _down;

    public RedisRevocationSubscriber(RedisConnection connection, PublicKeyCache cache, IOptions<KeyPairAuthRedisOptions> options, TimeProvider timeProvider, ILogger<RedisRevocationSubscriber>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _connection = connection;
        _cache = cache;
        _channelName = options.Value.RevocationChannel;
        _channel = RedisChannel.Literal(_channelName);
        _timeProvider = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _handler = OnMessage;
    }

    /// <summary>Gets a task that completes once the subscription is in place (for tests and diagnostics).</summary>
    internal Task Subscribed => _subscribed.Task;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = new CancellationTokenSource();
        _running = Task.Run(() => SubscribeAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is null || _running is null)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _running.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_multiplexer is { } multiplexer)
        {
            multiplexer.ConnectionFailed -= OnConnectionFailed;
            multiplexer.ConnectionRestored -= OnConnectionRestored;
            if (_subscribed.Task.IsCompleted && multiplexer.IsConnected)
            {
                try
                {
                    await multiplexer.GetSubscriber().UnsubscribeAsync(_channel, _handler).WaitAsync(SubscribeTimeout, _timeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
                {
                    // Shutting down: the connection closes anyway.
                }
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _stopping?.Cancel();
        _stopping?.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task SubscribeAsync(CancellationToken stopping)
    {
        TimeSpan delay = FirstRetryDelay;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                IConnectionMultiplexer multiplexer = await _connection.GetAsync().WaitAsync(stopping).ConfigureAwait(false);
                if (_multiplexer is null)
                {
                    _multiplexer = multiplexer;
                    multiplexer.ConnectionFailed += OnConnectionFailed;
                    multiplexer.ConnectionRestored += OnConnectionRestored;
                }

                await multiplexer.GetSubscriber().SubscribeAsync(_channel, _handler).WaitAsync(SubscribeTimeout, _timeProvider, stopping).ConfigureAwait(false);
                Interlocked.Exchange(ref _down, 0);
                Log.RevocationSubscribed(_logger, _channelName);
                _subscribed.TrySetResult();
                return;
            }
            // Any failure, not only Redis ones, is logged and retried: an exception escaping here would end the loop
            // silently and leave this instance without revocation notices.
            catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                if (stopping.IsCancellationRequested)
                {
                    return;
                }

                if (Interlocked.Exchange(ref _down, 1) == 0)
                {
                    Log.RevocationSubscriptionDown(_logger, _channelName, ex.GetType().Name, ex);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await Task.Delay(delay, _timeProvider, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    private void OnMessage(RedisChannel channel, RedisValue message)
    {
        // Anyone who can publish on the channel can only make us drop cache entries (a cost, not a bypass); still,
        // only well-formed key ids are acted on.
        long length = message.Length();
        string? keyId = length <= MaxMessageLength ? (string?)message : null;
        if (!KeyId.IsValid(keyId))
        {
            Log.RevocationMessageIgnored(_logger, _channelName, length);
            return;
        }

        _cache.Invalidate(keyId);
        Log.RevocationReceived(_logger, keyId);
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription && _subscribed.Task.IsCompleted && Interlocked.Exchange(ref _down, 1) == 0)
        {
            Log.RevocationSubscriptionDown(_logger, _channelName, e.FailureType.ToString(), e.Exception);
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription && _subscribed.Task.IsCompleted && Interlocked.Exchange(ref _down, 0) == 1)
        {
            Log.RevocationSubscriptionRestored(_logger, _channelName);
        }
    }
}

/// <summary>
/// The hosted-service registration of <see cref="RedisRevocationSubscriber"/> (a distinct type, so
/// <c>TryAddEnumerable</c> keeps it to one registration however often the verb is called).
/// </summary>
internal sealed class RevocationSubscriberHost(RedisRevocationSubscriber subscriber) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => subscriber.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => subscriber.StopAsync(cancellationToken);
}
