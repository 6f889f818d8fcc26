using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using KeyPairAuth.Keys.Internal;
using KeyPairAuth.Signatures;
using NSec.Cryptography;

namespace KeyPairAuth.Keys;

/// <summary>
/// An Ed25519 private key with its key id: what a client signs requests with. Holds secret material:
/// dispose it when done; <see cref="ToString"/> shows the key id only.
/// </summary>
/// <remarks>
/// <para>
/// A key read from a secret string, a PEM or a seed can sign but not be exported again. A key made by
/// <see cref="Generate()"/> can be exported exactly once (NSec <see cref="KeyExportPolicies.AllowPlaintextArchiving"/>),
/// by <see cref="ExportSecret"/> or <see cref="ExportPkcs8Pem"/>: the moment it is handed to its owner.
/// </para>
/// <para>The secret string is <c>kpa_sk_</c> followed by 64 base64url characters; see <c>docs/keys.md</c>.</para>
/// </remarks>
public sealed class SigningKey : IDisposable
{
    /// <summary>The size of an Ed25519 signature, in bytes.</summary>
    public const int SignatureSize = 64;

    /// <summary>The prefix of every KeyPairAuth secret string (what secret scanners look for).</summary>
    public const string SecretPrefix = SecretString.Prefix;

    /// <summary>The length of a KeyPairAuth secret string, in characters.</summary>
    public const int SecretLength = SecretString.Length;

    private const int SeedSize = SecretString.SeedSize;

    private readonly Key _key;
    private int _exported;

    /// <summary>Wraps an NSec key under <paramref name="keyId"/>, or under the id derived from its public key when <see langword="null"/>.</summary>
    private SigningKey(string? keyId, Key key)
    {
        _key = key;
        PublicKey = Ed25519PublicKey.FromRawBytes(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        KeyId = keyId ?? Keys.KeyId.FromPublicKey(PublicKey);
    }

    /// <summary>Gets the key id (not secret).</summary>
    public string KeyId { get; }

    /// <summary>Gets the public half.</summary>
    public Ed25519PublicKey PublicKey { get; }

    /// <summary>Gets whether the private key may still be exported (only a <see cref="Generate()">generated</see> key, and only once).</summary>
    public bool CanExport => _key.ExportPolicy.HasFlag(KeyExportPolicies.AllowPlaintextArchiving) && Volatile.Read(ref _exported) == 0;

    /// <summary>
    /// Generates a new key pair whose <see cref="KeyId"/> is derived from its public key
    /// (<see cref="Keys.KeyId.FromPublicKey"/>): the id the issuer will register it under. Its private key can be
    /// exported exactly once.
    /// </summary>
    /// <returns>The signing key.</returns>
    public static SigningKey Generate()
    {
        while (true)
        {
            SigningKey key = new(keyId: null, CreateExportableKey());

            // About one key in 262,144 derives an id starting "kpa_sk_", reserved for secrets: draw another pair.
            if (Keys.KeyId.IsValid(key.KeyId))
            {
                return key;
            }

            key.Dispose();
        }
    }

    /// <summary>Creates a signing key from a 32-byte Ed25519 seed (RFC 8032 private key). The caller keeps ownership of <paramref name="seed"/> and should zero it.</summary>
    /// <param name="keyId">The key id: printable ASCII without spaces, at most 256 characters (any id the server uses, not only KeyPairAuth ids).</param>
    /// <param name="seed">The 32-byte seed.</param>
    /// <returns>The signing key; it can sign but not be exported.</returns>
    /// <exception cref="KeyFormatException">The seed is not 32 bytes.</exception>
    public static SigningKey FromSeed(string keyId, ReadOnlySpan<byte> seed)
    {
        ValidateKeyId(keyId);
        if (seed.Length != SeedSize)
        {
            throw new KeyFormatException(KeyFormatError.WrongLength, $"An Ed25519 private key seed is {SeedSize} bytes; found {seed.Length}.");
        }

        return Import(keyId, seed, KeyExportPolicies.None);
    }

    /// <summary>
    /// Creates a signing key from a 32-byte Ed25519 seed under the key id derived from its public key
    /// (<see cref="Keys.KeyId.FromPublicKey"/>), the id a KeyPairAuth server registers it under. The caller keeps
    /// ownership of <paramref name="seed"/> and should zero it.
    /// </summary>
    /// <param name="seed">The 32-byte seed.</param>
    /// <returns>The signing key; it can sign but not be exported.</returns>
    /// <exception cref="KeyFormatException">The seed is not 32 bytes.</exception>
    public static SigningKey FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedSize)
        {
            throw new KeyFormatException(KeyFormatError.WrongLength, $"An Ed25519 private key seed is {SeedSize} bytes; found {seed.Length}.");
        }

