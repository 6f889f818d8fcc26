using KeyPairAuth.Keys;

namespace KeyPairAuth.Tests.Keys;

/// <summary>
/// A PEM holding a key of another algorithm is refused as <see cref="KeyFormatError.UnsupportedAlgorithm"/> with a
/// message naming the algorithm, its OID and, for EC keys, the curve, whether it is a public or a private key PEM.
/// </summary>
public sealed class ForeignKeyAlgorithmTests
{
    public static TheoryData<string, string?, string> Algorithms => new()
    {
        { "1.2.840.113549.1.1.10", null, "an RSA-PSS key (OID 1.2.840.113549.1.1.10)" },
        { "1.2.840.10045.2.1", "1.3.132.0.34", "an EC P-384 key (OID 1.2.840.10045.2.1, curve 1.3.132.0.34)" },
        { "1.2.840.10045.2.1", "1.3.132.0.35", "an EC P-521 key (OID 1.2.840.10045.2.1, curve 1.3.132.0.35)" },
        { "1.2.840.10045.2.1", "1.3.132.0.10", "an EC secp256k1 key (OID 1.2.840.10045.2.1, curve 1.3.132.0.10)" },
        { "1.2.840.10045.2.1", "1.3.36.3.3.2.8.1.1.7", "an EC key (OID 1.2.840.10045.2.1, curve 1.3.36.3.3.2.8.1.1.7)" }, // brainpoolP256r1
        { "1.3.101.111", null, "an X448 key (OID 1.3.101.111)" },
        { "1.3.101.113", null, "an Ed448 key (OID 1.3.101.113)" },
        { "1.2.643.7.1.1.1.1", null, "a key of another algorithm (OID 1.2.643.7.1.1.1.1)" }, // GOST R 34.10-2012
    };

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void FromSpkiPem_KeyOfAnotherAlgorithm_NamesItsAlgorithmOidAndCurve(string oid, string? curve, string found)
    {
        string pem = KeyDer.PublicPem(KeyDer.Spki(new byte[32], oid, curve is null ? null : KeyDer.Curve(curve)));

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromSpkiPem(pem));

        Assert.Equal(KeyFormatError.UnsupportedAlgorithm, ex.Error);
        Assert.Equal($"The PEM holds {found}; KeyPairAuth keys are Ed25519.", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void FromPkcs8Pem_KeyOfAnotherAlgorithm_NamesItsAlgorithmOidAndCurve(string oid, string? curve, string found)
    {
        string pem = KeyDer.PrivatePem(KeyDer.Pkcs8(new byte[32], algorithm: oid, parameters: curve is null ? null : KeyDer.Curve(curve)));

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.FromPkcs8Pem(pem));

        Assert.Equal(KeyFormatError.UnsupportedAlgorithm, ex.Error);
        Assert.Equal($"The PEM holds {found}; KeyPairAuth keys are Ed25519.", ex.Message);
    }

    [Fact]
    public void FromSpkiPem_DsaKey_NamesDsaWithoutACurve()
    {
        // DSA parameters are a SEQUENCE { p, q, g }, not a curve OID: the message names no curve.
        string pem = KeyDer.PublicPem(KeyDer.Spki(new byte[32], "1.2.840.10040.4.1", w =>
        {
            using (w.PushSequence())
            {
                w.WriteInteger(23);
                w.WriteInteger(11);
                w.WriteInteger(4);
            }
        }));

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromSpkiPem(pem));

        Assert.Equal(KeyFormatError.UnsupportedAlgorithm, ex.Error);
        Assert.Equal("The PEM holds a DSA key (OID 1.2.840.10040.4.1); KeyPairAuth keys are Ed25519.", ex.Message);
    }

    [Fact]
    public void FromSpkiPem_EcKeyWithoutNamedCurve_NamesNoCurve()
    {
        string pem = KeyDer.PublicPem(KeyDer.Spki(new byte[32], "1.2.840.10045.2.1"));

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromSpkiPem(pem));

        Assert.Equal("The PEM holds an EC key (OID 1.2.840.10045.2.1); KeyPairAuth keys are Ed25519.", ex.Message);
    }
}
