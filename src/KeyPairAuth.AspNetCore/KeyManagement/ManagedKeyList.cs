namespace KeyPairAuth.AspNetCore.KeyManagement;

/// <summary>The signed-in user's keys: the body of <c>GET {prefix}</c>.</summary>
public sealed class ManagedKeyList
{
    /// <summary>Gets the keys (active, expired and revoked), oldest first.</summary>
    public required IReadOnlyList<ManagedKey> Keys { get; init; }
}
