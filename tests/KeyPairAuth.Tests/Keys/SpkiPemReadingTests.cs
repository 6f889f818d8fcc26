using KeyPairAuth.Keys;

namespace KeyPairAuth.Tests.Keys;

/// <summary>
/// Reading a SubjectPublicKeyInfo PEM (<see cref="Ed25519PublicKey.FromSpkiPem"/>): every way the PEM armour or the
/// DER inside it can be wrong gets its own <see cref="KeyFormatError"/> and a message that names the problem.
/// </summary>
public sealed class SpkiPemReadingTests
{
    private const string SpkiContentsMessage = "The PEM's contents are not a valid SubjectPublicKeyInfo structure.";

    private const string PrivateKeyMessage =
        "The PEM holds a private key. Give only the public key (-----BEGIN PUBLIC KEY-----, from 'openssl pkey -in key.pem -pubout'); the private key never needs to reach the server.";

    private static byte[] OpenSslKey => Convert.FromBase64String(TestKeys.OpenSslPublicBase64Url.Replace('-', '+').Replace('_', '/') + "=");

    [Fact]
    public void FromSpkiPem_BuiltFieldByField_IsTheOpenSslKey()
    {
        // The builder the other tests change one field of writes exactly what openssl writes.
        Assert.Equal(TestKeys.OpenSslPublicPem.TrimEnd('\n'), KeyDer.PublicPem(KeyDer.Spki(OpenSslKey)));
        Assert.Equal(TestKeys.OpenSslPublicBase64Url, Ed25519PublicKey.FromSpkiPem(KeyDer.PublicPem(KeyDer.Spki(OpenSslKey))).ExportBase64Url());
    }

    [Theory]
    [InlineData("PRIVATE KEY")]
    [InlineData("ENCRYPTED PRIVATE KEY")]
    [InlineData("RSA PRIVATE KEY")]
    [InlineData("EC PRIVATE KEY")]
    [InlineData("OPENSSH PRIVATE KEY")]
    public void FromSpkiPem_AnyPrivateKeyLabel_IsRefusedSayingOnlyThePublicKeyIsNeeded(string label)
    {
        string pem = Relabel(TestKeys.OpenSslPrivatePem, label);

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromSpkiPem(pem));

        Assert.Equal(KeyFormatError.Malformed, ex.Error);
        Assert.Equal(PrivateKeyMessage, ex.Message);
        Assert.DoesNotContain("MC4CAQAw", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromSpkiPem_RsaPublicKeyLabel_IsUnsupportedAlgorithmNamingPkcs1()
    {
        string pem = Relabel(TestKeys.OpenSslPublicPem, "RSA PUBLIC KEY");

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromSpkiPem(pem));

        Assert.Equal(KeyFormatError.UnsupportedAlgorithm, ex.Error);
        Assert.Equal("The PEM holds an RSA key (PKCS#1); KeyPairAuth keys are Ed25519.", ex.Message);
    }

    [Fact]
    public void FromSpkiPem_OtherLabel_IsMalformedNamingTheLabelFound()
    {
        string pem = Relabel(TestKeys.OpenSslPublicPem, "CERTIFICATE");

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromSpkiPem(pem));

