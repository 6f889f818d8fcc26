using System.Buffers.Text;
using System.Security.Cryptography;
using NSec.Cryptography;

namespace KeyPairAuth.Keys;

/// <summary>
/// An Ed25519 public key: the only key material the server stores. Immutable; equal when the 32 bytes are equal.
/// </summary>
public sealed class Ed25519PublicKey : IEquatable<Ed25519PublicKey>
{
    /// <summary>The size of a raw Ed25519 public key, in bytes.</summary>
    public const int Size = 32;

    private readonly byte[] _raw;

    private Ed25519PublicKey(byte[] raw, PublicKey key)
    {
        _raw = raw;
        NSecKey = key;
    }

    /// <summary>Gets the NSec key used to verify signatures.</summary>
    internal PublicKey NSecKey { get; }

    /// <summary>Gets the raw 32-byte key (RFC 8032 encoding).</summary>
    public ReadOnlySpan<byte> RawBytes => _raw;

    /// <summary>Creates a key from its raw 32-byte encoding.</summary>
    /// <param name="raw">The 32 bytes.</param>
    /// <returns>The key.</returns>
    /// <exception cref="KeyFormatException">The bytes are not a valid Ed25519 public key.</exception>
    public static Ed25519PublicKey FromRawBytes(ReadOnlySpan<byte> raw)
    {
        if (raw.Length != Size)
        {
            throw new KeyFormatException(KeyFormatError.WrongLength, $"An Ed25519 public key is {Size} bytes; found {raw.Length}.");
        }

        if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, raw, KeyBlobFormat.RawPublicKey, out PublicKey? key) || key is null)
        {
            throw new KeyFormatException(KeyFormatError.InvalidKey, "The bytes are not a valid Ed25519 public key.");
        }

        return new Ed25519PublicKey(raw.ToArray(), key);
    }

    /// <inheritdoc/>
    public bool Equals(Ed25519PublicKey? other) =>
        other is not null && CryptographicOperations.FixedTimeEquals(_raw, other._raw);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Ed25519PublicKey);

    /// <inheritdoc/>
    public override int GetHashCode() => BitConverter.ToInt32(_raw, 0);

    /// <summary>Returns the key as raw base64url, which is not secret.</summary>
    /// <returns>The base64url encoding of the raw key.</returns>
    public override string ToString() => Base64Url.EncodeToString(_raw);
}
