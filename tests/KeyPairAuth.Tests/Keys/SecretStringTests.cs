using System.Text;
using KeyPairAuth.Keys;
using KeyPairAuth.Keys.Internal;

namespace KeyPairAuth.Tests.Keys;

public sealed class SecretStringTests
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    // The secret format's checksum is CRC-32/IEEE: its standard check value, so a swapped implementation is noticed
    // here as well as by the known-secret vectors below.
    [Fact]
    public void Crc32_StandardCheckValue() =>
        Assert.Equal(0xCBF43926u, System.IO.Hashing.Crc32.HashToUInt32(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void Encode_KnownKeyIdAndSeed_MatchesIndependentImplementation()
    {
        char[] secret = SecretString.Encode(TestKeys.KnownKeyId, TestKeys.OpenSslSeed);
        Assert.Equal(TestKeys.KnownSecret, new string(secret));
    }

    [Fact]
    public void Parse_KnownSecret_GivesKeyIdAndOpenSslKey()
    {
        using SigningKey key = SigningKey.Parse(TestKeys.KnownSecret);
        Assert.Equal(TestKeys.KnownKeyId, key.KeyId);
        Assert.Equal(TestKeys.OpenSslPublicBase64Url, key.PublicKey.ExportBase64Url());
    }

    [Fact]
    public void Parse_OpenSslSecret_CarriesTheKeysDerivedId()
    {
        using SigningKey key = SigningKey.Parse(TestKeys.OpenSslSecret);
        Assert.Equal(TestKeys.OpenSslKeyId, key.KeyId);
        Assert.Equal(TestKeys.DerivedKeyIdOf(key.PublicKey), key.KeyId);
        Assert.Equal(TestKeys.OpenSslPublicBase64Url, key.PublicKey.ExportBase64Url());
    }

    [Fact]
    public void Encode_DerivedKeyIdAndSeed_MatchesIndependentImplementation()
    {
        char[] secret = SecretString.Encode(TestKeys.OpenSslKeyId, TestKeys.OpenSslSeed);
        Assert.Equal(TestKeys.OpenSslSecret, new string(secret));
    }

    [Fact]
    public void Parse_SurroundingWhitespace_IsIgnored()
    {
        using SigningKey key = SigningKey.Parse("  " + TestKeys.KnownSecret + "\r\n");
        Assert.Equal(TestKeys.KnownKeyId, key.KeyId);
    }

    [Fact]
    public void Secret_HasDocumentedShape()
    {
        Assert.Equal(71, SigningKey.SecretLength);
        Assert.Equal("kpa_sk_", SigningKey.SecretPrefix);
        Assert.Matches("^kpa_sk_[A-Za-z0-9_-]{64}$", TestKeys.KnownSecret);
        // The key id's characters are the first 16 payload characters, so a user can tell which key a secret is.
        Assert.Equal(TestKeys.KnownKeyId[4..], TestKeys.KnownSecret[7..23]);
    }

    [Theory]
    [InlineData("ghp_AAECAwQFBgcICQoLXMWonUxJDV-GUWmOTVF-DP1VTMPVs8xho7IzSfyj5I2TMaCh", KeyFormatError.WrongPrefix)]
    [InlineData("KPA_SK_AAECAwQFBgcICQoLXMWonUxJDV-GUWmOTVF-DP1VTMPVs8xho7IzSfyj5I2TMaCh", KeyFormatError.WrongPrefix)]
    [InlineData("kpa_AAECAwQFBgcICQoL", KeyFormatError.WrongPrefix)]
    [InlineData("kpa_sk_AAECAwQFBgcICQoLXMWonUxJDV-GUWmOTVF-DP1VTMPVs8xho7IzSfyj5I2TMaC", KeyFormatError.WrongLength)]
    [InlineData("kpa_sk_AAECAwQFBgcICQoLXMWonUxJDV-GUWmOTVF-DP1VTMPVs8xho7IzSfyj5I2TMaChA", KeyFormatError.WrongLength)]
    [InlineData("", KeyFormatError.WrongLength)]
    [InlineData("kpa_sk_AAECAwQFBgcICQoLXMWonUxJDV+GUWmOTVF-DP1VTMPVs8xho7IzSfyj5I2TMaCh", KeyFormatError.BadEncoding)]
    [InlineData("kpa_sk_AAECAwQFBgcICQoLXMWonUxJDV GUWmOTVF-DP1VTMPVs8xho7IzSfyj5I2TMaCh", KeyFormatError.BadEncoding)]
    [InlineData("kpa_sk_AAECAwQFBgcICQoLXMWonUxJDV-GUWmOTVF-DP1VTMPVs8xho7IzSfyj5I2TMaCi", KeyFormatError.ChecksumMismatch)]
    [InlineData("kpa_sk_BAECAwQFBgcICQoLXMWonUxJDV-GUWmOTVF-DP1VTMPVs8xho7IzSfyj5I2TMaCh", KeyFormatError.ChecksumMismatch)]
    public void Parse_Malformed_ReportsPreciseError(string secret, KeyFormatError expected)
    {
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.Parse(secret));
        Assert.Equal(expected, ex.Error);
        Assert.False(SigningKey.TryParse(secret, out SigningKey? key));
        Assert.Null(key);
    }

    [Fact]
    public void Parse_ChecksumMismatch_SaysMistypedOrTruncated()
    {
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.Parse(TestKeys.KnownSecret[..^1] + "i"));
        Assert.Contains("mistyped or truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_KeyIdInsteadOfSecret_SaysSo()
    {
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.Parse(TestKeys.KnownKeyId));
        Assert.Equal(KeyFormatError.WrongPrefix, ex.Error);
        Assert.Contains("key id, not a secret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HugeInput_FailsFastWithWrongLength()
    {
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => SigningKey.Parse("kpa_sk_" + new string('A', 1_000_000)));
        Assert.Equal(KeyFormatError.WrongLength, ex.Error);
    }

    [Fact]
    public void TryParse_Null_ReturnsFalse() => Assert.False(SigningKey.TryParse(null, out _));

    [Fact]
    public void Parse_Null_ThrowsArgumentNull() => Assert.Throws<ArgumentNullException>(() => SigningKey.Parse(null!));

    /// <summary>
    /// The property the checksum exists for: no single-character substitution, deletion or truncation (nor adjacent
    /// swap) of a valid secret is ever accepted, as this or any other key; each is reported as malformed, and no
    /// message repeats any part of the secret. Exhaustive over positions and substitute characters.
    /// </summary>
    [Fact]
    public void Parse_EverySingleCharacterEdit_OfManyRandomSecrets_IsRejectedAsMalformed()
    {
        char[] substitutes = [.. Alphabet, '+', '/', '=', ' ', '.', '\t', 'é', '\0'];
        HashSet<string> messages = [];
        HashSet<KeyFormatError> errors = [];
        List<string> payloads = [];
        int rejected = 0;
        for (int n = 0; n < 40; n++)
        {
            string secret;
            using (SigningKey generated = SigningKey.Generate())
            {
                secret = generated.ExportSecret();
            }

            payloads.Add(secret[SigningKey.SecretPrefix.Length..]);
            List<string> mutations = [];
            for (int i = 0; i < secret.Length; i++)
            {
                foreach (char c in substitutes)
                {
                    if (c != secret[i])
                    {
                        mutations.Add(string.Concat(secret.AsSpan(0, i), new ReadOnlySpan<char>(in c), secret.AsSpan(i + 1)));
                    }
                }

                mutations.Add(secret.Remove(i, 1));
                mutations.Add(secret[..i]);
            }

            // Adjacent swaps are caught too (CRC-32 detects every burst of up to 32 bits).
            for (int i = SigningKey.SecretPrefix.Length; i < secret.Length - 1; i++)
            {
                if (secret[i] != secret[i + 1])
                {
                    char[] swapped = secret.ToCharArray();
                    (swapped[i], swapped[i + 1]) = (swapped[i + 1], swapped[i]);
                    mutations.Add(new string(swapped));
                }
            }

            foreach (string mutated in mutations)
            {
                // The decoder Parse uses, without the cost of throwing 200,000 exceptions.
                KeyFormatException? error = SecretString.TryDecode(mutated, new byte[32], out string? keyId);
                Assert.NotNull(error);
                Assert.Null(keyId);
                errors.Add(error.Error);
                messages.Add(error.Message);
                rejected++;
            }

            // And through the public API, for a sample.
            for (int i = 0; i < mutations.Count; i += 97)
            {
                Assert.Throws<KeyFormatException>(() => SigningKey.Parse(mutations[i]));
                Assert.False(SigningKey.TryParse(mutations[i], out _));
            }
        }

        Assert.True(rejected > 40 * 71 * 70);
        Assert.Equal(
            new[] { KeyFormatError.WrongPrefix, KeyFormatError.WrongLength, KeyFormatError.BadEncoding, KeyFormatError.ChecksumMismatch }.Order(),
            errors.Order());
        foreach (string payload in payloads)
        {
            for (int start = 0; start + 8 <= payload.Length; start++)
            {
                string window = payload.Substring(start, 8);
                Assert.DoesNotContain(messages, m => m.Contains(window, StringComparison.Ordinal));
            }
        }
    }
}
