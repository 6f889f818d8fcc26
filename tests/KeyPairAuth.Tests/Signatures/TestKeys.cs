using KeyPairAuth.Keys;
using KeyPairAuth.Stores;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>RFC 9421 B.1.4 test-key-ed25519, deterministic keys, and key records.</summary>
internal static class TestKeys
{
    public const string RfcKeyId = "test-key-ed25519";

    public static byte[] RfcSeed => Convert.FromHexString("9f8362f87a484a954e6e740c5b4c0e84229139a20aa8ab56ff66586f6a7d29c5");

    public static byte[] RfcPublic => Convert.FromHexString("26b40b8f93fff3d897112f7ebc582b232dbd72517d082fe83cfb30ddce43d1bb");

    public static SigningKey RfcSigningKey(string keyId = RfcKeyId) => SigningKey.FromSeed(keyId, RfcSeed);

    public static SigningKey NewSigningKey(string keyId, byte fill)
    {
        byte[] seed = new byte[32];
        Array.Fill(seed, fill);
        return SigningKey.FromSeed(keyId, seed);
    }

    public static PublicKeyRecord Record(SigningKey key, DateTimeOffset? expiresAt = null, DateTimeOffset? revokedAt = null) => new()
    {
        KeyId = key.KeyId,
        Owner = "owner-1",
        Name = "test",
        PublicKey = key.PublicKey,
        CreatedAt = DateTimeOffset.UnixEpoch,
        ExpiresAt = expiresAt,
        RevokedAt = revokedAt,
    };
}
