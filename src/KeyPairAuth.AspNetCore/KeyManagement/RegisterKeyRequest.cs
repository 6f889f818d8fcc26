using System.Text.Json.Serialization;

namespace KeyPairAuth.AspNetCore.KeyManagement;

/// <summary>
/// The body of <c>POST {prefix}/register</c>: registers a public key the user generated themselves, so the private key
/// never reaches the server. Members other than these are refused.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class RegisterKeyRequest
{
    /// <summary>Gets or sets the key's name: 1 to 100 characters, no control characters.</summary>
    public string? Name { get; set; }

    /// <summary>
    /// Gets or sets the Ed25519 public key as SubjectPublicKeyInfo PEM, JWK, an OpenSSH line (<c>ssh-ed25519 AAAA...</c>)
    /// or raw base64url.
    /// </summary>
    public string? PublicKey { get; set; }

    /// <summary>Gets or sets the scopes to grant; each must be allowed by <see cref="KeyPairKeyManagementOptions"/>.</summary>
    public IReadOnlyList<string>? Scopes { get; set; }

    /// <summary>Gets or sets when the key stops being accepted, or <see langword="null"/> for no expiry.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
}
