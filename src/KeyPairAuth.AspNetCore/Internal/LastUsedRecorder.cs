using System.Collections.Concurrent;
using System.Threading.Channels;
using KeyPairAuth.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>
/// Records when keys were last used without a store write per request: the request path only touches a dictionary
/// and, at most once per key per interval, enqueues a write; a background loop performs it in its own DI scope.
/// </summary>
internal sealed class LastUsedRecorder
{
    private const int QueueCapacity = 10_000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastQueued = new(StringComparer.Ordinal);
    private readonly Channel<(string KeyId, DateTimeOffset UsedAt)> _queue =
        Channel.CreateBounded<(string, DateTimeOffset)>(new BoundedChannelOptions(QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });

    private readonly IServiceScopeFactory _scopeFactory;
    private readonly ILogger _logger;

    // Writes that failed since the last one that succeeded (only the single reader loop touches it): an outage is
    // logged once when it starts and once when a write succeeds again, not once per failed write (one per request).
    private long _failedWrites;

    public LastUsedRecorder(IServiceScopeFactory scopeFactory, ILogger<LastUsedRecorder> logger)
    {
        _scopeFactory = scopeFactory;
        _logger = logger;
    }

    /// <summary>Notes a use; enqueues a store write only when the key's last write is at least <paramref name="interval"/> old.</summary>
    public void Record(string keyId, DateTimeOffset usedAt, TimeSpan interval)
    {
        while (true)
        {
            if (!_lastQueued.TryGetValue(keyId, out DateTimeOffset previous))
            {
                if (!_lastQueued.TryAdd(keyId, usedAt))
                {
                    continue;
                }
            }
            else if (usedAt - previous < interval || !_lastQueued.TryUpdate(keyId, usedAt, previous))
            {
                // Recent enough, or another request just claimed this interval.
                return;
            }

            if (!_queue.Writer.TryWrite((keyId, usedAt)))
            {
                Log.LastUsedQueueFull(_logger, keyId);
            }

            return;
        }
    }

    /// <summary>Performs queued writes until <paramref name="stoppingToken"/> fires or <see cref="Complete"/> was called and the queue drained.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach ((string keyId, DateTimeOffset usedAt) in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    AsyncServiceScope scope = _scopeFactory.CreateAsyncScope();
                    await using (scope.ConfigureAwait(false))
                    {
                        IPublicKeyStore store = scope.ServiceProvider.GetRequiredService<IPublicKeyStore>();
                        await store.RecordLastUsedAsync(keyId, usedAt, stoppingToken).ConfigureAwait(false);
                    }

                    if (_failedWrites > 0)
                    {
                        Log.LastUsedRecordRecovered(_logger, _failedWrites);
                        _failedWrites = 0;
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // A failed bookkeeping write must never stop the loop; it is logged.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    // Let the next use after this failure try again.
                    _lastQueued.TryRemove(new KeyValuePair<string, DateTimeOffset>(keyId, usedAt));
                    if (_failedWrites++ == 0)
                    {
                        Log.LastUsedRecordFailed(_logger, keyId, ex);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Stops accepting uses; <see cref="RunAsync"/> ends once the queue is drained.</summary>
    public void Complete() => _queue.Writer.TryComplete();
}

/// <summary>Runs <see cref="LastUsedRecorder.RunAsync"/> for the lifetime of the host, and drains its queue when the host stops.</summary>
internal sealed class LastUsedRecorderService : BackgroundService
{
    private readonly LastUsedRecorder _recorder;

    public LastUsedRecorderService(LastUsedRecorder recorder) => _recorder = recorder;

    /// <summary>
    /// Stops taking uses and lets the writes already queued finish, within the host's shutdown timeout
    /// (<paramref name="cancellationToken"/>), before the loop is cancelled: a graceful shutdown (a deploy) does not drop
    /// the last-used times of keys used just before it.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _recorder.Complete();
        if (ExecuteTask is { } running)
        {
            try
            {
                await running.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The shutdown timeout: what is still queued is given up below.
            }
        }

        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _recorder.RunAsync(stoppingToken);
}
