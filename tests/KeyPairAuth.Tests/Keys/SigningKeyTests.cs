using System.Security.Cryptography;
using KeyPairAuth.Keys;
using NSec.Cryptography;

namespace KeyPairAuth.Tests.Keys;

public sealed class SigningKeyTests
{
    [Fact]
    public void Generate_HasNewKeyIdAndSigns()
    {
        using SigningKey key = SigningKey.Generate();
        Assert.True(KeyId.IsValid(key.KeyId));
        Assert.True(TestKeys.SignsFor(key, key.PublicKey));
    }

    [Fact]
    public void Generate_KeyId_IsDerivedFromThePublicKey()
    {
        for (int i = 0; i < 20; i++)
        {
            using SigningKey key = SigningKey.Generate();
            Assert.Equal(TestKeys.DerivedKeyIdOf(key.PublicKey), key.KeyId);
        }
    }

    [Fact]
    public void Generate_ExportSecret_CarriesTheDerivedKeyId()
    {
        using SigningKey key = SigningKey.Generate();
        string secret = key.ExportSecret();
        using SigningKey parsed = SigningKey.Parse(secret);
        Assert.Equal(TestKeys.DerivedKeyIdOf(parsed.PublicKey), parsed.KeyId);
    }

    [Fact]
    public void FromSeed_WithoutKeyId_UsesTheDerivedKeyId()
    {
        using SigningKey key = SigningKey.FromSeed(TestKeys.OpenSslSeed);
        Assert.Equal(TestKeys.OpenSslKeyId, key.KeyId);
        Assert.False(key.CanExport);
        Assert.Equal(KeyFormatError.WrongLength, Assert.Throws<KeyFormatException>(() => SigningKey.FromSeed(new byte[31])).Error);
    }

    [Fact]
    public void FromPkcs8Pem_WithoutKeyId_UsesTheDerivedKeyId()
    {
        using SigningKey key = SigningKey.FromPkcs8Pem(TestKeys.OpenSslPrivatePem);
        Assert.Equal(TestKeys.OpenSslKeyId, key.KeyId);
        Assert.Equal(Ed25519PublicKey.FromSpkiPem(TestKeys.OpenSslPublicPem), key.PublicKey);
        Assert.False(key.CanExport);
    }

    [Fact]
    public void FromPkcs8Pem_WithKeyId_KeepsTheGivenKeyId()
    {
        using SigningKey key = SigningKey.FromPkcs8Pem("partner-7", TestKeys.OpenSslPrivatePem);
        Assert.Equal("partner-7", key.KeyId);
    }

    [Fact]
    public void Generate_ExportSecret_RoundTripsToSameKey()
    {
        using SigningKey key = SigningKey.Generate();
        string secret = key.ExportSecret();
        using SigningKey parsed = SigningKey.Parse(secret);
        Assert.Equal(key.KeyId, parsed.KeyId);
        Assert.Equal(key.PublicKey, parsed.PublicKey);
        Assert.True(TestKeys.SignsFor(parsed, key.PublicKey));
    }

    [Fact]
    public void Generate_ExportsExactlyOnce()
    {
        using SigningKey key = SigningKey.Generate();
        Assert.True(key.CanExport);
        _ = key.ExportPkcs8Pem();
        Assert.False(key.CanExport);
        Assert.Throws<InvalidOperationException>(() => key.ExportSecret());
        Assert.Throws<InvalidOperationException>(() => key.ExportPkcs8Pem());
    }

    [Fact]
    public void Generate_UsesNSecArchivingPolicy() // the NSec key itself refuses a second export
    {
        using SigningKey key = SigningKey.Generate();
        Assert.Equal(KeyExportPolicies.AllowPlaintextArchiving, key.NSecKey.ExportPolicy);
        _ = key.ExportSecret();
        Assert.ThrowsAny<InvalidOperationException>(() => key.NSecKey.Export(KeyBlobFormat.RawPrivateKey));
    }

    [Fact]
    public void ParsedKeys_SignOnly_CannotBeExported()
    {
        using SigningKey fromSecret = SigningKey.Parse(TestKeys.KnownSecret);
        using SigningKey fromPem = SigningKey.FromPkcs8Pem(TestKeys.OpenSslKeyId, TestKeys.OpenSslPrivatePem);
        using SigningKey fromSeed = SigningKey.FromSeed("test-key-ed25519", TestKeys.OpenSslSeed);
        foreach (SigningKey key in new[] { fromSecret, fromPem, fromSeed })
        {
            Assert.False(key.CanExport);
            Assert.Equal(KeyExportPolicies.None, key.NSecKey.ExportPolicy);
            Assert.Throws<InvalidOperationException>(() => key.ExportSecret());
            Assert.Throws<InvalidOperationException>(() => key.ExportPkcs8Pem());
            Assert.ThrowsAny<InvalidOperationException>(() => key.NSecKey.Export(KeyBlobFormat.RawPrivateKey));
        }
    }

