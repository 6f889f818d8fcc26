using System.Buffers.Binary;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KeyPairAuth.Keys.Internal;
using NSec.Cryptography;

namespace KeyPairAuth.Keys;

/// <summary>
/// An Ed25519 public key: the only key material the server stores. Immutable; equal when the 32 bytes are equal.
/// </summary>
/// <remarks>
/// Reads and writes SubjectPublicKeyInfo PEM (<c>-----BEGIN PUBLIC KEY-----</c>, what <c>openssl pkey -pubout</c>
/// writes), JWK (<c>{"kty":"OKP","crv":"Ed25519","x":"..."}</c>, RFC 8037), raw base64url (43 characters) and,
/// for reading, OpenSSH public key lines (<c>ssh-ed25519 AAAA...</c>). <see cref="Parse"/> detects which.
/// </remarks>
public sealed class Ed25519PublicKey : IEquatable<Ed25519PublicKey>
{
    /// <summary>The size of a raw Ed25519 public key, in bytes.</summary>
    public const int Size = 32;

    private const string SshKeyType = "ssh-ed25519";

    private readonly byte[] _raw;
    private string? _fingerprint;

    private Ed25519PublicKey(byte[] raw, PublicKey key)
    {
        _raw = raw;
        NSecKey = key;
    }

    /// <summary>Gets the NSec key used to verify signatures.</summary>
    internal PublicKey NSecKey { get; }

    /// <summary>Gets the raw 32-byte key (RFC 8032 encoding).</summary>
    public ReadOnlySpan<byte> RawBytes => _raw;

    /// <summary>
    /// Gets the key's fingerprint in the OpenSSH form: <c>SHA256:</c> followed by the unpadded base64 SHA-256 of the
    /// key's SSH wire encoding. It equals what <c>ssh-keygen -lf</c> prints for the same key, so users can compare
    /// a key in a dashboard with the one on their machine.
    /// </summary>
    public string Fingerprint => _fingerprint ??= ComputeFingerprint(_raw);

