using System.Security.Cryptography;
using System.Text;
using KeyPairAuth.Keys;
using NSec.Cryptography;

namespace KeyPairAuth.Client.Internal;

/// <summary>Imports the key a client is configured with. The one place this package touches key formats.</summary>
internal static class KeyMaterial
{
    /// <summary>Parses a one-line KeyPairAuth secret.</summary>
    /// <param name="secret">The secret.</param>
    /// <returns>The key.</returns>
    /// <exception cref="KeyFormatException">The secret is malformed; the message says how.</exception>
    public static SigningKey FromSecret(string secret) =>
        throw new KeyFormatException(KeyFormatError.Malformed, "Secret strings cannot be read yet: the core key formats are pending.");

    /// <summary>Imports a PKCS#8 PEM Ed25519 private key.</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="pem">The PEM text.</param>
    /// <returns>The key.</returns>
    /// <exception cref="KeyFormatException">The PEM is malformed or not Ed25519.</exception>
    public static SigningKey FromPkcs8Pem(string keyId, string pem)
    {
        byte[] text = Encoding.ASCII.GetBytes(pem.Trim());
        if (!Key.TryImport(SignatureAlgorithm.Ed25519, text, KeyBlobFormat.PkixPrivateKeyText, out Key? key,
            new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }) || key is null)
        {
            throw new KeyFormatException(KeyFormatError.Malformed, "The PEM is not a PKCS#8 Ed25519 private key.");
        }

        using (key)
        {
            byte[] seed = key.Export(KeyBlobFormat.RawPrivateKey);
            try
            {
                return SigningKey.FromSeed(keyId, seed);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(seed);
            }
        }
    }
}
