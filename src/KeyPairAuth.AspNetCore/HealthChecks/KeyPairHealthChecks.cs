using System.Security.Cryptography;
using KeyPairAuth.Diagnostics;
using KeyPairAuth.Replay;
using KeyPairAuth.Stores;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KeyPairAuth.AspNetCore.HealthChecks;

/// <summary>Checks that the key store answers: its own probe when it has one, else one lookup of an id no key has.</summary>
internal sealed class KeyStoreHealthCheck(IPublicKeyStore store) : IHealthCheck
{
    // A well-formed key id (so a store that checks the grammar still looks it up) that no key derives in practice (2^-96).
    internal const string ProbeKeyId = "kpa_HealthCheckProbe";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            if (store is IKeyPairHealthProbe probe)
            {
                return KeyPairHealthCheckResults.From(await probe.CheckHealthAsync(cancellationToken).ConfigureAwait(false), context);
            }

            _ = await store.FindAsync(ProbeKeyId, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"The key store ({store.GetType().Name}) answered a lookup.");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested || ex is not OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The key store ({store.GetType().Name}) is unreachable: {ex.GetType().Name}.", ex);
        }
    }
}

/// <summary>Checks that the replay cache answers and has room: its own probe when it has one, else one short-lived entry.</summary>
internal sealed class ReplayCacheHealthCheck(IReplayCache cache, TimeProvider timeProvider) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        string name = cache.GetType().Name;
        try
        {
            if (cache is IKeyPairHealthProbe probe)
            {
                return KeyPairHealthCheckResults.From(await probe.CheckHealthAsync(cancellationToken).ConfigureAwait(false), context);
            }

            // A fresh nonce under the probe key id, forgotten a second later: the same atomic call a request makes.
            string nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            ReplayCheckResult result = await cache.TryAddAsync(KeyStoreHealthCheck.ProbeKeyId, nonce, timeProvider.GetUtcNow().AddSeconds(1), cancellationToken).ConfigureAwait(false);
            return result switch
            {
                ReplayCheckResult.CapacityExceeded => new HealthCheckResult(context.Registration.FailureStatus,
                    $"The replay cache ({name}) is full: fresh requests are refused (replay_cache_full)."),
                ReplayCheckResult.Unavailable => new HealthCheckResult(context.Registration.FailureStatus,
                    $"The replay cache ({name}) is unavailable: requests are refused (replay_cache_unavailable)."),

                // Accepted, or (for a hammered health endpoint) rate-limited for the probe key: either way it answered.
                _ => HealthCheckResult.Healthy($"The replay cache ({name}) answered."),
            };
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested || ex is not OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The replay cache ({name}) is unreachable: {ex.GetType().Name}.", ex);
        }
    }
}

/// <summary>Maps a component's own probe result onto a health check result.</summary>
internal static class KeyPairHealthCheckResults
{
    public static HealthCheckResult From(KeyPairHealthProbeResult result, HealthCheckContext context)
    {
        HealthStatus status = result.Status switch
        {
            KeyPairHealthStatus.Healthy => HealthStatus.Healthy,
            KeyPairHealthStatus.Degraded => HealthStatus.Degraded,
            _ => context.Registration.FailureStatus,
        };
        return new HealthCheckResult(status, result.Description, exception: null, result.Data);
    }
}
