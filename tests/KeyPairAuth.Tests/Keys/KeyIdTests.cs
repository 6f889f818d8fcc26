using KeyPairAuth.Keys;

namespace KeyPairAuth.Tests.Keys;

public sealed class KeyIdTests
{
    [Fact]
    public void New_HasPrefixAndLength_AndIsValid()
    {
        string id = KeyId.New();
        Assert.StartsWith("kpa_", id, StringComparison.Ordinal);
        Assert.Equal(20, id.Length);
        Assert.True(KeyId.IsValid(id));
        Assert.Matches("^kpa_[A-Za-z0-9_-]{16}$", id);
    }

    [Fact]
    public void New_TenThousandIds_AreDistinct()
    {
        HashSet<string> ids = [];
        for (int i = 0; i < 10_000; i++)
        {
            Assert.True(ids.Add(KeyId.New()));
        }
    }

    [Fact]
    public void New_IsUrlSafe()
    {
        string id = KeyId.New();
        Assert.Equal(id, Uri.EscapeDataString(id));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("kpa_")]
    [InlineData("kpa_AAECAwQFBgcICQo")] // 15 characters after the prefix
    [InlineData("kpa_AAECAwQFBgcICQoLA")] // 17
    [InlineData("KPA_AAECAwQFBgcICQoL")] // wrong case prefix
    [InlineData("kpb_AAECAwQFBgcICQoL")]
    [InlineData("kpa_AAECAwQFBgcICQo+")] // standard base64 character
    [InlineData("kpa_AAECAwQFBgcICQo=")]
    [InlineData("kpa_AAECAwQFBgcI CQo")]
    [InlineData("kpa_sk_AAECAwQFBgcIC")]
    [InlineData("kpa_AAECAwQFBgcICQo\n")] // a final newline where a character belongs (the '$' mistake)
    [InlineData("kpa_AAECAwQFBgcICQoL\n")]
    [InlineData("\nkpa_AAECAwQFBgcICQoL")]
    public void IsValid_Malformed_ReturnsFalse(string? id)
    {
        Assert.False(KeyId.IsValid(id));
        Assert.False(KeyId.IsValid(id.AsSpan()));
    }

    [Fact]
    public void IsValid_KnownId_ReturnsTrue() => Assert.True(KeyId.IsValid(TestKeys.KnownKeyId));

    [Fact]
    public void FromPublicKey_Rfc8037ThumbprintExample_IsKpaPlusFirst16Characters() =>
        // RFC 8037 appendix A.3 gives this key's RFC 7638 thumbprint: kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k.
        Assert.Equal(TestKeys.Rfc8037KeyId, KeyId.FromPublicKey(Ed25519PublicKey.FromBase64Url(TestKeys.Rfc8037PublicX)));

    [Fact]
    public void FromPublicKey_OpenSslKey_MatchesOpenSslPythonAndNode() =>
        Assert.Equal(TestKeys.OpenSslKeyId, KeyId.FromPublicKey(Ed25519PublicKey.FromSpkiPem(TestKeys.OpenSslPublicPem)));

    [Fact]
    public void FromPublicKey_AnyKey_IsDeterministicAndHasTheKeyIdShape()
    {
        for (int i = 0; i < 50; i++)
        {
            using SigningKey key = SigningKey.Generate();
            Ed25519PublicKey samePublicKey = Ed25519PublicKey.Parse(key.PublicKey.ExportJwk());
            string id = KeyId.FromPublicKey(key.PublicKey);
            Assert.Equal(id, KeyId.FromPublicKey(samePublicKey));
            Assert.Equal(TestKeys.DerivedKeyIdOf(key.PublicKey), id);
            Assert.Matches("^kpa_[A-Za-z0-9_-]{16}$", id);
            Assert.True(KeyId.IsValid(id));
        }
    }

    [Fact]
    public void FromPublicKey_KeyWhoseThumbprintStartsWithSk_IsNotAValidKeyId()
    {
        string id = KeyId.FromPublicKey(Ed25519PublicKey.FromBase64Url(TestKeys.ReservedIdPublicX));
        Assert.Equal("kpa_sk_J8STSBQ978jDL", id);
        Assert.False(KeyId.IsValid(id));
    }

    [Fact]
    public void FromPublicKey_Null_Throws() => Assert.Throws<ArgumentNullException>(() => KeyId.FromPublicKey(null!));

    [Fact]
    public void FromBytes_RoundTripsThroughToBytes()
    {
        byte[] bytes = [.. Enumerable.Range(0, 12).Select(i => (byte)i)];
        string id = KeyId.FromBytes(bytes);
        Assert.Equal(TestKeys.KnownKeyId, id);
        byte[] back = new byte[12];
        KeyId.ToBytes(id, back);
        Assert.Equal(bytes, back);
    }

    [Theory]
    [InlineData("kpa_AAECAwQFBgcICQo=")] // padding: the base64url decoder accepts it and writes 11 bytes
    [InlineData("kpa_AAECAwQFBgcI CQo")] // whitespace: the decoder skips it and writes 11 bytes
    public void ToBytes_IdTheDecoderReadsAsFewerThan12Bytes_ThrowsInvalidKeyIdRatherThanWriteAShortId(string id)
    {
        // The base64url decoder is lenient about padding and whitespace; ToBytes (which writes the key id into a secret
        // string) refuses anything that is not exactly 12 bytes instead of leaving the rest of the buffer as it was.
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => KeyId.ToBytes(id, new byte[12]));
        Assert.Equal(KeyFormatError.InvalidKeyId, ex.Error);
        Assert.Equal("The key id does not decode to 12 bytes.", ex.Message);
    }
}
