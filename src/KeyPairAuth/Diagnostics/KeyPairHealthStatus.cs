namespace KeyPairAuth.Diagnostics;

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