    /// <summary>Creates a key from its raw 32-byte encoding.</summary>
    /// <remarks>
    /// Every import (raw, base64url, SPKI PEM, JWK, OpenSSH) ends here, so each refuses what no honest key pair produces:
    /// a non-canonical encoding (y ≥ 2^255 − 19) and the eight small-order points (the identity and the points of order
    /// 2, 4 and 8), whichever sign bit they carry. A key made from a seed is never one of them. libsodium would refuse to
    /// verify under such a key anyway; refusing it at import means registration reports it instead of storing a key
    /// that can never authenticate.
    /// </remarks>
    /// <param name="raw">The 32 bytes.</param>
    /// <returns>The key.</returns>
    /// <exception cref="KeyFormatException">
    /// The bytes are not a valid Ed25519 public key (<see cref="KeyFormatError.WrongLength"/> or
    /// <see cref="KeyFormatError.InvalidKey"/>, the message saying which rule failed).
    /// </exception>
    public static Ed25519PublicKey FromRawBytes(ReadOnlySpan<byte> raw)
    {
        if (raw.Length != Size)
        {
            throw new KeyFormatException(KeyFormatError.WrongLength, $"An Ed25519 public key is {Size} bytes; found {raw.Length}.");
        }

        if (!IsCanonical(raw))
        {
            throw new KeyFormatException(KeyFormatError.InvalidKey,
                "The bytes are not a canonical Ed25519 public key: the encoded y coordinate is not below 2^255 - 19 (RFC 8032 section 5.1.3).");
        }

        if (IsSmallOrder(raw))
        {
            throw new KeyFormatException(KeyFormatError.InvalidKey,
                "The bytes encode a small-order point (the identity or a point of order 2, 4 or 8), not a real Ed25519 public key: no private key matches it and it can never verify a signature.");
        }

        if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, raw, KeyBlobFormat.RawPublicKey, out PublicKey? key) || key is null)
        {
            throw new KeyFormatException(KeyFormatError.InvalidKey, "The bytes are not a valid Ed25519 public key.");
        }

        return new Ed25519PublicKey(raw.ToArray(), key);
    }

    /// <summary>Reads a key from its raw 32 bytes in base64url (43 characters; padding and the standard base64 alphabet are also accepted).</summary>
    /// <param name="text">The base64url text.</param>
    /// <returns>The key.</returns>
    /// <exception cref="KeyFormatException">The text is not base64 of 32 bytes.</exception>
    public static Ed25519PublicKey FromBase64Url(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return FromBase64Url(text.AsSpan().Trim(), "The text");
    }

    /// <summary>Reads a SubjectPublicKeyInfo PEM (<c>-----BEGIN PUBLIC KEY-----</c>).</summary>
    /// <param name="pem">The PEM text.</param>
    /// <returns>The key.</returns>
    /// <exception cref="KeyFormatException">The PEM is malformed or holds another kind of key (the message names it).</exception>
    public static Ed25519PublicKey FromSpkiPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        return FromRawBytes(KeyEncoding.ReadSpkiPem(pem));
    }

    /// <summary>Reads a JSON Web Key (RFC 8037): <c>{"kty":"OKP","crv":"Ed25519","x":"..."}</c>.</summary>
    /// <param name="json">The JWK as JSON.</param>
    /// <returns>The key.</returns>
    /// <exception cref="KeyFormatException">
    /// The JSON is malformed, is not an Ed25519 key (the message names the <c>kty</c>/<c>crv</c> found), or contains
    /// the private key (<c>d</c>), which must never be sent to the server.
    /// </exception>
    public static Ed25519PublicKey FromJwk(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length > KeyEncoding.MaxTextLength)
        {
            throw new KeyFormatException(KeyFormatError.WrongLength, $"The JWK is {json.Length} characters; a key JWK is far shorter.");
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 4 });
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new KeyFormatException(KeyFormatError.Malformed, "A JWK is a JSON object.");
            }

            string? kty = GetString(root, "kty");
            string? crv = GetString(root, "crv");
            if (kty != "OKP" || crv != "Ed25519")
            {
                string found = kty is null ? "no kty" : $"kty '{Truncate(kty)}'";
                if (crv is not null)
                {
                    found += $", crv '{Truncate(crv)}'";
                }

                throw new KeyFormatException(KeyFormatError.UnsupportedAlgorithm,
                    $"The JWK has {found}; KeyPairAuth keys are Ed25519 (kty 'OKP', crv 'Ed25519').");
            }

            if (GetString(root, "alg") is { } alg && alg is not ("EdDSA" or "Ed25519"))
            {
                throw new KeyFormatException(KeyFormatError.UnsupportedAlgorithm, $"The JWK has alg '{Truncate(alg)}'; an Ed25519 key has alg 'EdDSA' or 'Ed25519'.");
            }

            if (root.TryGetProperty("d", out _))
            {
                throw new KeyFormatException(KeyFormatError.Malformed,
                    "The JWK contains the private key ('d'). Give only the public key (remove 'd'); the private key never needs to reach the server.");
            }

            string x = GetString(root, "x") ?? throw new KeyFormatException(KeyFormatError.Malformed, "The JWK has no 'x' (the public key).");
            return FromBase64Url(x.AsSpan(), "The JWK's 'x'");
        }
        catch (JsonException)
        {
            throw new KeyFormatException(KeyFormatError.Malformed, "The JWK is not valid JSON.");
        }
    }

    /// <summary>Reads an OpenSSH public key line (<c>ssh-ed25519 AAAA... comment</c>, as in <c>id_ed25519.pub</c>).</summary>
    /// <param name="line">The line.</param>
    /// <returns>The key.</returns>
    /// <exception cref="KeyFormatException">The line is malformed or holds another kind of key.</exception>
    public static Ed25519PublicKey FromOpenSsh(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.Length > KeyEncoding.MaxTextLength)
        {
            throw new KeyFormatException(KeyFormatError.WrongLength, $"The line is {line.Length} characters; an OpenSSH public key line is far shorter.");
        }

        string[] parts = line.Trim().Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
        {
            throw new KeyFormatException(KeyFormatError.Malformed, "An OpenSSH public key line is '<type> <base64> [comment]'.");
        }

        if (parts[0] != SshKeyType)
        {
            throw new KeyFormatException(KeyFormatError.UnsupportedAlgorithm, $"The OpenSSH key is of type '{Truncate(parts[0])}'; KeyPairAuth keys are Ed25519 ('{SshKeyType}').");
        }

        byte[] blob = new byte[(parts[1].Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(parts[1], blob, out int length))
        {
            throw new KeyFormatException(KeyFormatError.BadEncoding, "The OpenSSH key's body is not valid base64.");
        }

        // RFC 8709 section 4: string "ssh-ed25519", string key (each string a uint32 big-endian length + bytes).
        ReadOnlySpan<byte> rest = blob.AsSpan(0, length);
        if (!TryReadSshString(ref rest, out ReadOnlySpan<byte> type) || !type.SequenceEqual(Encoding.ASCII.GetBytes(SshKeyType)) ||
            !TryReadSshString(ref rest, out ReadOnlySpan<byte> key) || !rest.IsEmpty)
        {
            throw new KeyFormatException(KeyFormatError.Malformed, "The OpenSSH key's body is not an ssh-ed25519 key blob.");
        }

        return FromRawBytes(key);
    }

    /// <summary>
    /// Reads a public key in any supported format, detected from the text: SPKI PEM (<c>-----BEGIN PUBLIC KEY-----</c>),
    /// JWK (<c>{...}</c>), an OpenSSH line (<c>ssh-ed25519 ...</c>) or raw base64url.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <returns>The key.</returns>
    /// <exception cref="KeyFormatException">The text is not an Ed25519 public key in any supported format; the message says what was found.</exception>
    public static Ed25519PublicKey Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ReadOnlySpan<char> trimmed = text.AsSpan().Trim();
        if (trimmed.StartsWith("-----BEGIN", StringComparison.Ordinal))
        {
            return FromSpkiPem(text);
        }

        if (trimmed.StartsWith('{'))
        {
            return FromJwk(text);
        }

        if (trimmed.StartsWith("ssh-", StringComparison.Ordinal) || trimmed.StartsWith("ecdsa-", StringComparison.Ordinal))
        {
            return FromOpenSsh(text);
        }

        if (trimmed.StartsWith(SecretString.Prefix, StringComparison.Ordinal))
        {
            throw new KeyFormatException(KeyFormatError.Malformed,
                "This is a KeyPairAuth secret (a private key), not a public key. Do not send it anywhere; give the public key instead.");
        }

        return FromBase64Url(trimmed, "The text");
    }

    /// <summary>Tries to read a public key in any supported format (see <see cref="Parse"/>).</summary>
    /// <param name="text">The text; may be <see langword="null"/>.</param>
    /// <param name="key">Receives the key on success.</param>
    /// <returns><see langword="true"/> when the text is an Ed25519 public key.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out Ed25519PublicKey? key)
    {
        key = null;
        if (text is null)
        {
            return false;
        }

        try
        {
            key = Parse(text);
            return true;
        }
        catch (KeyFormatException)
        {
            return false;
        }
    }

    /// <summary>Writes the key as a SubjectPublicKeyInfo PEM (<c>-----BEGIN PUBLIC KEY-----</c>), as openssl, Node and Python read it.</summary>
    /// <returns>The PEM text.</returns>
    public string ExportSpkiPem() => KeyEncoding.WriteSpkiPem(_raw);

    /// <summary>Writes the key as a JSON Web Key (RFC 8037): <c>{"kty":"OKP","crv":"Ed25519","x":"..."}</c>.</summary>
    /// <returns>The JWK as compact JSON.</returns>
    public string ExportJwk() => $$"""{"kty":"OKP","crv":"Ed25519","x":"{{ExportBase64Url()}}"}""";

    /// <summary>Writes the raw 32-byte key as unpadded base64url (43 characters).</summary>
    /// <returns>The base64url text.</returns>
    public string ExportBase64Url() => Base64Url.EncodeToString(_raw);

    /// <summary>Writes the key as an OpenSSH public key line (<c>ssh-ed25519 AAAA...</c>).</summary>
    /// <returns>The line, without a comment.</returns>
    public string ExportOpenSsh() => $"{SshKeyType} {Convert.ToBase64String(SshBlob(_raw))}";

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

    private static Ed25519PublicKey FromBase64Url(ReadOnlySpan<char> text, string what)
    {
        if (text.Length > 256)
        {
            throw new KeyFormatException(KeyFormatError.WrongLength, $"{what} is {text.Length} characters; an Ed25519 public key in base64url is 43.");
        }

        ReadOnlySpan<char> body = text.TrimEnd('=');
        if (text.Length - body.Length > 2)
        {
            throw new KeyFormatException(KeyFormatError.BadEncoding, $"{what} has more '=' padding than base64 allows.");
        }

        // Normalise to the standard alphabet with padding and decode with Convert, which reports bad input by
        // returning false rather than throwing.
        int padded = (body.Length + 3) / 4 * 4;
        Span<char> normalized = stackalloc char[padded];
        for (int i = 0; i < body.Length; i++)
        {
            char c = body[i];
            normalized[i] = c switch
            {
                '-' or '+' => '+',
                '_' or '/' => '/',
                _ when KeyId.Base64UrlAlphabet.Contains(c) => c,
                _ => throw new KeyFormatException(KeyFormatError.BadEncoding,
                    $"{what} contains a character outside the base64url alphabet at position {i}; expected an Ed25519 public key as SPKI PEM, JWK, OpenSSH or base64url."),
            };
        }

        normalized[body.Length..].Fill('=');
        if (body.Length % 4 == 1)
        {
            throw new KeyFormatException(KeyFormatError.BadEncoding, $"{what} is not valid base64url (its length {body.Length} is impossible).");
        }

        Span<byte> raw = stackalloc byte[(padded / 4 * 3) + 1];
        if (!Convert.TryFromBase64Chars(normalized, raw, out int written))
        {
            throw new KeyFormatException(KeyFormatError.BadEncoding, $"{what} is not valid base64url.");
        }

        if (written != Size)
        {
            throw new KeyFormatException(KeyFormatError.WrongLength, $"An Ed25519 public key is {Size} bytes; {char.ToLowerInvariant(what[0])}{what[1..]} decodes to {written}.");
        }

        return FromRawBytes(raw[..written]);
    }

    /// <summary>Whether the encoded y coordinate (the low 255 bits, little-endian) is below p = 2^255 − 19.</summary>
    internal static bool IsCanonical(ReadOnlySpan<byte> raw)
    {
        // y ≥ p only when bits 8..254 are all ones (bytes 1..30 are 0xFF and byte 31 without its sign bit is 0x7F)
        // and the low byte is at least 0xED (p = 0x7FFF…FFED).
        if ((raw[31] & 0x7F) != 0x7F || raw[1..31].ContainsAnyExcept((byte)0xFF))
        {
            return true;
        }

        return raw[0] < 0xED;
    }

    /// <summary>Whether the encoding is one of the eight small-order points, with either sign bit (compared without it).</summary>
    internal static bool IsSmallOrder(ReadOnlySpan<byte> raw)
    {
        foreach (byte[] point in SmallOrderPoints)
        {
            if (raw[..31].SequenceEqual(point.AsSpan(0, 31)) && (raw[31] & 0x7F) == point[31])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The y coordinates of the eight points of order 1, 2, 4 and 8 on edwards25519, sign bit clear; with the sign bit
    /// (x's parity) set, or the y ≥ p spellings of 0 and 1 (p and p + 1), they are the same points encoded again.
    /// Each y stands for the two points ±x, so these encodings cover all eight points and their other spellings.
    /// </summary>
    internal static readonly byte[][] SmallOrderPoints =
    [
        // y = 1: the identity (order 1).
        Convert.FromHexString("0100000000000000000000000000000000000000000000000000000000000000"),

        // y = -1 = p - 1: the point of order 2.
        Convert.FromHexString("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),

        // y = 0: the two points of order 4 (x = ±sqrt(-1)).
        Convert.FromHexString("0000000000000000000000000000000000000000000000000000000000000000"),

        // The four points of order 8: two y values (y and -y), each with x of either sign.
        Convert.FromHexString("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
        Convert.FromHexString("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),

        // Non-canonical spellings of y = 0 (y = p) and y = 1 (y = p + 1); refused as non-canonical first, listed so the
        // small-order test stands on its own.
        Convert.FromHexString("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        Convert.FromHexString("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    ];

    private static string? GetString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool TryReadSshString(ref ReadOnlySpan<byte> data, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (data.Length < 4)
        {
            return false;
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(data);
        if (length > (uint)(data.Length - 4))
        {
            return false;
        }

        value = data.Slice(4, (int)length);
        data = data[(4 + (int)length)..];
        return true;
    }

    private static byte[] SshBlob(ReadOnlySpan<byte> raw)
    {
        byte[] blob = new byte[4 + SshKeyType.Length + 4 + Size];
        BinaryPrimitives.WriteUInt32BigEndian(blob, (uint)SshKeyType.Length);
        Encoding.ASCII.GetBytes(SshKeyType, blob.AsSpan(4));
        BinaryPrimitives.WriteUInt32BigEndian(blob.AsSpan(4 + SshKeyType.Length), Size);
        raw.CopyTo(blob.AsSpan(8 + SshKeyType.Length));
        return blob;
    }

    private static string ComputeFingerprint(ReadOnlySpan<byte> raw) =>
        "SHA256:" + Convert.ToBase64String(SHA256.HashData(SshBlob(raw))).TrimEnd('=');

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "...";
}
