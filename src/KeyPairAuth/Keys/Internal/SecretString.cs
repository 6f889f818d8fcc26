using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace KeyPairAuth.Keys.Internal;

/// <summary>
/// The secret string format: <c>kpa_sk_</c> + base64url(key-id bytes (12) ‖ seed (32) ‖ CRC-32 (4, little-endian)).
/// 48 bytes encode to exactly 64 base64url characters with no padding, so every string has one canonical form and
/// every character carries six bits of the payload. The first 16 payload characters are the key id's own characters.
/// </summary>
/// <remarks>
/// The checksum is CRC-32 (IEEE 802.3, <see cref="System.IO.Hashing.Crc32"/>). It detects every error confined to 32
/// consecutive bits, so every single-character substitution and every swap of two adjacent characters in a secret is
/// caught, not just most of them. It is a typo check, not a MAC: an altered seed is simply a different key that no
/// server knows.
/// </remarks>
internal static class SecretString
{
    public const string Prefix = "kpa_sk_";
    public const int PayloadBytes = KeyId.RandomBytes + SeedSize + 4;
    public const int PayloadChars = PayloadBytes / 3 * 4;
    public const int Length = 7 + PayloadChars;
    public const int SeedSize = 32;

    // Longer input is rejected before any other work, so a hostile caller cannot make parsing expensive.
    private const int MaxInputLength = 1024;

    /// <summary>Writes the secret string for a key id and seed.</summary>
    /// <param name="keyId">A valid KeyPairAuth key id.</param>
    /// <param name="seed">The 32-byte seed.</param>
    /// <returns>The characters of the secret; the caller zeroes them when done.</returns>
    public static char[] Encode(string keyId, ReadOnlySpan<byte> seed)
    {
        Span<byte> payload = stackalloc byte[PayloadBytes];
        try
        {
            KeyId.ToBytes(keyId, payload[..KeyId.RandomBytes]);
            seed.CopyTo(payload.Slice(KeyId.RandomBytes, SeedSize));
            BinaryPrimitives.WriteUInt32LittleEndian(payload[(KeyId.RandomBytes + SeedSize)..], System.IO.Hashing.Crc32.HashToUInt32(payload[..(KeyId.RandomBytes + SeedSize)]));
            char[] secret = new char[Length];
            Prefix.AsSpan().CopyTo(secret);
            Base64Url.EncodeToChars(payload, secret.AsSpan(Prefix.Length));
            return secret;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(payload);
        }
    }

    /// <summary>Reads a secret string.</summary>
    /// <param name="text">The text.</param>
    /// <param name="seed">Receives the 32-byte seed; zeroed on failure. The caller zeroes it when done.</param>
    /// <param name="keyId">Receives the key id.</param>
    /// <returns><see langword="null"/> on success, else the error (never containing secret material).</returns>
    public static KeyFormatException? TryDecode(ReadOnlySpan<char> text, Span<byte> seed, out string? keyId)
    {
        keyId = null;
        if (text.Length > MaxInputLength)
        {
            return new KeyFormatException(KeyFormatError.WrongLength,
                $"A KeyPairAuth secret is {Length} characters; the input has {text.Length}.");
        }

        text = text.Trim();
        if (text.IsEmpty)
        {
            return new KeyFormatException(KeyFormatError.WrongLength, "The secret is empty.");
        }

        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return new KeyFormatException(KeyFormatError.WrongPrefix, DescribeWrongPrefix(text));
        }

        if (text.Length != Length)
        {
            return new KeyFormatException(KeyFormatError.WrongLength,
                $"A KeyPairAuth secret is {Length} characters; found {text.Length}: it was truncated or has extra characters.");
        }

        ReadOnlySpan<char> encoded = text[Prefix.Length..];
        int bad = encoded.IndexOfAnyExcept(KeyId.Base64UrlAlphabet);
        if (bad >= 0)
        {
            // The position helps the user; the character itself is part of the secret and is not shown.
            return new KeyFormatException(KeyFormatError.BadEncoding,
                $"The secret contains a character outside the base64url alphabet [A-Za-z0-9_-] at position {Prefix.Length + bad}.");
        }

        Span<byte> payload = stackalloc byte[PayloadBytes];
        try
        {
            if (!TryDecodeBase64Url(encoded, payload, out int written) || written != PayloadBytes)
            {
                return new KeyFormatException(KeyFormatError.BadEncoding, "The secret is not valid base64url.");
            }

            uint expected = BinaryPrimitives.ReadUInt32LittleEndian(payload[(KeyId.RandomBytes + SeedSize)..]);
            if (System.IO.Hashing.Crc32.HashToUInt32(payload[..(KeyId.RandomBytes + SeedSize)]) != expected)
            {
                return new KeyFormatException(KeyFormatError.ChecksumMismatch,
                    "The secret's checksum does not match: it was mistyped or truncated. Copy it again from where it was saved.");
            }

            payload.Slice(KeyId.RandomBytes, SeedSize).CopyTo(seed);
            keyId = KeyId.FromBytes(payload[..KeyId.RandomBytes]);
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(payload);
        }
    }

    private static bool TryDecodeBase64Url(ReadOnlySpan<char> encoded, Span<byte> payload, out int written)
    {
        try
        {
            return Base64Url.TryDecodeFromChars(encoded, payload, out written);
        }
        catch (FormatException)
        {
            // Unreachable after the alphabet check for a 64-character payload; kept so no other exception escapes.
            written = 0;
            return false;
        }
    }

    private static string DescribeWrongPrefix(ReadOnlySpan<char> text)
    {
        if (text.Length == KeyId.Length && KeyId.IsValid(text.ToString()))
        {
            return $"This is a key id, not a secret. A KeyPairAuth secret starts with '{Prefix}'.";
        }

        if (text.StartsWith("-----BEGIN", StringComparison.Ordinal))
        {
            return $"This is a PEM, not a secret string: read it with SigningKey.FromPkcs8Pem. A KeyPairAuth secret starts with '{Prefix}'.";
        }

        if (Prefix.AsSpan().StartsWith(text))
        {
            return $"A KeyPairAuth secret is {Length} characters starting with '{Prefix}'; found only the beginning of the prefix: it was truncated.";
        }

        return $"A KeyPairAuth secret starts with '{Prefix}'.";
    }
}
