using System.Formats.Asn1;
using System.Security.Cryptography;

namespace KeyPairAuth.Keys.Internal;

/// <summary>
/// PEM, PKCS#8 (RFC 5208 / RFC 5958) and SubjectPublicKeyInfo (RFC 5280) encodings of Ed25519 keys (RFC 8410).
/// Reading is bounded and reports what it found in a <see cref="KeyFormatException"/>; buffers that held a private
/// key are zeroed on every path.
/// </summary>
internal static class KeyEncoding
{
    public const string Ed25519Oid = "1.3.101.112";

    // Input larger than this is not a key; refuse it before decoding (a 4096-bit RSA PEM is ~3.3 KB).
    public const int MaxTextLength = 16 * 1024;

    // RFC 8410 section 7: SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING (32) } }.
    private static ReadOnlySpan<byte> Pkcs8Prefix =>
        [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

    // RFC 8410 section 4: SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (32 bytes, 0 unused bits) }.
    private static ReadOnlySpan<byte> SpkiPrefix =>
        [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

    public static string WriteSpkiPem(ReadOnlySpan<byte> publicKey)
    {
        Span<byte> der = stackalloc byte[SpkiPrefix.Length + 32];
        SpkiPrefix.CopyTo(der);
        publicKey.CopyTo(der[SpkiPrefix.Length..]);
        return PemEncoding.WriteString("PUBLIC KEY", der);
    }

    /// <summary>Writes the PKCS#8 PEM of a seed. The caller zeroes the returned characters when done.</summary>
    public static char[] WritePkcs8Pem(ReadOnlySpan<byte> seed)
    {
        Span<byte> der = stackalloc byte[Pkcs8Prefix.Length + 32];
        try
        {
            Pkcs8Prefix.CopyTo(der);
            seed.CopyTo(der[Pkcs8Prefix.Length..]);
            return PemEncoding.Write("PRIVATE KEY", der);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    /// <summary>Reads a "PUBLIC KEY" PEM into the raw 32-byte key.</summary>
    public static byte[] ReadSpkiPem(ReadOnlySpan<char> text)
    {
        byte[] der = DecodePem(text, out string label);
        switch (label)
        {
            case "PUBLIC KEY":
                break;
            case "PRIVATE KEY" or "ENCRYPTED PRIVATE KEY" or "RSA PRIVATE KEY" or "EC PRIVATE KEY" or "OPENSSH PRIVATE KEY":
                CryptographicOperations.ZeroMemory(der);
                throw new KeyFormatException(KeyFormatError.Malformed,
                    "The PEM holds a private key. Give only the public key (-----BEGIN PUBLIC KEY-----, from 'openssl pkey -in key.pem -pubout'); the private key never needs to reach the server.");
            case "RSA PUBLIC KEY":
                throw new KeyFormatException(KeyFormatError.UnsupportedAlgorithm, "The PEM holds an RSA key (PKCS#1); KeyPairAuth keys are Ed25519.");
            default:
                throw new KeyFormatException(KeyFormatError.Malformed,
                    $"The PEM label is '{Truncate(label)}'; an Ed25519 public key PEM is labelled 'PUBLIC KEY'.");
        }

        try
        {
            AsnReader reader = new(der, AsnEncodingRules.DER);
            AsnReader spki = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            ReadAlgorithm(spki, "PEM");
            byte[] key = spki.ReadBitString(out int unusedBits);
            spki.ThrowIfNotEmpty();
            if (unusedBits != 0)
            {
                // A BIT STRING whose last bits are unused is not a whole number of bytes, so not 32 of them.
                throw new KeyFormatException(KeyFormatError.WrongLength,
                    $"An Ed25519 public key is 32 bytes; the PEM's BIT STRING holds {(key.Length * 8) - unusedBits} bits.");
            }

            if (key.Length != 32)
            {
                throw new KeyFormatException(KeyFormatError.WrongLength, $"An Ed25519 public key is 32 bytes; the PEM holds {key.Length}.");
            }

            return key;
        }
        catch (AsnContentException)
        {
            throw new KeyFormatException(KeyFormatError.Malformed, "The PEM's contents are not a valid SubjectPublicKeyInfo structure.");
        }
    }

    /// <summary>Reads a "PRIVATE KEY" PEM (PKCS#8 v1 or v2) into the 32-byte seed.</summary>
    /// <param name="text">The PEM text.</param>
    /// <param name="seed">Receives the seed; the caller zeroes it.</param>
    /// <param name="publicKey">Receives the public key the PEM states (v2 only), else empty.</param>
    public static void ReadPkcs8Pem(ReadOnlySpan<char> text, Span<byte> seed, out byte[] publicKey)
    {
        byte[] der = DecodePem(text, out string label);
        try
        {
            switch (label)
            {
                case "PRIVATE KEY":
                    break;
                case "ENCRYPTED PRIVATE KEY":
                    throw new KeyFormatException(KeyFormatError.Malformed,
                        "The PEM is an encrypted private key. Decrypt it first, for example 'openssl pkey -in key.pem -out plain.pem'.");
                case "RSA PRIVATE KEY":
                    throw new KeyFormatException(KeyFormatError.UnsupportedAlgorithm, "The PEM holds an RSA key (PKCS#1); KeyPairAuth keys are Ed25519.");
                case "EC PRIVATE KEY":
                    throw new KeyFormatException(KeyFormatError.UnsupportedAlgorithm, "The PEM holds an EC key (SEC 1); KeyPairAuth keys are Ed25519.");
                case "OPENSSH PRIVATE KEY":
                    throw new KeyFormatException(KeyFormatError.Malformed,
                        "The PEM is in the OpenSSH private key format; KeyPairAuth reads PKCS#8 (-----BEGIN PRIVATE KEY-----), as written by 'openssl genpkey -algorithm ed25519'.");
                case "PUBLIC KEY":
                    throw new KeyFormatException(KeyFormatError.Malformed,
                        "The PEM holds a public key; signing needs the private key (-----BEGIN PRIVATE KEY-----).");
                default:
                    throw new KeyFormatException(KeyFormatError.Malformed,
                        $"The PEM label is '{Truncate(label)}'; an Ed25519 private key PEM is labelled 'PRIVATE KEY'.");
            }

            AsnReader reader = new(der, AsnEncodingRules.DER);
            AsnReader pkcs8 = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            if (!pkcs8.TryReadInt32(out int version) || version is not (0 or 1))
            {
                throw new KeyFormatException(KeyFormatError.Malformed, "The PEM's PKCS#8 version is not 0 or 1.");
            }

            ReadAlgorithm(pkcs8, "PEM");
            if (!pkcs8.TryReadPrimitiveOctetString(out ReadOnlyMemory<byte> privateKey))
            {
                throw new KeyFormatException(KeyFormatError.Malformed, "The PEM's private key is not a primitive OCTET STRING.");
            }

            // RFC 8410 section 7: CurvePrivateKey ::= OCTET STRING (the 32-byte seed) inside the PKCS#8 OCTET STRING.
            AsnReader inner = new(privateKey, AsnEncodingRules.DER);
            if (!inner.TryReadPrimitiveOctetString(out ReadOnlyMemory<byte> seedBytes))
            {
                throw new KeyFormatException(KeyFormatError.Malformed, "The PEM's Ed25519 private key is not an OCTET STRING.");
            }

            inner.ThrowIfNotEmpty();
            if (seedBytes.Length != 32)
            {
                throw new KeyFormatException(KeyFormatError.WrongLength, $"An Ed25519 private key is 32 bytes; the PEM holds {seedBytes.Length}.");
            }

            publicKey = [];
            // attributes [0] IMPLICIT SET (constructed), matched by class and number only.
            Asn1Tag attributes = new(TagClass.ContextSpecific, 0);
            if (pkcs8.HasData && pkcs8.PeekTag().HasSameClassAndValue(attributes))
            {
                pkcs8.ReadEncodedValue();
            }

            Asn1Tag publicKeyTag = new(TagClass.ContextSpecific, 1);
            if (version == 1 && pkcs8.HasData)
            {
                publicKey = pkcs8.ReadBitString(out _, publicKeyTag);
            }

            pkcs8.ThrowIfNotEmpty();
            seedBytes.Span.CopyTo(seed);
        }
        catch (AsnContentException)
        {
            throw new KeyFormatException(KeyFormatError.Malformed, "The PEM's contents are not a valid PKCS#8 structure.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    /// <summary>Describes a key found in place of Ed25519, for error messages.</summary>
    public static string DescribeAlgorithm(string oid, string? curveOid) => oid switch
    {
        "1.2.840.113549.1.1.1" => "an RSA key",
        "1.2.840.113549.1.1.10" => "an RSA-PSS key",
        "1.2.840.10040.4.1" => "a DSA key",
        "1.2.840.10045.2.1" => curveOid switch
        {
            "1.2.840.10045.3.1.7" => "an EC P-256 key",
            "1.3.132.0.34" => "an EC P-384 key",
            "1.3.132.0.35" => "an EC P-521 key",
            "1.3.132.0.10" => "an EC secp256k1 key",
            _ => "an EC key",
        },
        "1.3.101.110" => "an X25519 key",
        "1.3.101.111" => "an X448 key",
        "1.3.101.113" => "an Ed448 key",
        _ => "a key of another algorithm",
    };

    private static void ReadAlgorithm(AsnReader outer, string source)
    {
        AsnReader algorithm = outer.ReadSequence();
        string oid = algorithm.ReadObjectIdentifier();
        if (oid == Ed25519Oid)
        {
            // RFC 8410 section 3: the parameters MUST be absent.
            if (algorithm.HasData)
            {
                throw new KeyFormatException(KeyFormatError.Malformed, "The Ed25519 algorithm identifier has parameters; RFC 8410 requires them absent.");
            }

            return;
        }

        string? curve = null;
        if (algorithm.HasData && algorithm.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier))
        {
            curve = algorithm.ReadObjectIdentifier();
        }

        string curvePart = curve is null ? string.Empty : $", curve {curve}";
        throw new KeyFormatException(KeyFormatError.UnsupportedAlgorithm,
            $"The {source} holds {DescribeAlgorithm(oid, curve)} (OID {oid}{curvePart}); KeyPairAuth keys are Ed25519.");
    }

    private static byte[] DecodePem(ReadOnlySpan<char> text, out string label)
    {
        if (text.Length > MaxTextLength)
        {
            throw new KeyFormatException(KeyFormatError.WrongLength, $"The PEM is {text.Length} characters; a key PEM is far shorter (at most {MaxTextLength}).");
        }

        if (!PemEncoding.TryFind(text, out PemFields fields))
        {
            throw new KeyFormatException(KeyFormatError.Malformed, "The text is not a well-formed PEM (-----BEGIN ...----- base64 -----END ...-----).");
        }

        label = text[fields.Label].ToString();
        byte[] der = new byte[fields.DecodedDataLength];
        if (!Convert.TryFromBase64Chars(text[fields.Base64Data], der, out int written) || written != der.Length)
        {
            CryptographicOperations.ZeroMemory(der);
            throw new KeyFormatException(KeyFormatError.BadEncoding, "The PEM's body is not valid base64.");
        }

        return der;
    }

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "...";
}
