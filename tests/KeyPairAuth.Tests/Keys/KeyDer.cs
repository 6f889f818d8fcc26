using System.Formats.Asn1;
using System.Security.Cryptography;

namespace KeyPairAuth.Tests.Keys;

/// <summary>
/// Builds the DER of SubjectPublicKeyInfo (RFC 5280 / RFC 8410 section 4) and PKCS#8 (RFC 5208 / RFC 5958 /
/// RFC 8410 section 7) structures field by field, so a test can change exactly one field of an otherwise valid key.
/// </summary>
internal static class KeyDer
{
    public const string Ed25519Oid = "1.3.101.112";

    private static readonly Asn1Tag AttributesTag = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag PublicKeyTag = new(TagClass.ContextSpecific, 1);

    /// <summary>SEQUENCE { SEQUENCE { algorithm, parameters? }, BIT STRING key } followed by <paramref name="trailing"/>.</summary>
    public static byte[] Spki(
        ReadOnlySpan<byte> key,
        string algorithm = Ed25519Oid,
        Action<AsnWriter>? parameters = null,
        int unusedBits = 0,
        Action<AsnWriter>? extraField = null,
        ReadOnlySpan<byte> trailing = default)
    {
        AsnWriter writer = new(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            WriteAlgorithm(writer, algorithm, parameters);
            writer.WriteBitString(key, unusedBits);
            extraField?.Invoke(writer);
        }

        return [.. writer.Encode(), .. trailing];
    }

    /// <summary>
    /// SEQUENCE { INTEGER version, SEQUENCE { algorithm, parameters? }, OCTET STRING { OCTET STRING seed, inner trailing },
    /// [0] attributes?, [1] public key?, extra field? } followed by <paramref name="trailing"/>.
    /// </summary>
    public static byte[] Pkcs8(
        ReadOnlySpan<byte> seed,
        int version = 0,
        string algorithm = Ed25519Oid,
        Action<AsnWriter>? parameters = null,
        ReadOnlySpan<byte> innerTrailing = default,
        bool attributes = false,
        byte[]? publicKey = null,
        Action<AsnWriter>? extraField = null,
        ReadOnlySpan<byte> trailing = default)
    {
        AsnWriter writer = new(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(version);
            WriteAlgorithm(writer, algorithm, parameters);
            AsnWriter inner = new(AsnEncodingRules.DER);
            inner.WriteOctetString(seed);
            writer.WriteOctetString([.. inner.Encode(), .. innerTrailing]);
            if (attributes)
            {
                // One attribute, as openssl writes with -name: SEQUENCE { friendlyName OID, SET { BMPString } }.
                using (writer.PushSetOf(AttributesTag))
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier("1.2.840.113549.1.9.20");
                    using (writer.PushSetOf())
                    {
                        writer.WriteCharacterString(UniversalTagNumber.BMPString, "ci");
                    }
                }
            }

            if (publicKey is not null)
            {
                writer.WriteBitString(publicKey, 0, PublicKeyTag);
            }

            extraField?.Invoke(writer);
        }

        return [.. writer.Encode(), .. trailing];
    }

    public static string PublicPem(byte[] der) => PemEncoding.WriteString("PUBLIC KEY", der);

    public static string PrivatePem(byte[] der) => PemEncoding.WriteString("PRIVATE KEY", der);

    /// <summary>Writes the OBJECT IDENTIFIER <paramref name="oid"/> as an algorithm parameter (a named curve).</summary>
    public static Action<AsnWriter> Curve(string oid) => writer => writer.WriteObjectIdentifier(oid);

    /// <summary>Writes an ASN.1 NULL as the algorithm parameters (what RSA keys carry).</summary>
    public static Action<AsnWriter> NullParameters => writer => writer.WriteNull();

    private static void WriteAlgorithm(AsnWriter writer, string algorithm, Action<AsnWriter>? parameters)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(algorithm);
            parameters?.Invoke(writer);
        }
    }
}
