using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace KeyPairAuth.Keys;

/// <summary>
/// Creates and checks KeyPairAuth key ids: <c>kpa_</c> followed by 16 base64url characters (96 bits),
/// for example <c>kpa_LkUSEO3xIErh14l0</c>. A key id is URL-safe, short, globally unique and recognisably ours.
/// </summary>
/// <remarks>
/// <para>A key id is not secret: it names a key in logs, dashboards and the <c>keyid</c> signature parameter.</para>
/// <para>
/// Every key the issuer creates or registers gets the id <see cref="FromPublicKey"/> derives from its public key
/// (a truncated RFC 7638 JWK thumbprint), so a client that generated its own key pair knows its key id before it
/// registers the public key. See <c>docs/keys.md</c>.
/// </para>
/// </remarks>
public static class KeyId
{
    /// <summary>The prefix every KeyPairAuth key id starts with.</summary>
    public const string Prefix = "kpa_";

    /// <summary>The length of a key id, in characters.</summary>
    public const int Length = 20;

    /// <summary>The secret-string prefix, which no key id may start with.</summary>
    private const string ReservedPrefix = "kpa_sk_";

    /// <summary>The number of bytes a key id encodes (random, or the first bytes of a thumbprint).</summary>
    internal const int RandomBytes = 12;

    /// <summary>The length of the base64url part after <see cref="Prefix"/>.</summary>
    internal const int EncodedLength = 16;

    /// <summary>
    /// Creates a random key id (96 bits of <see cref="RandomNumberGenerator"/> output) in the key id shape, for a
    /// record that is not tied to a public key's derived id (tests, keys imported from another system).
    /// </summary>
    /// <remarks>The issuer never uses it: issued and registered keys get <see cref="FromPublicKey"/>.</remarks>
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

    /// <summary>
    /// Derives the key id of a public key: <c>kpa_</c> followed by the first 16 characters (96 bits) of the base64url
    /// RFC 7638 JWK thumbprint, that is SHA-256 over <c>{"crv":"Ed25519","kty":"OKP","x":"&lt;base64url key&gt;"}</c>.
    /// </summary>
    /// <remarks>
    /// The same public key always gives the same id, on the client and on the server, in any language (see
    /// <c>docs/keys.md</c> for openssl, Python and Node one-liners). About one key in 262,144 derives an id starting
    /// <c>kpa_sk_</c>, the secret-string prefix; <see cref="IsValid(string)"/> is <see langword="false"/> for it, the issuer
    /// refuses to register such a key and <see cref="SigningKey.Generate()"/> never makes one.
    /// </remarks>
    /// <param name="publicKey">The public key.</param>
    /// <returns>The key id.</returns>
    public static string FromPublicKey(Ed25519PublicKey publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        return FromRawPublicKey(publicKey.RawBytes);
    }

    /// <summary>Derives the key id of a raw 32-byte public key (see <see cref="FromPublicKey(Ed25519PublicKey)"/>).</summary>
    /// <param name="rawPublicKey">The 32-byte public key.</param>
    /// <returns>The key id.</returns>
    internal static string FromRawPublicKey(ReadOnlySpan<byte> rawPublicKey)
    {
        // RFC 7638 section 3.2 / RFC 8037 section 2: the required members in lexicographic order, no whitespace.
        ReadOnlySpan<byte> head = "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\""u8;
        ReadOnlySpan<byte> tail = "\"}"u8;
        Span<byte> jwk = stackalloc byte[head.Length + 43 + tail.Length];
        head.CopyTo(jwk);
        int written = Base64Url.EncodeToUtf8(rawPublicKey, jwk[head.Length..]);
        tail.CopyTo(jwk[(head.Length + written)..]);

        Span<byte> thumbprint = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(jwk[..(head.Length + written + tail.Length)], thumbprint);

        // The first 16 base64url characters encode exactly the first 12 bytes of the thumbprint.
        return FromBytes(thumbprint[..RandomBytes]);
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

    /// <summary>Encodes the 12 bytes of a key id.</summary>
    /// <param name="random">The 12 bytes.</param>
    /// <returns>The key id.</returns>
    internal static string FromBytes(ReadOnlySpan<byte> random)
    {
        Span<char> chars = stackalloc char[Length];
        Prefix.AsSpan().CopyTo(chars);
        Base64Url.EncodeToChars(random, chars[Prefix.Length..]);
        return new string(chars);
    }

    /// <summary>Decodes the 12 bytes of a valid key id.</summary>
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
