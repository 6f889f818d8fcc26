using System.Text.Json.Serialization;

namespace KeyPairAuth.AspNetCore.KeyManagement;

/// <summary>
/// The body of <c>POST {prefix}</c>: asks the server to generate a key pair for the signed-in user. Members other than
/// these (an <c>owner</c>, say) are refused: the owner is always the signed-in user.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class CreateKeyRequest
{
    /// <summary>Gets or sets the key's name: 1 to 100 characters, no control characters.</summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets the scopes to grant; each must be allowed by <see cref="KeyPairKeyManagementOptions"/>.</summary>
    public IReadOnlyList<string>? Scopes { get; set; }

    /// <summary>Gets or sets when the key stops being accepted, or <see langword="null"/> for no expiry.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
}
