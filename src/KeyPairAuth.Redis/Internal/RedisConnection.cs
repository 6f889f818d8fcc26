using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace KeyPairAuth.Redis.Internal;

/// <summary>
/// The Redis connection the replay cache and the revocation fan-out share: the app's <see cref="IConnectionMultiplexer"/>
/// when <see cref="KeyPairAuthRedisOptions.Configuration"/> is not set, else one of our own, opened on first use in
/// the background so start-up never waits on Redis.
/// </summary>
internal sealed class RedisConnection : IAsyncDisposable, IDisposable
{
    // A failed attempt (the app's factory threw) is retried on the next use, but not more often than this.
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly IServiceProvider _services;
    private readonly KeyPairAuthRedisOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private Task<IConnectionMultiplexer>? _connecting;
    private long _retryAt;
    private readonly bool _owned;
    private bool _disposed;

    public RedisConnection(IServiceProvider services, IOptions<KeyPairAuthRedisOptions> options, TimeProvider timeProvider, ILogger<RedisConnection>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _services = services;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;

        // Known up front (not set on the connecting thread), so disposal always sees whether the connection is ours.
        _owned = !string.IsNullOrWhiteSpace(_options.Configuration);
    }

    /// <summary>
    /// Gets the multiplexer, starting to connect on the first call. Never blocks: the task may still be running (the
    /// caller bounds its wait) and may be connected or not (<see cref="IConnectionMultiplexer.IsConnected"/>). A failure
    /// is a <see cref="RedisConnectionException"/>.
    /// </summary>
    public Task<IConnectionMultiplexer> GetAsync()
    {
        Task<IConnectionMultiplexer>? task = Volatile.Read(ref _connecting);
        if (task is { IsFaulted: false })
        {
            return task;
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            task = _connecting;
            if (task is null || (task.IsFaulted && _timeProvider.GetTimestamp() >= Volatile.Read(ref _retryAt)))
            {
                // Off the caller's thread: an app's multiplexer factory may connect synchronously.
                task = Task.Run(ConnectAsync);
                Volatile.Write(ref _connecting, task);
            }

            return task;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task<IConnectionMultiplexer>? task;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            task = _connecting;
        }

        if (task is not null && _owned)
        {
            try
            {
                IConnectionMultiplexer multiplexer = await task.ConfigureAwait(false);
                await multiplexer.DisposeAsync().ConfigureAwait(false);
            }
            catch (RedisException)
            {
                // Never connected: nothing to close.
            }
        }
    }

    public void Dispose()
    {
        Task<IConnectionMultiplexer>? task;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            task = _connecting;
        }

        // Never block a synchronous dispose on a connect still running: close it when it finishes.
        if (task is not null && _owned)
        {
            task.ContinueWith(static t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task<IConnectionMultiplexer> ConnectAsync()
    {
        try
        {
            if (string.IsNullOrWhiteSpace(_options.Configuration))
            {
                return _services.GetRequiredService<IConnectionMultiplexer>();
            }

            ConfigurationOptions configuration = ConfigurationOptions.Parse(_options.Configuration);

            // Keep reconnecting in the background instead of throwing when Redis is down at start-up, and fail commands
            // at once while disconnected instead of queueing them: a dead Redis must not pile up requests.
            configuration.AbortOnConnectFail = false;
            configuration.BacklogPolicy = BacklogPolicy.FailFast;

            // Read replies on the .NET thread pool rather than StackExchange.Redis's dedicated socket threads: the replay
            // check sits on every request of an async app, and the extra thread hop cost 20-50 % more client CPU per
            // check and doubled the single-call latency in our measurements (docs/benchmarks.md, "Redis replay cache").
            configuration.SocketManager ??= SocketManager.ThreadPool;
            configuration.ClientName ??= "keypairauth";
            if (_logger.IsEnabled(LogLevel.Information))
            {
                string endpoints = string.Join(",", configuration.EndPoints);
                Log.Connecting(_logger, endpoints);
            }

            return await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Volatile.Write(ref _retryAt, _timeProvider.GetTimestamp() + (long)(RetryInterval.TotalSeconds * _timeProvider.TimestampFrequency));
            if (ex is RedisConnectionException)
            {
                throw;
            }

            // One exception type for callers; the inner one says what went wrong (never the configuration string).
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "KeyPairAuth could not obtain a Redis connection.", ex);
        }
    }
}
