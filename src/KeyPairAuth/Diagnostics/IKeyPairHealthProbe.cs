namespace KeyPairAuth.Diagnostics;

/// <summary>
/// Implemented by a key store or replay cache that can check its own health more cheaply or more precisely than the
/// generic probe the KeyPairAuth health checks otherwise make (a key lookup for an <see cref="Stores.IPublicKeyStore"/>,
/// a short-lived entry for an <see cref="Replay.IReplayCache"/>). For example a database store can run a connection
/// check, and <see cref="Replay.InMemoryReplayCache"/> reports how full it is.
/// </summary>
/// <remarks>
/// The health checks (<c>AddKeyPairAuthChecks()</c> in <c>KeyPairAuth.AspNetCore</c>) use this interface when the
/// registered store or cache implements it. A probe that cannot reach its backend may throw; the check reports the
/// exception as unhealthy. Descriptions and data must not contain secrets or connection strings.
/// </remarks>
public interface IKeyPairHealthProbe
{
    /// <summary>Checks the component.</summary>
    /// <param name="cancellationToken">Cancels the check (the health check's timeout).</param>
    /// <returns>The component's health.</returns>
    ValueTask<KeyPairHealthProbeResult> CheckHealthAsync(CancellationToken cancellationToken = default);
}
