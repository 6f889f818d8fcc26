using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace KeyPairAuth.Keys;

/// <summary>
/// Creates and checks KeyPairAuth key ids: <c>kpa_</c> followed by 16 base64url characters (96 random bits),
/// for example <c>kpa_3q2-7wAAAAC7u8zd</c>. A key id is URL-safe, short, globally unique and recognisably ours.
/// </summary>
/// <remarks>A key id is not secret: it names a key in logs, dashboards and the <c>keyid</c> signature parameter.</remarks>
public static class KeyId
{
    /// <summary>The prefix every KeyPairAuth key id starts with.</summary>
    public const string Prefix = "kpa_";

    /// <summary>The length of a key id, in characters.</summary>
    public const int Length = 20;

    /// <summary>The secret-string prefix, which no key id may start with.</summary>
    private const string ReservedPrefix = "kpa_sk_";

    /// <summary>The number of random bytes in a key id.</summary>
    internal const int RandomBytes = 12;

    /// <summary>The length of the base64url part after <see cref="Prefix"/>.</summary>
    internal const int EncodedLength = 16;

    /// <summary>Creates a new key id from 96 bits of <see cref="RandomNumberGenerator"/> output.</summary>
    /// <returns>The key id.</returns>
    public static string New()
    {
        Span<byte> random = stackalloc byte[RandomBytes];
        while (true)
        {
            RandomNumberGenerator.Fill(random);
            string keyId = FromBytes(random);

            // About 1 in 262,144 ids would start "kpa_sk_", the secret prefix; secret scanners would flag them.
            if (!keyId.StartsWith(ReservedPrefix, StringComparison.Ordinal))
            {
                return keyId;
            }
        }
    }

    /// <summary>Gets whether <paramref name="keyId"/> is a well-formed KeyPairAuth key id.</summary>
    /// <param name="keyId">The text to check; may be <see langword="null"/>.</param>
    /// <returns>
    /// <see langword="true"/> when it is <see cref="Prefix"/> followed by 16 base64url characters, not starting with
    /// <c>sk_</c> (so no key id looks like a secret string to a secret scanner).
    /// </returns>
    public static bool IsValid([NotNullWhen(true)] string? keyId) => keyId is not null && IsValid(keyId.AsSpan());

    /// <summary>
    /// Gets whether <paramref name="keyId"/> is a well-formed KeyPairAuth key id: the one grammar check, used by
    /// <see cref="IsValid(string)"/> and, before any store lookup, by the key cache. Allocation-free.
    /// </summary>
    /// <param name="keyId">The text to check.</param>
    /// <returns><see langword="true"/> when it is <see cref="Prefix"/> followed by 16 base64url characters, not starting with <c>sk_</c>.</returns>
    internal static bool IsValid(ReadOnlySpan<char> keyId) =>
        keyId.Length == Length
        && keyId.StartsWith(Prefix, StringComparison.Ordinal)
        && !keyId.StartsWith(ReservedPrefix, StringComparison.Ordinal)
        && !keyId[Prefix.Length..].ContainsAnyExcept(Base64UrlAlphabet);

    /// <summary>Throws a <see cref="KeyFormatException"/> when <paramref name="keyId"/> is not a valid key id.</summary>
    /// <param name="keyId">The key id.</param>
    /// <exception cref="KeyFormatException">The key id is malformed (<see cref="KeyFormatError.InvalidKeyId"/>).</exception>
    internal static void Validate(string? keyId)
    {
        if (!IsValid(keyId))
        {
            throw new KeyFormatException(KeyFormatError.InvalidKeyId,
                $"A KeyPairAuth key id is '{Prefix}' followed by {EncodedLength} base64url characters ({Length} characters in all).");
        }
    }

    /// <summary>Encodes the 12 random bytes of a key id.</summary>
    /// <param name="random">The 12 bytes.</param>
    /// <returns>The key id.</returns>
    internal static string FromBytes(ReadOnlySpan<byte> random)
    {
        Span<char> chars = stackalloc char[Length];
        Prefix.AsSpan().CopyTo(chars);
        Base64Url.EncodeToChars(random, chars[Prefix.Length..]);
        return new string(chars);
    }

    /// <summary>Decodes the 12 random bytes of a valid key id.</summary>
    /// <param name="keyId">A key id for which <see cref="IsValid(string)"/> is <see langword="true"/>.</param>
    /// <param name="random">Receives the 12 bytes.</param>
    internal static void ToBytes(string keyId, Span<byte> random)
    {
        int written = Base64Url.DecodeFromChars(keyId.AsSpan(Prefix.Length), random);
        if (written != RandomBytes)
        {
            throw new KeyFormatException(KeyFormatError.InvalidKeyId, "The key id does not decode to 12 bytes.");
        }
    }

    /// <summary>The base64url alphabet (RFC 4648 section 5).</summary>
    internal static readonly System.Buffers.SearchValues<char> Base64UrlAlphabet =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
}
