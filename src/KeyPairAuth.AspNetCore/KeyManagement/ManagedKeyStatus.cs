using System.Text.Json.Serialization;

namespace KeyPairAuth.AspNetCore.KeyManagement;

/// <summary>Whether a key can authenticate requests.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ManagedKeyStatus>))]
public enum ManagedKeyStatus
{
    /// <summary>The key is neither revoked nor expired (<c>"active"</c>).</summary>
    [JsonStringEnumMemberName("active")]
    Active = 1,

    /// <summary>The key's expiry has passed (<c>"expired"</c>).</summary>
    [JsonStringEnumMemberName("expired")]
    Expired,

    /// <summary>The key was revoked (<c>"revoked"</c>).</summary>
    [JsonStringEnumMemberName("revoked")]
    Revoked,
}
