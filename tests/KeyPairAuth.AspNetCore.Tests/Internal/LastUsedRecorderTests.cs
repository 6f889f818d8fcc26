using KeyPairAuth.AspNetCore.Internal;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.AspNetCore.Tests.Internal;

public sealed class LastUsedRecorderTests
{
    private static (LastUsedRecorder Recorder, CountingPublicKeyStore Store) Create()
    {
        var store = new CountingPublicKeyStore();
        ServiceProvider services = new ServiceCollection().AddSingleton<IPublicKeyStore>(store).BuildServiceProvider();
        return (new LastUsedRecorder(services.GetRequiredService<IServiceScopeFactory>(), NullLogger<LastUsedRecorder>.Instance), store);
    }

    [Fact]
    public async Task Record_ManyUsesWithinInterval_OneStoreWritePerKeyPerInterval()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        (LastUsedRecorder recorder, CountingPublicKeyStore store) = Create();
        TimeSpan interval = TimeSpan.FromMinutes(1);

        for (int i = 0; i < 50; i++)
        {
            recorder.Record("key-a", time.GetUtcNow(), interval);
            recorder.Record("key-b", time.GetUtcNow(), interval);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        time.Advance(TimeSpan.FromSeconds(10));
        recorder.Record("key-a", time.GetUtcNow(), interval);
        recorder.Complete();
        await recorder.RunAsync(CancellationToken.None);

        Assert.Equal(3, store.LastUsedWrites);
        Assert.Equal(2, store.LastUsed.Count(u => u.KeyId == "key-a"));
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 1, 0, TimeSpan.Zero), store.LastUsed.Where(u => u.KeyId == "key-a").Max(u => u.At));
    }

    [Fact]
    public async Task Record_ConcurrentUses_OneWrite()
    {
        var time = new FakeTimeProvider();
        (LastUsedRecorder recorder, CountingPublicKeyStore store) = Create();

        Parallel.For(0, 1000, _ => recorder.Record("key-a", time.GetUtcNow(), TimeSpan.FromMinutes(1)));
        recorder.Complete();
        await recorder.RunAsync(CancellationToken.None);

        Assert.Equal(1, store.LastUsedWrites);
    }

    [Fact]
    public async Task Run_StoreThrows_KeepsRunningAndRetriesLater()
    {
        var time = new FakeTimeProvider();
        ServiceProvider services = new ServiceCollection().AddSingleton<IPublicKeyStore, ThrowingPublicKeyStore>().BuildServiceProvider();
        var recorder = new LastUsedRecorder(services.GetRequiredService<IServiceScopeFactory>(), NullLogger<LastUsedRecorder>.Instance);

        recorder.Record("key-a", time.GetUtcNow(), TimeSpan.FromMinutes(1));
        using var cts = new CancellationTokenSource();
        Task run = recorder.RunAsync(cts.Token);
        await Task.Delay(50);
        recorder.Record("key-a", time.GetUtcNow(), TimeSpan.FromMinutes(1));
        recorder.Complete();

        await run; // Completes without throwing although every write failed.
    }
}
