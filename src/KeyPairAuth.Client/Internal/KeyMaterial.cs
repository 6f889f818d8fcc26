using KeyPairAuth.Keys;

namespace KeyPairAuth.Client.Internal;

/// <summary>Imports the key a client is configured with, through the core key formats.</summary>
internal static class KeyMaterial
{
    /// <summary>Parses a one-line KeyPairAuth secret.</summary>
    /// <param name="secret">The secret.</param>
    /// <returns>The key.</returns>
    /// <exception cref="KeyFormatException">The secret is malformed; the message says how, without quoting it.</exception>
    public static SigningKey FromSecret(string secret) => SigningKey.Parse(secret);

    /// <summary>Imports a PKCS#8 PEM Ed25519 private key.</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="pem">The PEM text.</param>
    /// <returns>The key.</returns>
    /// <exception cref="KeyFormatException">The PEM is malformed or not Ed25519.</exception>
    public static SigningKey FromPkcs8Pem(string keyId, string pem) => SigningKey.FromPkcs8Pem(keyId, pem);
}
