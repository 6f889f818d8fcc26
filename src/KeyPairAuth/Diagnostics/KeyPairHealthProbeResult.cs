namespace KeyPairAuth.Diagnostics;

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
