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

    // The secret string for key id bytes 00..0b and the seed above, computed independently in Python
    // (base64.urlsafe_b64encode(id + seed + struct.pack('<I', zlib.crc32(id + seed)))).
    public const string KnownKeyId = "kpa_AAECAwQFBgcICQoL";
    public const string KnownSecret = "kpa_sk_AAECAwQFBgcICQoLXMWonUxJDV-GUWmOTVF-DP1VTMPVs8xho7IzSfyj5I2TMaCh";

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

    /// <summary>Signs with <paramref name="key"/> and verifies with <paramref name="publicKey"/>.</summary>
    public static bool SignsFor(SigningKey key, Ed25519PublicKey publicKey)
    {
        byte[] data = Encoding.UTF8.GetBytes("\"@method\": POST");
        byte[] signature = new byte[SigningKey.SignatureSize];
        key.Sign(data, signature);
        return SignatureAlgorithm.Ed25519.Verify(publicKey.NSecKey, data, signature);
    }
}
