using KeyPairAuth.Replay;
using KeyPairAuth.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>
/// At start-up, outside Development, logs one warning when the app runs on the in-memory key store or replay cache
/// only because it chose none (<see cref="InMemoryFallbackUsage"/>): keys are lost on restart, replay protection is per
/// instance. A choice made on purpose (<c>UseInMemoryStores()</c>, or any store or replay cache the app registers) is
/// never warned about.
/// </summary>
internal sealed class InMemoryFallbackWarning : IHostedService
{
    private readonly IServiceScopeFactory _scopeFactory;
    private readonly InMemoryFallbackUsage _usage;
    private readonly IHostEnvironment _environment;
    private readonly ILogger _logger;

    public InMemoryFallbackWarning(IServiceScopeFactory scopeFactory, InMemoryFallbackUsage usage, IHostEnvironment environment, ILogger<InMemoryFallbackWarning> logger)
    {
        _scopeFactory = scopeFactory;
        _usage = usage;
        _environment = environment;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_environment.IsDevelopment())
        {
            return Task.CompletedTask;
        }

        // The fallbacks mark themselves when created: resolve both parts once (the store in a scope, as it may be scoped).
        try
        {
            using IServiceScope scope = _scopeFactory.CreateScope();
            _ = scope.ServiceProvider.GetService<IPublicKeyStore>();
            _ = scope.ServiceProvider.GetService<IReplayCache>();
        }
#pragma warning disable CA1031 // A part that cannot be built fails on the first request, where it is logged as an error; a warning must not stop the app.
        catch (Exception)
#pragma warning restore CA1031
        {
            return Task.CompletedTask;
        }

        (string Parts, string Consequences)? warning = (_usage.PublicKeyStore, _usage.ReplayCache) switch
        {
            (true, true) => ("key store and replay cache", "keys are lost on restart; replay protection is per instance"),
            (true, false) => ("key store", "keys are lost on restart"),
            (false, true) => ("replay cache", "replay protection is per instance (a request accepted by one instance can be replayed to another)"),
            _ => null,
        };
        if (warning is { } w)
        {
            Log.InMemoryFallback(_logger, w.Parts, w.Consequences);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
