using KeyPairAuth.Keys;

namespace KeyPairAuth.Tests.Keys;

public sealed class Ed25519PublicKeyTests
{
    [Fact]
    public void FromRawBytes_WrongLength_ThrowsWrongLength()
    {
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromRawBytes(new byte[31]));
        Assert.Equal(KeyFormatError.WrongLength, ex.Error);
    }

    [Fact]
    public void SigningKey_FromSeed_ToStringShowsKeyIdOnly()
    {
        byte[] seed = new byte[32];
        seed[0] = 7;
        using SigningKey key = SigningKey.FromSeed("kpa_test", seed);
        Assert.Equal("SigningKey { KeyId = kpa_test }", key.ToString());
        Assert.Equal(32, key.PublicKey.RawBytes.Length);
    }
}