        return Import(keyId: null, seed, KeyExportPolicies.None);
    }

    /// <summary>Reads a KeyPairAuth secret string (<c>kpa_sk_...</c>); surrounding whitespace is ignored.</summary>
    /// <param name="secret">The secret string.</param>
    /// <returns>The signing key, with the key id the secret carries; it can sign but not be exported.</returns>
    /// <exception cref="KeyFormatException">
    /// The secret is malformed: <see cref="KeyFormatError.WrongPrefix"/>, <see cref="KeyFormatError.WrongLength"/>,
    /// <see cref="KeyFormatError.BadEncoding"/> or <see cref="KeyFormatError.ChecksumMismatch"/> (mistyped or truncated).
    /// The message never contains the secret.
    /// </exception>
    public static SigningKey Parse(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        Span<byte> seed = stackalloc byte[SeedSize];
        try
        {
            KeyFormatException? error = SecretString.TryDecode(secret, seed, out string? keyId);
            if (error is not null)
            {
                throw error;
            }

            return Import(keyId!, seed, KeyExportPolicies.None);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>Tries to read a KeyPairAuth secret string (see <see cref="Parse"/>).</summary>
    /// <param name="secret">The secret string; may be <see langword="null"/>.</param>
    /// <param name="key">Receives the signing key on success.</param>
    /// <returns><see langword="true"/> when the secret is well-formed.</returns>
    public static bool TryParse([NotNullWhen(true)] string? secret, [NotNullWhen(true)] out SigningKey? key)
    {
        key = null;
        if (secret is null)
        {
            return false;
        }

        Span<byte> seed = stackalloc byte[SeedSize];
        try
        {
            if (SecretString.TryDecode(secret, seed, out string? keyId) is not null)
            {
                return false;
            }

            key = Import(keyId!, seed, KeyExportPolicies.None);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>
    /// Reads an unencrypted PKCS#8 PEM (<c>-----BEGIN PRIVATE KEY-----</c>), as written by
    /// <c>openssl genpkey -algorithm ed25519</c>, Node <c>crypto</c> and Python <c>cryptography</c>, under the key id
    /// derived from its public key (<see cref="Keys.KeyId.FromPublicKey"/>): the id a KeyPairAuth server registers
    /// it under.
    /// </summary>
    /// <param name="pem">The PEM text.</param>
    /// <returns>The signing key; it can sign but not be exported.</returns>
    /// <exception cref="KeyFormatException">The PEM is malformed, encrypted, or holds another kind of key (the message names it).</exception>
    public static SigningKey FromPkcs8Pem(string pem) => ReadPkcs8Pem(keyId: null, pem);

    /// <summary>
    /// Reads an unencrypted PKCS#8 PEM (<c>-----BEGIN PRIVATE KEY-----</c>), as written by
    /// <c>openssl genpkey -algorithm ed25519</c>, Node <c>crypto</c> and Python <c>cryptography</c>.
    /// </summary>
    /// <param name="keyId">The key id the server knows the key by (for a KeyPairAuth server, the derived id <see cref="FromPkcs8Pem(string)"/> gives).</param>
    /// <param name="pem">The PEM text.</param>
    /// <returns>The signing key; it can sign but not be exported.</returns>
    /// <exception cref="KeyFormatException">The PEM is malformed, encrypted, or holds another kind of key (the message names it).</exception>
    public static SigningKey FromPkcs8Pem(string keyId, string pem)
    {
        ValidateKeyId(keyId);
        return ReadPkcs8Pem(keyId, pem);
    }

    private static SigningKey ReadPkcs8Pem(string? keyId, string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        Span<byte> seed = stackalloc byte[SeedSize];
        try
        {
            KeyEncoding.ReadPkcs8Pem(pem, seed, out byte[] statedPublicKey);
            SigningKey key = Import(keyId, seed, KeyExportPolicies.None);
            if (statedPublicKey.Length != 0 && !statedPublicKey.AsSpan().SequenceEqual(key.PublicKey.RawBytes))
            {
                key.Dispose();
                throw new KeyFormatException(KeyFormatError.InvalidKey, "The PEM's public key does not belong to its private key.");
            }

            return key;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>
    /// Exports the private key as a KeyPairAuth secret string (<c>kpa_sk_</c> + key id + seed + checksum, one line).
    /// Allowed once, for a <see cref="Generate()">generated</see> key with a KeyPairAuth key id.
    /// </summary>
    /// <returns>The secret string.</returns>
    /// <exception cref="InvalidOperationException">The key cannot be exported (already exported, or read for signing only), or its key id is not a KeyPairAuth key id.</exception>
    public string ExportSecret()
    {
        if (!Keys.KeyId.IsValid(KeyId))
        {
            throw new InvalidOperationException($"Only keys with a KeyPairAuth key id ({Keys.KeyId.Prefix}...) fit in a secret string; export a PKCS#8 PEM instead.");
        }

        ExportPrivateKey(out char[] secret, out char[] pem, secretOnly: true);
        try
        {
            return new string(secret);
        }
        finally
        {
            Zero(secret);
            Zero(pem);
        }
    }

    /// <summary>Exports the private key as an unencrypted PKCS#8 PEM (<c>-----BEGIN PRIVATE KEY-----</c>). Allowed once, for a <see cref="Generate()">generated</see> key.</summary>
    /// <returns>The PEM text.</returns>
    /// <exception cref="InvalidOperationException">The key cannot be exported (already exported, or read for signing only).</exception>
    public string ExportPkcs8Pem()
    {
        ExportPrivateKey(out char[] secret, out char[] pem, secretOnly: false, pemOnly: true);
        try
        {
            return new string(pem);
        }
        finally
        {
            Zero(secret);
            Zero(pem);
        }
    }

    /// <summary>Signs <paramref name="data"/> into <paramref name="signature"/> (64 bytes).</summary>
    /// <param name="data">The signature base.</param>
    /// <param name="signature">Receives the 64-byte signature.</param>
    internal void Sign(ReadOnlySpan<byte> data, Span<byte> signature) =>
        SignatureAlgorithm.Ed25519.Sign(_key, data, signature);

    /// <summary>Gets the NSec key (for exports inside this assembly).</summary>
    internal Key NSecKey => _key;

    private static Key CreateExportableKey() =>
        Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextArchiving });

    /// <summary>
    /// Exports the private key in both forms from one export of the seed (the one NSec allows). The caller owns and
    /// zeroes the returned character arrays.
    /// </summary>
    /// <param name="secret">Receives the secret string (empty when <paramref name="pemOnly"/>).</param>
    /// <param name="pem">Receives the PKCS#8 PEM (empty when <paramref name="secretOnly"/>).</param>
    /// <param name="secretOnly">Produce only the secret string.</param>
    /// <param name="pemOnly">Produce only the PEM.</param>
    internal void ExportPrivateKey(out char[] secret, out char[] pem, bool secretOnly = false, bool pemOnly = false)
    {
        if (!_key.ExportPolicy.HasFlag(KeyExportPolicies.AllowPlaintextArchiving) || Interlocked.Exchange(ref _exported, 1) != 0)
        {
            throw new InvalidOperationException(
                $"The private key of {KeyId} cannot be exported: a generated key is exported once, at issuance, and a key read from a secret or PEM only signs.");
        }

        Span<byte> seed = stackalloc byte[SeedSize];
        secret = [];
        pem = [];
        try
        {
            if (!_key.TryExport(KeyBlobFormat.RawPrivateKey, seed, out int written) || written != SeedSize)
            {
                throw new InvalidOperationException($"The private key of {KeyId} could not be exported.");
            }

            secret = pemOnly ? [] : SecretString.Encode(KeyId, seed);
            pem = secretOnly ? [] : KeyEncoding.WritePkcs8Pem(seed);
        }
        catch
        {
            Zero(secret);
            Zero(pem);
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>Releases the private key; libsodium zeroes its memory.</summary>
    public void Dispose() => _key.Dispose();

    /// <summary>Returns a description that names the key id only, never secret material.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"SigningKey {{ KeyId = {KeyId} }}";

    internal static void Zero(char[] chars) =>
        CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(chars.AsSpan()));

    private static SigningKey Import(string? keyId, ReadOnlySpan<byte> seed, KeyExportPolicies policy) =>
        new(keyId, Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = policy }));

    private static void ValidateKeyId(string keyId)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        if (!SignatureProfile.IsKeyId(keyId))
        {
            throw new ArgumentException($"A key id is 1 to {SignatureProfile.MaxKeyIdLength} printable ASCII characters without spaces.", nameof(keyId));
        }
    }
}
