using KeyPairAuth.AspNetCore.Internal;
using KeyPairAuth.Stores;
using KeyPairAuth.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.AspNetCore.Tests.Internal;

public sealed class LastUsedRecorderTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private static LastUsedRecorder Create(FakePublicKeyStore store, ILogger<LastUsedRecorder>? logger = null)
    {
        ServiceProvider services = new ServiceCollection().AddSingleton<IPublicKeyStore>(store).BuildServiceProvider();
        return new LastUsedRecorder(services.GetRequiredService<IServiceScopeFactory>(), logger ?? NullLogger<LastUsedRecorder>.Instance);
    }

    [Fact]
    public async Task Record_ManyUsesWithinInterval_OneStoreWritePerKeyPerInterval()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new FakePublicKeyStore();
        LastUsedRecorder recorder = Create(store);

        for (int i = 0; i < 50; i++)
        {
            recorder.Record("key-a", time.GetUtcNow(), Interval);
            recorder.Record("key-b", time.GetUtcNow(), Interval);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        time.Advance(TimeSpan.FromSeconds(10));
        recorder.Record("key-a", time.GetUtcNow(), Interval);
        recorder.Complete();
        await recorder.RunAsync(CancellationToken.None);

        Assert.Equal(3, store.LastUsedCalls);
        Assert.Equal(2, store.LastUsed.Count(u => u.KeyId == "key-a"));
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 1, 0, TimeSpan.Zero), store.LastUsed.Where(u => u.KeyId == "key-a").Max(u => u.At));
    }

    [Fact]
    public async Task Record_ConcurrentUses_OneWrite()
    {
        var time = new FakeTimeProvider();
        var store = new FakePublicKeyStore();
        LastUsedRecorder recorder = Create(store);

        Parallel.For(0, 1000, _ => recorder.Record("key-a", time.GetUtcNow(), Interval));
        recorder.Complete();
        await recorder.RunAsync(CancellationToken.None);

        Assert.Equal(1, store.LastUsedCalls);
    }

    [Fact]
    public async Task Run_StoreWriteFails_KeepsRunningAndRetriesOnTheNextUseWithinTheInterval()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new FakePublicKeyStore { Failure = new InvalidOperationException("The key store is unavailable."), FailuresLeft = 1 };
        var logger = new FailureSignallingLogger();
        LastUsedRecorder recorder = Create(store, logger);

        recorder.Record("key-a", time.GetUtcNow(), Interval);
        Task run = recorder.RunAsync(CancellationToken.None);

        // The recorder logs the failure after it gave the key's interval back: from then on the next use is written.
        await logger.WriteFailed.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(1));
        DateTimeOffset retriedAt = time.GetUtcNow();
        recorder.Record("key-a", retriedAt, Interval);
        recorder.Complete();
        await run; // Completes without throwing although a write failed.

        Assert.Equal(2, store.LastUsedCalls);
        Assert.Equal([("key-a", retriedAt)], store.LastUsed);
    }

    [Fact]
    public async Task Run_StoreDownForSeveralWrites_LogsOneWarningPerOutageAndOneNoticeWhenWritesSucceedAgain()
    {
        // A database outage with warm key caches: every key used (and, after each failure, every next use) queues a
        // write that fails. One warning for the outage, not one per failed write (that is one per request).
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new FakePublicKeyStore { Failure = new InvalidOperationException("The key store is unavailable."), FailuresLeft = 5 };
        var logger = new RecordingLogger();
        LastUsedRecorder recorder = Create(store, logger);

        for (int i = 0; i < 6; i++)
        {
            recorder.Record($"key-{i}", time.GetUtcNow(), Interval);
        }

        recorder.Complete();
        await recorder.RunAsync(CancellationToken.None);

        Assert.Equal(6, store.LastUsedCalls);
        Assert.Equal([("key-5", time.GetUtcNow())], store.LastUsed);
        (LogLevel Level, EventId EventId, string Message) failure = Assert.Single(logger.Entries, e => e.EventId.Name == "LastUsedRecordFailed");
        Assert.Equal(LogLevel.Warning, failure.Level);
        (LogLevel Level, EventId EventId, string Message) recovered = Assert.Single(logger.Entries, e => e.EventId.Name == "LastUsedRecordRecovered");
        Assert.Equal(LogLevel.Information, recovered.Level);
        Assert.Contains("5 write(s) failed", recovered.Message, StringComparison.Ordinal);
        Assert.Equal(2, logger.Entries.Count);
    }

    [Fact]
    public async Task Service_StoppedWithWritesQueued_PerformsThemBeforeStopping()
    {
        // A graceful shutdown (a deploy) with last-used writes still queued: they are performed within the host's
        // shutdown timeout, not dropped (a key used just before a deploy would otherwise look unused).
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new GatedLastUsedStore();
        ServiceProvider services = new ServiceCollection().AddSingleton<IPublicKeyStore>(store).BuildServiceProvider();
        var recorder = new LastUsedRecorder(services.GetRequiredService<IServiceScopeFactory>(), NullLogger<LastUsedRecorder>.Instance);
        using var service = new LastUsedRecorderService(recorder);
        recorder.Record("key-a", time.GetUtcNow(), Interval);
        recorder.Record("key-b", time.GetUtcNow(), Interval);
        recorder.Record("key-c", time.GetUtcNow(), Interval);

        await service.StartAsync(CancellationToken.None);
        await store.FirstWriteStarted.WaitAsync(TimeSpan.FromSeconds(30));
        Task stopping = service.StopAsync(CancellationToken.None);
        store.Open();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["key-a", "key-b", "key-c"], store.Written);
    }

    /// <summary>Holds every last-used write until <see cref="Open"/> (a slow database); a cancelled write is not written.</summary>
    private sealed class GatedLastUsedStore : IPublicKeyStore
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _firstWriteStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<string> _written = [];

        public Task FirstWriteStarted => _firstWriteStarted.Task;

        public IReadOnlyList<string> Written
        {
            get
            {
                lock (_written)
                {
                    return [.. _written];
                }
            }
        }

        public void Open() => _gate.TrySetResult();

        public async ValueTask RecordLastUsedAsync(string keyId, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default)
        {
            _firstWriteStarted.TrySetResult();
            await _gate.Task.WaitAsync(cancellationToken);
            lock (_written)
            {
                _written.Add(keyId);
            }
        }

        public ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<PublicKeyAddResult> AddAsync(PublicKeyRecord record, int maxActiveKeysPerOwner, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    private sealed class RecordingLogger : ILogger<LastUsedRecorder>
    {
        public List<(LogLevel Level, EventId EventId, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, eventId, formatter(state, exception)));
    }

    /// <summary>Completes <see cref="WriteFailed"/> when the recorder logs a failed write (event 103).</summary>
    private sealed class FailureSignallingLogger : ILogger<LastUsedRecorder>
    {
        private readonly TaskCompletionSource _writeFailed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task WriteFailed => _writeFailed.Task;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name == "LastUsedRecordFailed")
            {
                _writeFailed.TrySetResult();
            }
        }
    }
}
