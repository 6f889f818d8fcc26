using System.Security.Cryptography;
using KeyPairAuth.Keys;
using KeyPairAuth.Stores;
using NSec.Cryptography;

namespace KeyPairAuth.AspNetCore.Tests.Infrastructure;

/// <summary>A test key pair: its seed (for the hand-written signer), the engine's signing key and the stored record.</summary>
internal sealed class TestKey
{
    private TestKey(string keyId, byte[] seed)
    {
        KeyId = keyId;
        Seed = seed;
        SigningKey = SigningKey.FromSeed(keyId, seed);
        Secrets.Register(Convert.ToBase64String(seed));
        Secrets.Register(Convert.ToHexString(seed));
        Secrets.Register(Convert.ToHexString(seed).ToLowerInvariant());
        Secrets.Register(Base64UrlNoPad(seed));
    }

    public string KeyId { get; }

    public byte[] Seed { get; }

    public SigningKey SigningKey { get; }

    public static TestKey Create(string? keyId = null)
    {
        byte[] seed = RandomNumberGenerator.GetBytes(32);
        return new TestKey(keyId ?? Keys.KeyId.New(), seed);
    }

    public PublicKeyRecord Record(string owner = "alice", IReadOnlyList<string>? scopes = null, DateTimeOffset? expiresAt = null, DateTimeOffset? revokedAt = null) => new()
    {
        KeyId = KeyId,
        Owner = owner,
        Name = "test key",
        PublicKey = SigningKey.PublicKey,
        Scopes = scopes ?? ["orders:read"],
        CreatedAt = TimeProvider.System.GetUtcNow().AddDays(-1),
        ExpiresAt = expiresAt,
        RevokedAt = revokedAt,
    };

    /// <summary>Signs raw bytes with NSec directly (independent of the engine).</summary>
    public byte[] SignRaw(ReadOnlySpan<byte> data)
    {
        using Key key = Key.Import(SignatureAlgorithm.Ed25519, Seed, KeyBlobFormat.RawPrivateKey);
        return SignatureAlgorithm.Ed25519.Sign(key, data);
    }

    private static string Base64UrlNoPad(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
