using NSec.Cryptography;

namespace KeyPairAuth.Keys;

/// <summary>
/// An Ed25519 private key with its key id: what a client signs requests with. Holds secret material:
/// dispose it when done; <see cref="ToString"/> shows the key id only.
/// </summary>
public sealed class SigningKey : IDisposable
{
    /// <summary>The size of an Ed25519 signature, in bytes.</summary>
    public const int SignatureSize = 64;

    private readonly Key _key;

    private SigningKey(string keyId, Key key)
    {
        KeyId = keyId;
        _key = key;
        PublicKey = Ed25519PublicKey.FromRawBytes(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    /// <summary>Gets the key id (not secret).</summary>
    public string KeyId { get; }

    /// <summary>Gets the public half.</summary>
    public Ed25519PublicKey PublicKey { get; }

    /// <summary>Creates a signing key from a 32-byte Ed25519 seed (RFC 8032 private key). The caller keeps ownership of <paramref name="seed"/> and should zero it.</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="seed">The 32-byte seed.</param>
    /// <returns>The signing key.</returns>
    /// <exception cref="KeyFormatException">The seed is not 32 bytes.</exception>
    public static SigningKey FromSeed(string keyId, ReadOnlySpan<byte> seed)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        if (seed.Length != 32)
        {
            throw new KeyFormatException(KeyFormatError.WrongLength, $"An Ed25519 private key seed is 32 bytes; found {seed.Length}.");
        }

        Key key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey,
            new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return new SigningKey(keyId, key);
    }

    /// <summary>Signs <paramref name="data"/> into <paramref name="signature"/> (64 bytes).</summary>
    /// <param name="data">The signature base.</param>
    /// <param name="signature">Receives the 64-byte signature.</param>
    internal void Sign(ReadOnlySpan<byte> data, Span<byte> signature) =>
        SignatureAlgorithm.Ed25519.Sign(_key, data, signature);

    /// <summary>Gets the NSec key (for exports inside this assembly).</summary>
    internal Key NSecKey => _key;

    /// <summary>Releases the private key; libsodium zeroes its memory.</summary>
    public void Dispose() => _key.Dispose();

    /// <summary>Returns a description that names the key id only, never secret material.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"SigningKey {{ KeyId = {KeyId} }}";
}
