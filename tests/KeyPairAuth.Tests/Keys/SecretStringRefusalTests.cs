using KeyPairAuth.Keys;

namespace KeyPairAuth.Tests.Keys;

/// <summary>
/// What <see cref="SigningKey.Parse"/> says about text that is not a secret string: each refusal names the problem
/// precisely (its <see cref="KeyFormatError"/>, the length or position at fault, what the text looks like instead) and
/// never repeats any of the secret.
/// </summary>
public sealed class SecretStringRefusalTests
{
    private const string Secret = TestKeys.KnownSecret;

    [Fact]
    public void Parse_SecretPaddedWithWhitespaceToExactly1024Characters_IsRead()
    {
        using SigningKey key = SigningKey.Parse(Secret + new string(' ', 1024 - Secret.Length));

        Assert.Equal(TestKeys.KnownKeyId, key.KeyId);
    }

    [Fact]
    public void Parse_SecretPaddedTo1025Characters_IsWrongLengthBeforeAnyOtherWork()
    {
        string text = Secret + new string(' ', 1025 - Secret.Length);

        KeyFormatException ex = AssertRefused(text, KeyFormatError.WrongLength);

        Assert.Equal("A KeyPairAuth secret is 71 characters; the input has 1025.", ex.Message);
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("\t\r\n ")]
    public void Parse_OnlyWhitespace_IsWrongLengthSayingTheSecretIsEmpty(string text)
    {
        KeyFormatException ex = AssertRefused(text, KeyFormatError.WrongLength);

        Assert.Equal("The secret is empty.", ex.Message);
    }

    [Theory]
    [InlineData(70)]
    [InlineData(72)]
    public void Parse_PrefixButWrongLength_SaysTheLengthsAndWhatHappened(int length)
    {
        string text = length < Secret.Length ? Secret[..length] : Secret + "A";

        KeyFormatException ex = AssertRefused(text, KeyFormatError.WrongLength);

        Assert.Equal($"A KeyPairAuth secret is 71 characters; found {length}: it was truncated or has extra characters.", ex.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(63)]
    public void Parse_CharacterOutsideBase64Url_GivesItsPositionButNotTheCharacter(int payloadIndex)
    {
        int position = SigningKey.SecretPrefix.Length + payloadIndex;
        string text = string.Concat(Secret.AsSpan(0, position), "%", Secret.AsSpan(position + 1));

        KeyFormatException ex = AssertRefused(text, KeyFormatError.BadEncoding);

        Assert.Equal($"The secret contains a character outside the base64url alphabet [A-Za-z0-9_-] at position {position}.", ex.Message);
        Assert.DoesNotContain("%", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PrivateKeyPem_SaysToReadItAsAPem()
    {
        KeyFormatException ex = AssertRefused(TestKeys.OpenSslPrivatePem, KeyFormatError.WrongPrefix);

        Assert.Equal("This is a PEM, not a secret string: read it with SigningKey.FromPkcs8Pem. A KeyPairAuth secret starts with 'kpa_sk_'.", ex.Message);
        Assert.DoesNotContain("MC4CAQAw", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("k")]
    [InlineData("kpa")]
    [InlineData("kpa_")]
    [InlineData("kpa_sk")]
    public void Parse_OnlyTheBeginningOfThePrefix_SaysItWasTruncated(string text)
    {
        KeyFormatException ex = AssertRefused(text, KeyFormatError.WrongPrefix);

        Assert.Equal("A KeyPairAuth secret is 71 characters starting with 'kpa_sk_'; found only the beginning of the prefix: it was truncated.", ex.Message);
    }

    [Theory]
    [InlineData("ghp_AAECAwQFBgcICQoL")] // a key id's length, but not a key id
    [InlineData("kpa_AAECAwQFBgcICQo+")] // a key id's length and prefix, with a character no key id has
    [InlineData("ghp_AAECAwQFBgcICQoLXMWonUxJDV-GUWmOTVF-DP1VTMPVs8xho7IzSfyj5I2TMaCh")]
    [InlineData("BEGIN PRIVATE KEY")]
    public void Parse_OtherText_SaysWhatASecretStartsWithAndNothingElse(string text)
    {
        KeyFormatException ex = AssertRefused(text, KeyFormatError.WrongPrefix);

        Assert.Equal("A KeyPairAuth secret starts with 'kpa_sk_'.", ex.Message);
    }

    [Fact]
    public void Parse_KeyId_SaysItIsAKeyIdNotASecret()
    {
        KeyFormatException ex = AssertRefused(TestKeys.OpenSslKeyId, KeyFormatError.WrongPrefix);

        Assert.Equal("This is a key id, not a secret. A KeyPairAuth secret starts with 'kpa_sk_'.", ex.Message);
    }

    /// <summary>Asserts Parse throws <paramref name="error"/>, TryParse agrees, and the message holds none of the secret.</summary>
    private static KeyFormatException AssertRefused(string text, KeyFormatError error)
    {
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.Parse(text));
        Assert.Equal(error, ex.Error);
        Assert.False(SigningKey.TryParse(text, out SigningKey? key));
        Assert.Null(key);
        for (int start = SigningKey.SecretPrefix.Length; start + 8 <= Secret.Length; start++)
        {
            Assert.DoesNotContain(Secret.Substring(start, 8), ex.Message, StringComparison.Ordinal);
        }

        return ex;
    }
}
