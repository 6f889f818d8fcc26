using KeyPairAuth.Keys;

namespace KeyPairAuth.Tests.Keys;

/// <summary>
/// Reading a PKCS#8 private key PEM (<see cref="SigningKey.FromPkcs8Pem(string)"/>): the optional fields RFC 5958 allows
/// are read, everything else is refused with its own <see cref="KeyFormatError"/> and a message that names the problem
/// and never repeats the key.
/// </summary>
public sealed class Pkcs8PemReadingTests
{
    private const string Pkcs8ContentsMessage = "The PEM's contents are not a valid PKCS#8 structure.";

    private static byte[] OpenSslPublicKey => Ed25519PublicKey.FromSpkiPem(TestKeys.OpenSslPublicPem).RawBytes.ToArray();

    [Fact]
    public void FromPkcs8Pem_BuiltFieldByField_IsTheOpenSslKey()
    {
        // The builder the other tests change one field of writes exactly what openssl writes.
        Assert.Equal(TestKeys.OpenSslPrivatePem.TrimEnd('\n'), KeyDer.PrivatePem(KeyDer.Pkcs8(TestKeys.OpenSslSeed)));
    }

    [Theory]
    [InlineData("ENCRYPTED PRIVATE KEY", KeyFormatError.Malformed,
        "The PEM is an encrypted private key. Decrypt it first, for example 'openssl pkey -in key.pem -out plain.pem'.")]
    [InlineData("RSA PRIVATE KEY", KeyFormatError.UnsupportedAlgorithm, "The PEM holds an RSA key (PKCS#1); KeyPairAuth keys are Ed25519.")]
    [InlineData("EC PRIVATE KEY", KeyFormatError.UnsupportedAlgorithm, "The PEM holds an EC key (SEC 1); KeyPairAuth keys are Ed25519.")]
    [InlineData("OPENSSH PRIVATE KEY", KeyFormatError.Malformed,
        "The PEM is in the OpenSSH private key format; KeyPairAuth reads PKCS#8 (-----BEGIN PRIVATE KEY-----), as written by 'openssl genpkey -algorithm ed25519'.")]
    [InlineData("PUBLIC KEY", KeyFormatError.Malformed, "The PEM holds a public key; signing needs the private key (-----BEGIN PRIVATE KEY-----).")]
    [InlineData("CERTIFICATE", KeyFormatError.Malformed, "The PEM label is 'CERTIFICATE'; an Ed25519 private key PEM is labelled 'PRIVATE KEY'.")]
    public void FromPkcs8Pem_OtherLabel_SaysWhatTheLabelHoldsWithoutTheKey(string label, KeyFormatError error, string message)
    {
        string pem = TestKeys.OpenSslPrivatePem.Replace("PRIVATE KEY", label, StringComparison.Ordinal);

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.FromPkcs8Pem(pem));

        Assert.Equal(error, ex.Error);
        Assert.Equal(message, ex.Message);
        Assert.DoesNotContain("MC4CAQAw", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPkcs8Pem_LabelLongerThan40Characters_IsShownTruncatedTo40()
    {
        string pem = TestKeys.OpenSslPrivatePem.Replace("PRIVATE KEY", new string('L', 41), StringComparison.Ordinal);

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.FromPkcs8Pem(pem));

        Assert.Equal($"The PEM label is '{new string('L', 40)}...'; an Ed25519 private key PEM is labelled 'PRIVATE KEY'.", ex.Message);
    }

    [Fact]
    public void FromPkcs8Pem_TextOneCharacterOverMaxLength_IsWrongLength()
    {
        string pem = TestKeys.OpenSslPrivatePem + new string('\n', (16 * 1024) + 1 - TestKeys.OpenSslPrivatePem.Length);

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.FromPkcs8Pem(pem));