        Assert.Equal(KeyFormatError.Malformed, ex.Error);
        Assert.Equal("The PEM label is 'CERTIFICATE'; an Ed25519 public key PEM is labelled 'PUBLIC KEY'.", ex.Message);
    }

    [Fact]
    public void FromSpkiPem_LabelOfExactly40Characters_IsShownWhole()
    {
        string label = new('L', 40);

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromSpkiPem(Relabel(TestKeys.OpenSslPublicPem, label)));

        Assert.Equal($"The PEM label is '{label}'; an Ed25519 public key PEM is labelled 'PUBLIC KEY'.", ex.Message);
    }

    [Fact]
    public void FromSpkiPem_LabelLongerThan40Characters_IsShownTruncatedTo40()
    {
        string label = new string('L', 40) + "TAIL";

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromSpkiPem(Relabel(TestKeys.OpenSslPublicPem, label)));

        Assert.Equal($"The PEM label is '{new string('L', 40)}...'; an Ed25519 public key PEM is labelled 'PUBLIC KEY'.", ex.Message);
    }

    [Fact]
    public void FromSpkiPem_TextOfExactlyMaxLength_IsRead()
    {
        string pem = PadTo(TestKeys.OpenSslPublicPem, 16 * 1024);

        Assert.Equal(TestKeys.OpenSslPublicBase64Url, Ed25519PublicKey.FromSpkiPem(pem).ExportBase64Url());
    }

    [Fact]
    public void FromSpkiPem_TextOneCharacterOverMaxLength_IsWrongLengthBeforeDecoding()
    {
        string pem = PadTo(TestKeys.OpenSslPublicPem, (16 * 1024) + 1);

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromSpkiPem(pem));

        Assert.Equal(KeyFormatError.WrongLength, ex.Error);
        Assert.Equal("The PEM is 16385 characters; a key PEM is far shorter (at most 16384).", ex.Message);
    }

    [Theory]
    [InlineData("MCowBQYDK2VwAyEAxWVwCyMMvBmFFnJnriEBnXhOTYhYPxseLFzJ3XtTBjI=")] // no armour at all
    [InlineData("-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAxWVwCyMMvBmFFnJnriEBnXhOTYhYPxseLFzJ3XtTBjI=\n-----END PRIVATE KEY-----")]
    public void FromSpkiPem_NotWellFormedPem_IsMalformedSayingWhatAPemLooksLike(string text)
    {
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromSpkiPem(text));

        Assert.Equal(KeyFormatError.Malformed, ex.Error);
        Assert.Equal("The text is not a well-formed PEM (-----BEGIN ...----- base64 -----END ...-----).", ex.Message);
    }

    [Fact]
    public void FromSpkiPem_BytesAfterTheStructure_AreMalformed()
    {
        string pem = KeyDer.PublicPem(KeyDer.Spki(OpenSslKey, trailing: [0x05, 0x00]));

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromSpkiPem(pem));

        Assert.Equal(KeyFormatError.Malformed, ex.Error);
        Assert.Equal(SpkiContentsMessage, ex.Message);
    }

    [Fact]
    public void FromSpkiPem_FieldAfterTheKey_IsMalformed()
    {
        string pem = KeyDer.PublicPem(KeyDer.Spki(OpenSslKey, extraField: w => w.WriteInteger(0)));

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromSpkiPem(pem));

        Assert.Equal(KeyFormatError.Malformed, ex.Error);
        Assert.Equal(SpkiContentsMessage, ex.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x04, 0x02, 0x00, 0x00 })] // an OCTET STRING, not a SEQUENCE
    [InlineData(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x00 })] // a SEQUENCE holding an INTEGER where the algorithm belongs
    [InlineData(new byte[] { 0x30, 0x80, 0x00, 0x00 })] // indefinite length, which DER forbids
    public void FromSpkiPem_DerThatIsNotSubjectPublicKeyInfo_IsMalformed(byte[] der)
    {
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromSpkiPem(KeyDer.PublicPem(der)));

        Assert.Equal(KeyFormatError.Malformed, ex.Error);
        Assert.Equal(SpkiContentsMessage, ex.Message);
    }

    [Theory]
    [InlineData(31)]
    [InlineData(33)]
    public void FromSpkiPem_KeyOfWrongByteLength_IsWrongLengthGivingTheLength(int length)
    {
        byte[] key = new byte[length];
        OpenSslKey.AsSpan(0, Math.Min(length, 32)).CopyTo(key);
        string pem = KeyDer.PublicPem(KeyDer.Spki(key));

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromSpkiPem(pem));

        Assert.Equal(KeyFormatError.WrongLength, ex.Error);
        Assert.Equal($"An Ed25519 public key is 32 bytes; the PEM holds {length}.", ex.Message);
    }

    [Fact]
    public void FromSpkiPem_KeyBitStringWithUnusedBits_IsWrongLengthGivingTheBitCount()
    {
        // 32 bytes whose last bit is declared unused: 255 bits, not a key. (DER requires the unused bit to be zero.)
        byte[] key = OpenSslKey;
        key[^1] &= 0xFE;
        string pem = KeyDer.PublicPem(KeyDer.Spki(key, unusedBits: 1));

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromSpkiPem(pem));

        Assert.Equal(KeyFormatError.WrongLength, ex.Error);
        Assert.Equal("An Ed25519 public key is 32 bytes; the PEM's BIT STRING holds 255 bits.", ex.Message);
    }

    [Fact]
    public void FromSpkiPem_Ed25519WithParameters_IsMalformedCitingRfc8410()
    {
        string pem = KeyDer.PublicPem(KeyDer.Spki(OpenSslKey, parameters: KeyDer.NullParameters));

        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromSpkiPem(pem));

        Assert.Equal(KeyFormatError.Malformed, ex.Error);
        Assert.Equal("The Ed25519 algorithm identifier has parameters; RFC 8410 requires them absent.", ex.Message);
    }

    private static string Relabel(string pem, string label) =>
        pem.Replace("PRIVATE KEY", label, StringComparison.Ordinal).Replace("PUBLIC KEY", label, StringComparison.Ordinal);

    // Text around a PEM is allowed (RFC 7468 section 2), so padding after it keeps the PEM readable.
    private static string PadTo(string pem, int length) => pem + new string('\n', length - pem.Length);
}
