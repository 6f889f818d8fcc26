using System.Text;
using KeyPairAuth.Keys;
using NSec.Cryptography;

namespace KeyPairAuth.Tests.Keys;

/// <summary>Known keys made with OpenSSL 3.0 and OpenSSH on the development machine, and helpers.</summary>
internal static class TestKeys
{
    // openssl genpkey -algorithm ed25519
    public const string OpenSslPrivatePem =
        "-----BEGIN PRIVATE KEY-----\n" +
        "MC4CAQAwBQYDK2VwBCIEIFzFqJ1MSQ1fhlFpjk1Rfgz9VUzD1bPMYaOyM0n8o+SN\n" +
        "-----END PRIVATE KEY-----\n";

    // openssl pkey -in key.pem -pubout
    public const string OpenSslPublicPem =
        "-----BEGIN PUBLIC KEY-----\n" +
        "MCowBQYDK2VwAyEAxWVwCyMMvBmFFnJnriEBnXhOTYhYPxseLFzJ3XtTBjI=\n" +
        "-----END PUBLIC KEY-----\n";

    // openssl pkey -in key.pem -pubout -outform DER | tail -c 32 | base64url
    public const string OpenSslPublicBase64Url = "xWVwCyMMvBmFFnJnriEBnXhOTYhYPxseLFzJ3XtTBjI";

    // openssl pkey -in key.pem -outform DER | tail -c 32 | xxd -p
    public const string OpenSslSeedHex = "5cc5a89d4c490d5f8651698e4d517e0cfd554cc3d5b3cc61a3b23349fca3e48d";

    // A secret string made before key ids were derived: key id bytes 00..0b (not the key's derived id) and the seed
    // above, computed independently in Python. Such secrets stay readable; the id they carry is used as is.
    // (base64.urlsafe_b64encode(id + seed + struct.pack('<I', zlib.crc32(id + seed)))).
    public const string KnownKeyId = "kpa_AAECAwQFBgcICQoL";
    public const string KnownSecret = "kpa_sk_AAECAwQFBgcICQoLXMWonUxJDV-GUWmOTVF-DP1VTMPVs8xho7IzSfyj5I2TMaCh";

    // The key id the OpenSSL key derives (kpa_ + the first 16 characters of its base64url RFC 7638 JWK thumbprint),
    // computed independently with the openssl one-liner in docs/keys.md, Python hashlib and Node crypto; and the secret
    // string carrying that id with the OpenSSL seed, computed in Python as KnownSecret was.
    public const string OpenSslKeyId = "kpa_LkUSEO3xIErh14l0";
    public const string OpenSslSecret = "kpa_sk_LkUSEO3xIErh14l0XMWonUxJDV-GUWmOTVF-DP1VTMPVs8xho7IzSfyj5I3pFYoF";

    // RFC 8037 appendix A.3: this public key's JWK thumbprint is kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k.
    public const string Rfc8037PublicX = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    public const string Rfc8037KeyId = "kpa_kPrK_qmxVWaYVA9w";

    // A public key (found by search with Node crypto) whose thumbprint starts "sk_": its id would be kpa_sk_J8STSBQ978jDL,
    // which looks like a secret to a scanner and is reserved.
    public const string ReservedIdPublicX = "32CWCMMTFaDrYXsdxIhwAOkSIQ0gGpvrMEoEr6OKp2o";

    // ssh-keygen -t ed25519 -C user@host; fingerprint from ssh-keygen -lf
    public const string SshPublicLine = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIATf3onfkEN4ydibaq9tHx/6Hpv3jQP3AD4f+2NWsL/v user@host";
    public const string SshFingerprint = "SHA256:VVKIz0fj4uBEeYOPtmE6EiABQ0FivrHpgiQvHUt26Uw";

    // openssl genpkey -algorithm ed448 / x25519, then -pubout
    public const string Ed448PrivatePem =
        "-----BEGIN PRIVATE KEY-----\n" +
        "MEcCAQAwBQYDK2VxBDsEOYOY2EmlS4S8+IdkDvbMqAj2l9y4HkSY+mqvyuMs2XsG\n" +
        "9CHy2mioNunn5R0MQFi5leCVO8op1EsvSw==\n" +
        "-----END PRIVATE KEY-----\n";

    public const string Ed448PublicPem =
        "-----BEGIN PUBLIC KEY-----\n" +
        "MEMwBQYDK2VxAzoA76ee6j8K7udB8/7yfv9mT16bxSgCQUh/qhKUkwUdmMv415CX\n" +
        "9MT6nn5ooyW1J6mGvX0r8ULy3fyA\n" +
        "-----END PUBLIC KEY-----\n";

    public const string X25519PublicPem =
        "-----BEGIN PUBLIC KEY-----\n" +
        "MCowBQYDK2VuAyEAmBJm1LDMN1ciPPXn0o5OX2kmwF6GOSzT6AJMqNwL4Gc=\n" +
        "-----END PUBLIC KEY-----\n";

    public static byte[] OpenSslSeed => Convert.FromHexString(OpenSslSeedHex);

    /// <summary>
    /// The key id derived from a public key, written out here independently of <c>KeyId</c>: <c>kpa_</c> + the first 16
    /// base64url characters of SHA-256 over the RFC 7638 canonical JWK.
    /// </summary>
    public static string DerivedKeyIdOf(Ed25519PublicKey publicKey)
    {
        string jwk = "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" + publicKey.ExportBase64Url() + "\"}";
        string thumbprint = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(jwk)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return "kpa_" + thumbprint[..16];
    }

    /// <summary>Signs with <paramref name="key"/> and verifies with <paramref name="publicKey"/>.</summary>
    public static bool SignsFor(SigningKey key, Ed25519PublicKey publicKey)
    {
        byte[] data = Encoding.UTF8.GetBytes("\"@method\": POST");
        byte[] signature = new byte[SigningKey.SignatureSize];
        key.Sign(data, signature);
        return SignatureAlgorithm.Ed25519.Verify(publicKey.NSecKey, data, signature);
    }
}
