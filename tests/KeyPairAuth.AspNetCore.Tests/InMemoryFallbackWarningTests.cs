using System.Collections.Concurrent;
using System.Net;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Replay;
using KeyPairAuth.Stores;
using KeyPairAuth.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KeyPairAuth.AspNetCore.Tests;

/// <summary>
/// <c>AddKeyPair()</c> alone falls back to the in-memory key store and replay cache; outside Development it says so
/// once at start-up. A choice made on purpose is not warned about. Options of the key cache and replay cache are
/// checked at start-up.
/// </summary>
public sealed class InMemoryFallbackWarningTests
{
    private const int FallbackEventId = 108;

    [Fact]
    public async Task Production_NothingChosen_LogsOneWarningAtStartUp()
    {
        List<LogLine> lines = await StartAndStopAsync(Environments.Production, _ => { });

        LogLine warning = Assert.Single(lines, l => l.EventId == FallbackEventId);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("keys are lost on restart; replay protection is per instance", warning.Message, StringComparison.Ordinal);
        Assert.Contains("UseInMemoryStores()", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Staging_NothingChosen_LogsTheWarningToo()
    {
        List<LogLine> lines = await StartAndStopAsync(Environments.Staging, _ => { });

        Assert.Single(lines, l => l.EventId == FallbackEventId && l.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task Development_NothingChosen_NoWarning()
    {
        List<LogLine> lines = await StartAndStopAsync(Environments.Development, _ => { });

        Assert.DoesNotContain(lines, l => l.EventId == FallbackEventId);
        Assert.NotEmpty(lines); // the logger did capture the start-up, so the absence means something
    }

    [Fact]
    public async Task Production_UseInMemoryStores_NoWarning()
    {
        List<LogLine> lines = await StartAndStopAsync(Environments.Production, s => s.AddKeyPairAuth().UseInMemoryStores());

        Assert.DoesNotContain(lines, l => l.EventId == FallbackEventId);
        Assert.NotEmpty(lines);
    }

    [Fact]
    public async Task Production_CustomStoreAndReplayCache_NoWarning()
    {
        List<LogLine> lines = await StartAndStopAsync(Environments.Production, s => s.AddKeyPairAuth()
            .AddPublicKeyStore<FakePublicKeyStore>(ServiceLifetime.Singleton)
            .AddReplayCache<FullReplayCache>());

        Assert.DoesNotContain(lines, l => l.EventId == FallbackEventId);
    }

    [Fact]
    public async Task Production_CustomStoreButFallbackReplayCache_WarnsAboutTheReplayCacheOnly()
    {
        List<LogLine> lines = await StartAndStopAsync(Environments.Production, s => s.AddScoped<IPublicKeyStore, FakePublicKeyStore>());

        LogLine warning = Assert.Single(lines, l => l.EventId == FallbackEventId);
        Assert.Contains("in-memory replay cache", warning.Message, StringComparison.Ordinal);
        Assert.Contains("replay protection is per instance", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("keys are lost on restart", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidKeyCacheOptions_StartUpFailsNamingTheSetting()
    {
        OptionsValidationException ex = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            StartAndStopAsync(Environments.Production, s => s.AddKeyPairAuth().ConfigureKeyCache(o => o.Duration = TimeSpan.FromSeconds(-1))));

        Assert.Contains("PublicKeyCacheOptions.Duration must not be negative", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidReplayCacheOptions_StartUpFailsNamingTheSetting()
    {
        OptionsValidationException ex = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            StartAndStopAsync(Environments.Production, s => s.Configure<InMemoryReplayCacheOptions>(o => o.MaxEntries = 0)));

        Assert.Contains("InMemoryReplayCacheOptions.MaxEntries must be at least 1", ex.Message, StringComparison.Ordinal);
    }

    private static async Task<List<LogLine>> StartAndStopAsync(string environment, Action<IServiceCollection> services)
    {
        var provider = new ListLoggerProvider();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddProvider(provider);
        services(builder.Services);
        builder.Services.AddAuthentication().AddKeyPair();
        WebApplication app = builder.Build();
        await using (app)
        {
            await app.StartAsync();
            await app.StopAsync();
        }

        return [.. provider.Lines];
    }

    private sealed record LogLine(string Category, LogLevel Level, int EventId, string Message);

    /// <summary>Captures this app's log lines only (the suite-wide capturing provider is shared by every test).</summary>
    private sealed class ListLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<LogLine> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<LogLine> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(new LogLine(category, logLevel, eventId.Id, formatter(state, exception)));
        }
    }
}
