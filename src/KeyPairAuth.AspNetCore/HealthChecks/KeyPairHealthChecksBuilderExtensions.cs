using KeyPairAuth.AspNetCore.HealthChecks;
using KeyPairAuth.Replay;
using KeyPairAuth.Stores;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Health checks for what KeyPair authentication depends on: <c>services.AddHealthChecks().AddKeyPairAuthChecks()</c>.</summary>
public static class KeyPairHealthChecksBuilderExtensions
{
    /// <summary>The name of the check that the key store (<see cref="IPublicKeyStore"/>) answers.</summary>
    public const string KeyStoreCheckName = "keypairauth_key_store";

    /// <summary>The name of the check that the replay cache (<see cref="IReplayCache"/>) answers and has room.</summary>
    public const string ReplayCacheCheckName = "keypairauth_replay_cache";

    /// <summary>
    /// Adds two checks, <see cref="KeyStoreCheckName"/> and <see cref="ReplayCacheCheckName"/>, against whichever
    /// <see cref="IPublicKeyStore"/> and <see cref="IReplayCache"/> are registered (in-memory, a database, Redis …).
    /// </summary>
    /// <remarks>
    /// <para>
    /// A store or cache that implements <see cref="KeyPairAuth.Diagnostics.IKeyPairHealthProbe"/> is asked directly
    /// (<see cref="InMemoryReplayCache"/> reports degraded from 90 % full). Otherwise the key store is probed with one
    /// lookup of a key id no key has, and the replay cache with one entry that expires a second later. A probe that
    /// throws or times out is reported with <paramref name="failureStatus"/>.
    /// </para>
    /// <para>Each check resolves the store in the health check's own scope, so scoped (database) stores work.</para>
    /// </remarks>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="failureStatus">The status reported when a component is unreachable; <see langword="null"/> for <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags for both checks (for example <c>["ready"]</c> to filter a readiness endpoint).</param>
    /// <param name="timeout">How long each check may take; <see langword="null"/> for no timeout of its own.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddKeyPairAuthChecks(
        this IHealthChecksBuilder builder,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string[] tagList = tags?.ToArray() ?? [];
        builder.Add(new HealthCheckRegistration(
            KeyStoreCheckName,
            services => new KeyStoreHealthCheck(services.GetRequiredService<IPublicKeyStore>()),
            failureStatus,
            tagList,
            timeout));
        builder.Add(new HealthCheckRegistration(
            ReplayCacheCheckName,
            services => new ReplayCacheHealthCheck(services.GetRequiredService<IReplayCache>(), services.GetService<TimeProvider>() ?? TimeProvider.System),
            failureStatus,
            tagList,
            timeout));
        return builder;
    }
}
