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

/// <summary>The state a <see cref="IKeyPairHealthProbe"/> reports (the same values as ASP.NET Core's <c>HealthStatus</c>).</summary>
public enum KeyPairHealthStatus
{
    /// <summary>The component cannot do its job; requests that need it fail.</summary>
    Unhealthy = 0,

    /// <summary>The component works but is close to a limit (for example a replay cache nearly full).</summary>
    Degraded = 1,

    /// <summary>The component works.</summary>
    Healthy = 2,
}

/// <summary>The result of <see cref="IKeyPairHealthProbe.CheckHealthAsync"/>: a status, a sentence, and optional figures.</summary>
public sealed class KeyPairHealthProbeResult
{
    private static readonly IReadOnlyDictionary<string, object> NoData = new Dictionary<string, object>();

    private KeyPairHealthProbeResult(KeyPairHealthStatus status, string description, IReadOnlyDictionary<string, object>? data)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        Status = status;
        Description = description;
        Data = data ?? NoData;
    }

    /// <summary>Gets the status.</summary>
    public KeyPairHealthStatus Status { get; }

    /// <summary>Gets a sentence describing the state, for operators (never secrets).</summary>
    public string Description { get; }

    /// <summary>Gets figures behind the status (for example entries and capacity); empty when there are none.</summary>
    public IReadOnlyDictionary<string, object> Data { get; }

    /// <summary>Creates a healthy result.</summary>
    /// <param name="description">What was checked.</param>
    /// <param name="data">Optional figures.</param>
    /// <returns>The result.</returns>
    public static KeyPairHealthProbeResult Healthy(string description, IReadOnlyDictionary<string, object>? data = null) =>
        new(KeyPairHealthStatus.Healthy, description, data);

    /// <summary>Creates a degraded result: working, but close to a limit.</summary>
    /// <param name="description">What is close to its limit.</param>
    /// <param name="data">Optional figures.</param>
    /// <returns>The result.</returns>
    public static KeyPairHealthProbeResult Degraded(string description, IReadOnlyDictionary<string, object>? data = null) =>
        new(KeyPairHealthStatus.Degraded, description, data);

    /// <summary>Creates an unhealthy result.</summary>
    /// <param name="description">What is wrong.</param>
    /// <param name="data">Optional figures.</param>
    /// <returns>The result.</returns>
    public static KeyPairHealthProbeResult Unhealthy(string description, IReadOnlyDictionary<string, object>? data = null) =>
        new(KeyPairHealthStatus.Unhealthy, description, data);

    /// <summary>Returns the status and description.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Status}: {Description}";
}