        Assert.Equal(KeyFormatError.WrongLength, ex.Error);
        Assert.Equal("The PEM is 16385 characters; a key PEM is far shorter (at most 16384).", ex.Message);
    }

    [Fact]
    public void FromPkcs8Pem_V1WithAttributes_IsRead()
    {
        // RFC 5958 section 2: attributes [0] are optional (PKCS#12 tools put a friendlyName there); they are skipped.
        using SigningKey key = SigningKey.FromPkcs8Pem(KeyDer.PrivatePem(KeyDer.Pkcs8(TestKeys.OpenSslSeed, attributes: true)));

        Assert.Equal(TestKeys.OpenSslPublicBase64Url, key.PublicKey.ExportBase64Url());
        Assert.Equal(TestKeys.OpenSslKeyId, key.KeyId);
    }

    [Fact]
    public void FromPkcs8Pem_V2WithAttributesAndPublicKey_IsRead()
    {
        string pem = KeyDer.PrivatePem(KeyDer.Pkcs8(TestKeys.OpenSslSeed, version: 1, attributes: true, publicKey: OpenSslPublicKey));

        using SigningKey key = SigningKey.FromPkcs8Pem(pem);

        Assert.Equal(TestKeys.OpenSslPublicBase64Url, key.PublicKey.ExportBase64Url());
    }

    [Fact]
    public void FromPkcs8Pem_V2WithoutThePublicKey_IsRead()
    {
        // RFC 5958: publicKey is OPTIONAL in a version 2 (INTEGER 1) OneAsymmetricKey.
        using SigningKey key = SigningKey.FromPkcs8Pem(KeyDer.PrivatePem(KeyDer.Pkcs8(TestKeys.OpenSslSeed, version: 1)));

        Assert.Equal(TestKeys.OpenSslPublicBase64Url, key.PublicKey.ExportBase64Url());
    }

    [Fact]
    public void FromPkcs8Pem_V1CarryingAPublicKey_IsMalformed()
    {
        // The publicKey field exists only in version 2; a version 1 structure that has one is not PKCS#8.
        string pem = KeyDer.PrivatePem(KeyDer.Pkcs8(TestKeys.OpenSslSeed, version: 0, publicKey: OpenSslPublicKey));

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.FromPkcs8Pem(pem));

        Assert.Equal(KeyFormatError.Malformed, ex.Error);
        Assert.Equal(Pkcs8ContentsMessage, ex.Message);
    }

    [Fact]
    public void FromPkcs8Pem_FieldAfterThePublicKey_IsMalformed()
    {
        string pem = KeyDer.PrivatePem(KeyDer.Pkcs8(TestKeys.OpenSslSeed, version: 1, publicKey: OpenSslPublicKey, extraField: w => w.WriteInteger(0)));

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.FromPkcs8Pem(pem));

        Assert.Equal(KeyFormatError.Malformed, ex.Error);
        Assert.Equal(Pkcs8ContentsMessage, ex.Message);
    }

    [Fact]
    public void FromPkcs8Pem_BytesAfterTheStructure_AreMalformed()
    {
        string pem = KeyDer.PrivatePem(KeyDer.Pkcs8(TestKeys.OpenSslSeed, trailing: [0x05, 0x00]));

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.FromPkcs8Pem(pem));

        Assert.Equal(KeyFormatError.Malformed, ex.Error);
        Assert.Equal(Pkcs8ContentsMessage, ex.Message);
    }

    [Fact]
    public void FromPkcs8Pem_BytesAfterTheSeedInsideThePrivateKey_AreMalformed()
    {
        string pem = KeyDer.PrivatePem(KeyDer.Pkcs8(TestKeys.OpenSslSeed, innerTrailing: [0x05, 0x00]));

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.FromPkcs8Pem(pem));

        Assert.Equal(KeyFormatError.Malformed, ex.Error);
        Assert.Equal(Pkcs8ContentsMessage, ex.Message);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-1)]
    public void FromPkcs8Pem_VersionOtherThan1Or2_IsMalformedNamingTheVersion(int version)
    {
        string pem = KeyDer.PrivatePem(KeyDer.Pkcs8(TestKeys.OpenSslSeed, version: version));

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.FromPkcs8Pem(pem));

        Assert.Equal(KeyFormatError.Malformed, ex.Error);
        Assert.Equal("The PEM's PKCS#8 version is not 0 or 1.", ex.Message);
    }

    [Fact]
    public void FromPkcs8Pem_Ed25519WithParameters_IsMalformedCitingRfc8410()
    {
        string pem = KeyDer.PrivatePem(KeyDer.Pkcs8(TestKeys.OpenSslSeed, parameters: KeyDer.NullParameters));

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.FromPkcs8Pem(pem));

        Assert.Equal(KeyFormatError.Malformed, ex.Error);
        Assert.Equal("The Ed25519 algorithm identifier has parameters; RFC 8410 requires them absent.", ex.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x04, 0x02, 0x00, 0x00 })] // an OCTET STRING, not a SEQUENCE
    [InlineData(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x00 })] // a version and nothing else
    public void FromPkcs8Pem_DerThatIsNotPkcs8_IsMalformed(byte[] der)
    {
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.FromPkcs8Pem(KeyDer.PrivatePem(der)));

        Assert.Equal(KeyFormatError.Malformed, ex.Error);
        Assert.Equal(Pkcs8ContentsMessage, ex.Message);
    }
}