    [Fact]
    public void FromPkcs8Pem_OpenSslKey_MatchesOpenSslPublicKey()
    {
        using SigningKey key = SigningKey.FromPkcs8Pem(TestKeys.OpenSslKeyId, TestKeys.OpenSslPrivatePem);
        Ed25519PublicKey openSslPublic = Ed25519PublicKey.FromSpkiPem(TestKeys.OpenSslPublicPem);
        Assert.Equal(openSslPublic, key.PublicKey);
        Assert.True(TestKeys.SignsFor(key, openSslPublic));
    }

    [Fact]
    public void ExportPkcs8Pem_IsByteForByteWhatOpenSslWrites()
    {
        // The writer the issuer uses, fed the OpenSSL key's seed.
        char[] pem = KeyPairAuth.Keys.Internal.KeyEncoding.WritePkcs8Pem(TestKeys.OpenSslSeed);
        Assert.Equal(TestKeys.OpenSslPrivatePem.TrimEnd('\n'), new string(pem));
    }

    [Fact]
    public void Generate_ExportPkcs8Pem_ReadsBack()
    {
        using SigningKey key = SigningKey.Generate();
        string pem = key.ExportPkcs8Pem();
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem, StringComparison.Ordinal);
        using SigningKey back = SigningKey.FromPkcs8Pem(key.KeyId, pem);
        Assert.Equal(key.PublicKey, back.PublicKey);
    }

    [Fact]
    public void FromPkcs8Pem_V2WithMatchingPublicKey_IsAccepted_AndMismatchIsInvalidKey()
    {
        byte[] publicKey = Ed25519PublicKey.FromSpkiPem(TestKeys.OpenSslPublicPem).RawBytes.ToArray();
        using SigningKey key = SigningKey.FromPkcs8Pem("k", Pkcs8V2(TestKeys.OpenSslSeed, publicKey));
        Assert.Equal(TestKeys.OpenSslPublicBase64Url, key.PublicKey.ExportBase64Url());

        publicKey[0] ^= 1;
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.FromPkcs8Pem("k", Pkcs8V2(TestKeys.OpenSslSeed, publicKey)));
        Assert.Equal(KeyFormatError.InvalidKey, ex.Error);
    }

    [Fact]
    public void FromPkcs8Pem_RsaKey_NamesRsaAndOid()
    {
        using RSA rsa = RSA.Create(2048);
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.FromPkcs8Pem("k", rsa.ExportPkcs8PrivateKeyPem()));
        Assert.Equal(KeyFormatError.UnsupportedAlgorithm, ex.Error);
        Assert.Equal("The PEM holds an RSA key (OID 1.2.840.113549.1.1.1); KeyPairAuth keys are Ed25519.", ex.Message);
    }

    [Fact]
    public void FromPkcs8Pem_P256Key_NamesCurve()
    {
        using ECDsa ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.FromPkcs8Pem("k", ec.ExportPkcs8PrivateKeyPem()));
        Assert.Equal(KeyFormatError.UnsupportedAlgorithm, ex.Error);
        Assert.Equal("The PEM holds an EC P-256 key (OID 1.2.840.10045.2.1, curve 1.2.840.10045.3.1.7); KeyPairAuth keys are Ed25519.", ex.Message);
    }

    [Fact]
    public void FromPkcs8Pem_Ed448Key_NamesEd448()
    {
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.FromPkcs8Pem("k", TestKeys.Ed448PrivatePem));
        Assert.Equal(KeyFormatError.UnsupportedAlgorithm, ex.Error);
        Assert.Contains("Ed448", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPkcs8Pem_Pkcs1RsaAndSec1Ec_NameTheAlgorithm()
    {
        using RSA rsa = RSA.Create(2048);
        using ECDsa ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Equal(KeyFormatError.UnsupportedAlgorithm, Assert.Throws<KeyFormatException>(() => SigningKey.FromPkcs8Pem("k", rsa.ExportRSAPrivateKeyPem())).Error);
        Assert.Equal(KeyFormatError.UnsupportedAlgorithm, Assert.Throws<KeyFormatException>(() => SigningKey.FromPkcs8Pem("k", ec.ExportECPrivateKeyPem())).Error);
    }

    [Theory]
    [InlineData("not a pem", KeyFormatError.Malformed)]
    [InlineData("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFzFqJ1MSQ1fhlFpjk1Rfgz9VUzD1bPMYaOyM0n8o+S\n-----END PRIVATE KEY-----", KeyFormatError.Malformed)] // truncated base64
    [InlineData("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAxWVwCyMMvBmFFnJnriEBnXhOTYhYPxseLFzJ3XtTBjI=\n-----END PUBLIC KEY-----", KeyFormatError.Malformed)]
    [InlineData("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFzFqJ1MSQ1fhlFpjk1Rfgz9VUzD1bPMYaOyM0n8o+SN\n-----END ENCRYPTED PRIVATE KEY-----", KeyFormatError.Malformed)]
    [InlineData("-----BEGIN CERTIFICATE-----\nMC4CAQAwBQYDK2VwBCIEIFzFqJ1MSQ1fhlFpjk1Rfgz9VUzD1bPMYaOyM0n8o+SN\n-----END CERTIFICATE-----", KeyFormatError.Malformed)]
    public void FromPkcs8Pem_Malformed_ThrowsKeyFormatException(string pem, KeyFormatError expected)
    {
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.FromPkcs8Pem("k", pem));
        Assert.Equal(expected, ex.Error);
        Assert.DoesNotContain("MC4CAQAw", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPkcs8Pem_TruncatedDer_IsMalformed()
    {
        byte[] der = Convert.FromBase64String("MC4CAQAwBQYDK2VwBCIEIFzFqJ1MSQ1fhlFpjk1Rfgz9VUzD1bPMYaOyM0n8o+SN");
        for (int length = 0; length < der.Length; length++)
        {
            string pem = PemEncoding.WriteString("PRIVATE KEY", der.AsSpan(0, length));
            KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.FromPkcs8Pem("k", pem));
            Assert.Equal(KeyFormatError.Malformed, ex.Error);
        }
    }

    [Fact]
    public void FromPkcs8Pem_31ByteSeed_IsWrongLength()
    {
        System.Formats.Asn1.AsnWriter writer = new(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(0);
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.3.101.112");
            }

            System.Formats.Asn1.AsnWriter inner = new(System.Formats.Asn1.AsnEncodingRules.DER);
            inner.WriteOctetString(new byte[31]);
            writer.WriteOctetString(inner.Encode());
        }

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.FromPkcs8Pem("k", PemEncoding.WriteString("PRIVATE KEY", writer.Encode())));
        Assert.Equal(KeyFormatError.WrongLength, ex.Error);
        Assert.Equal("An Ed25519 private key is 32 bytes; the PEM holds 31.", ex.Message);
    }

    [Fact]
    public void FromPkcs8Pem_RandomGarbageInsidePemArmor_OnlyEverThrowsKeyFormatException()
    {
        for (int i = 0; i < 2000; i++)
        {
            byte[] der = RandomNumberGenerator.GetBytes(RandomNumberGenerator.GetInt32(0, 80));
            if (der.Length > 0 && i % 2 == 0)
            {
                der[0] = 0x30; // make it look like a SEQUENCE more often
            }

            string pem = PemEncoding.WriteString("PRIVATE KEY", der);
            Assert.Throws<KeyFormatException>(() => SigningKey.FromPkcs8Pem("k", pem));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("key id")]
    [InlineData("kpa_\n")]
    public void FromSeed_BadKeyId_ThrowsArgumentException(string keyId) =>
        Assert.ThrowsAny<ArgumentException>(() => SigningKey.FromSeed(keyId, new byte[32]));

    [Fact]
    public void ExportSecret_NonKeyPairAuthKeyId_ThrowsInvalidOperation()
    {
        using SigningKey key = SigningKey.FromSeed("test-key-ed25519", new byte[32]);
        InvalidOperationException ex = Assert.Throws<InvalidOperationException>(() => key.ExportSecret());
        Assert.Contains("PKCS#8", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_ShowsKeyIdOnly()
    {
        using SigningKey key = SigningKey.Parse(TestKeys.KnownSecret);
        Assert.Equal($"SigningKey {{ KeyId = {TestKeys.KnownKeyId} }}", key.ToString());
        Assert.Equal($"SigningKey {{ KeyId = {TestKeys.KnownKeyId} }}", $"{key}");
    }

    [Fact]
    public void Dispose_ThenSign_Throws()
    {
        SigningKey key = SigningKey.Parse(TestKeys.KnownSecret);
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => key.Sign([1, 2, 3], new byte[64]));
    }

    private static string Pkcs8V2(byte[] seed, byte[] publicKey)
    {
        System.Formats.Asn1.AsnWriter writer = new(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(1);
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.3.101.112");
            }

            System.Formats.Asn1.AsnWriter inner = new(System.Formats.Asn1.AsnEncodingRules.DER);
            inner.WriteOctetString(seed);
            writer.WriteOctetString(inner.Encode());
            writer.WriteBitString(publicKey, 0, new System.Formats.Asn1.Asn1Tag(System.Formats.Asn1.TagClass.ContextSpecific, 1));
        }

        return PemEncoding.WriteString("PRIVATE KEY", writer.Encode());
    }
}
