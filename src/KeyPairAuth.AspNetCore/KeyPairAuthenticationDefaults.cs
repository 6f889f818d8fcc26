namespace KeyPairAuth.AspNetCore;

/// <summary>Default values for the KeyPair authentication scheme.</summary>
public static class KeyPairAuthenticationDefaults
{
    /// <summary>The default authentication scheme name, <c>KeyPair</c>.</summary>
    public const string AuthenticationScheme = "KeyPair";

    /// <summary>The default display name, <c>KeyPair (HTTP Message Signatures)</c>.</summary>
    public const string DisplayName = "KeyPair (HTTP Message Signatures)";

    /// <summary>The prefix of policy names added by <c>AddScopePolicy</c>: <c>scope:</c> (so <c>scope:orders:write</c>).</summary>
    public const string ScopePolicyPrefix = "scope:";

    /// <summary>The default largest body checked against <c>Content-Digest</c>: 1 MiB.</summary>
    public const long MaxBodySize = 1024 * 1024;

    /// <summary>The default body size kept in memory before buffering spills to a temporary file: 64 KiB.</summary>
    public const int BodyBufferThreshold = 64 * 1024;

    /// <summary>The default interval between two last-used writes for the same key: 1 minute.</summary>
    public static readonly TimeSpan LastUsedInterval = TimeSpan.FromMinutes(1);

    /// <summary>The default <c>Retry-After</c> sent with a 503 when the replay cache is full: 1 second.</summary>
    public static readonly TimeSpan ReplayCacheFullRetryAfter = TimeSpan.FromSeconds(1);
}
