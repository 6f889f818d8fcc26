using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using KeyPairAuth.Keys;
using NSec.Cryptography;

namespace KeyPairAuth.Tests.Keys;

public sealed class Ed25519PublicKeyTests
{
    private static readonly Ed25519PublicKey OpenSslKey = Ed25519PublicKey.FromSpkiPem(TestKeys.OpenSslPublicPem);

    [Fact]
    public void FromRawBytes_WrongLength_ThrowsWrongLength()
    {
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromRawBytes(new byte[31]));
        Assert.Equal(KeyFormatError.WrongLength, ex.Error);
    }

    [Theory]
    [InlineData("0100000000000000000000000000000000000000000000000000000000000000")] // identity
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")] // order 4
    [InlineData("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")] // order 2 (-1)
    public void FromRawBytes_SmallOrderPoint_IsRefusedAndCannotBeForgedUnder(string hex)
    {
        byte[] raw = Convert.FromHexString(hex);
        bool imported;
        try
        {
            _ = Ed25519PublicKey.FromRawBytes(raw);
            imported = true;
        }
        catch (KeyFormatException)
        {
            imported = false;
        }

        // And whether the universal forgery (R = identity, S = 0) verifies under it.
        bool forged = false;
        if (PublicKey.TryImport(SignatureAlgorithm.Ed25519, raw, KeyBlobFormat.RawPublicKey, out PublicKey? pk) && pk is not null)
        {
            byte[] sig = new byte[64];
            sig[0] = 1;
            forged = SignatureAlgorithm.Ed25519.Verify(pk, "any message"u8, sig);
        }

        Assert.False(forged, "universal forgery verified");
        Assert.False(imported, "a small-order point was accepted as a public key (registration would store a key that can never verify)");
    }

    /// <summary>
    /// The eight small-order points, each y with both sign bits (x and −x; the sign bit set on x = 0 is itself a
    /// non-canonical spelling), and the non-canonical spellings y ≥ p.
    /// </summary>
    public static TheoryData<string, string> WeakPublicKeys => new()
    {
        { "0100000000000000000000000000000000000000000000000000000000000000", "small-order" }, // identity
        { "0100000000000000000000000000000000000000000000000000000000000080", "small-order" }, // identity, sign bit set
        { "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "small-order" }, // order 2
        { "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "small-order" }, // order 2, sign bit set
        { "0000000000000000000000000000000000000000000000000000000000000000", "small-order" }, // order 4
        { "0000000000000000000000000000000000000000000000000000000000000080", "small-order" }, // order 4, the other x
        { "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", "small-order" }, // order 8
        { "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85", "small-order" }, // order 8
        { "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", "small-order" }, // order 8
        { "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", "small-order" }, // order 8
        { "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "not a canonical" }, // y = p (= 0, order 4)
        { "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "not a canonical" },
        { "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "not a canonical" }, // y = p + 1 (= 1, identity)
        { "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "not a canonical" },
        { "f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "not a canonical" }, // y = p + 3
        { "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "not a canonical" }, // y = 2^255 - 1
        { "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "not a canonical" },
    };

    [Theory]
    [MemberData(nameof(WeakPublicKeys))]
    public void FromRawBytes_SmallOrderOrNonCanonical_ThrowsInvalidKeySayingWhy(string hex, string reason)
    {
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromRawBytes(Convert.FromHexString(hex)));

        Assert.Equal(KeyFormatError.InvalidKey, ex.Error);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0100000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")]
    [InlineData("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")]
    public void EveryImportPath_WeakKey_ThrowsInvalidKey(string hex)
    {
        byte[] raw = Convert.FromHexString(hex);
        string base64Url = Convert.ToBase64String(raw).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        byte[] sshBlob = [0, 0, 0, 11, .. "ssh-ed25519"u8, 0, 0, 0, 32, .. raw];
        string[] encodings =
        [
            base64Url,
            Convert.ToBase64String(raw),
            KeyPairAuth.Keys.Internal.KeyEncoding.WriteSpkiPem(raw),
            $$"""{"kty":"OKP","crv":"Ed25519","x":"{{base64Url}}"}""",
            $"ssh-ed25519 {Convert.ToBase64String(sshBlob)} user@host",
        ];

        Assert.Equal(KeyFormatError.InvalidKey, Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromBase64Url(base64Url)).Error);
        Assert.Equal(KeyFormatError.InvalidKey, Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromSpkiPem(encodings[2])).Error);
        Assert.Equal(KeyFormatError.InvalidKey, Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromJwk(encodings[3])).Error);
        Assert.Equal(KeyFormatError.InvalidKey, Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromOpenSsh(encodings[4])).Error);
        foreach (string text in encodings)
        {
            Assert.Equal(KeyFormatError.InvalidKey, Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.Parse(text)).Error);
            Assert.False(Ed25519PublicKey.TryParse(text, out _));
        }
    }

    [Fact]
    public void SmallOrderPoints_AreSmallOrderOnCurve25519()
    {
        // An independent check of the constants: map each y to the Montgomery u = (1 + y) / (1 - y) mod p; X25519 with
        // any (clamped, so multiple-of-8) private key then gives the all-zero secret, which libsodium refuses.
        BigInteger p = BigInteger.Pow(2, 255) - 19;
        using Key ours = Key.Create(KeyAgreementAlgorithm.X25519);
        foreach (byte[] point in Ed25519PublicKey.SmallOrderPoints)
        {
            BigInteger y = new BigInteger(point, isUnsigned: true, isBigEndian: false) % p;
            if (y.IsOne)
            {
                continue; // the identity: u is the point at infinity, nothing to import
            }

            BigInteger u = (1 + y) * BigInteger.ModPow((1 - y + p) % p, p - 2, p) % p;
            byte[] uBytes = new byte[32];
            u.TryWriteBytes(uBytes, out _, isUnsigned: true, isBigEndian: false);
            PublicKey theirs = PublicKey.Import(KeyAgreementAlgorithm.X25519, uBytes, KeyBlobFormat.RawPublicKey);
            using SharedSecret? secret = KeyAgreementAlgorithm.X25519.Agree(ours, theirs);
            Assert.True(secret is null, $"y = {Convert.ToHexString(point)} is not a small-order point");
        }

        // And a real key does agree: the check above can fail.
        using Key real = Key.Create(KeyAgreementAlgorithm.X25519);
        using SharedSecret? ok = KeyAgreementAlgorithm.X25519.Agree(ours, real.PublicKey);
        Assert.NotNull(ok);
    }

    [Fact]
    public void FromRawBytes_GeneratedKeys_AreAllAccepted()
    {
        for (int i = 0; i < 1000; i++)
        {
            using SigningKey key = SigningKey.Generate();
            Assert.Equal(key.PublicKey, Ed25519PublicKey.FromRawBytes(key.PublicKey.RawBytes));
        }
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

    [Fact]
    public void FromSpkiPem_OpenSslKey_HasOpenSslRawBytes() =>
        Assert.Equal(TestKeys.OpenSslPublicBase64Url, OpenSslKey.ExportBase64Url());

    [Fact]
    public void ExportSpkiPem_IsWhatOpenSslWrites() =>
        Assert.Equal(TestKeys.OpenSslPublicPem.TrimEnd('\n'), OpenSslKey.ExportSpkiPem());

    [Fact]
    public void ExportJwk_IsRfc8037Shape()
    {
        Assert.Equal($$"""{"kty":"OKP","crv":"Ed25519","x":"{{TestKeys.OpenSslPublicBase64Url}}"}""", OpenSslKey.ExportJwk());
        using JsonDocument doc = JsonDocument.Parse(OpenSslKey.ExportJwk());
        Assert.Equal("OKP", doc.RootElement.GetProperty("kty").GetString());
    }

    [Fact]
    public void AllFormats_RoundTrip_ThroughParse()
    {
        using SigningKey signing = SigningKey.Generate();
        Ed25519PublicKey key = signing.PublicKey;
        Assert.Equal(key, Ed25519PublicKey.Parse(key.ExportSpkiPem()));
        Assert.Equal(key, Ed25519PublicKey.Parse(key.ExportJwk()));
        Assert.Equal(key, Ed25519PublicKey.Parse(key.ExportBase64Url()));
        Assert.Equal(key, Ed25519PublicKey.Parse(key.ExportOpenSsh()));
        Assert.Equal(key, Ed25519PublicKey.Parse(key.ToString()));
        Assert.Equal(key, Ed25519PublicKey.FromJwk(key.ExportJwk()));
        Assert.Equal(key, Ed25519PublicKey.FromBase64Url(key.ExportBase64Url()));
        Assert.Equal(key, Ed25519PublicKey.FromOpenSsh(key.ExportOpenSsh()));
    }

    [Fact]
    public void Parse_Base64Variants_AreAccepted()
    {
        string standard = Convert.ToBase64String(OpenSslKey.RawBytes.ToArray()); // padded, may contain + and /
        Assert.Equal(OpenSslKey, Ed25519PublicKey.Parse(standard));
        Assert.Equal(OpenSslKey, Ed25519PublicKey.Parse(TestKeys.OpenSslPublicBase64Url + "="));
        Assert.Equal(OpenSslKey, Ed25519PublicKey.Parse("  " + TestKeys.OpenSslPublicBase64Url + "\n"));
    }

    [Fact]
    public void Parse_OpenSshLine_MatchesSshKeygenFingerprint()
    {
        Ed25519PublicKey key = Ed25519PublicKey.Parse(TestKeys.SshPublicLine);
        Assert.Equal(TestKeys.SshFingerprint, key.Fingerprint);
        Assert.Equal(TestKeys.SshPublicLine[..^" user@host".Length], key.ExportOpenSsh());
    }

    [Fact]
    public void Fingerprint_IsSha256WithSshPrefix()
    {
        Assert.Matches("^SHA256:[A-Za-z0-9+/]{43}$", OpenSslKey.Fingerprint);
        Assert.NotEqual(OpenSslKey.Fingerprint, Ed25519PublicKey.Parse(TestKeys.SshPublicLine).Fingerprint);
    }

    [Fact]
    public void FromSpkiPem_RsaKey_NamesRsaAndOid()
    {
        using RSA rsa = RSA.Create(2048);
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.Parse(rsa.ExportSubjectPublicKeyInfoPem()));
        Assert.Equal(KeyFormatError.UnsupportedAlgorithm, ex.Error);
        Assert.Equal("The PEM holds an RSA key (OID 1.2.840.113549.1.1.1); KeyPairAuth keys are Ed25519.", ex.Message);
    }

    [Fact]
    public void FromSpkiPem_P256Key_NamesCurve()
    {
        using ECDsa ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.Parse(ec.ExportSubjectPublicKeyInfoPem()));
        Assert.Equal(KeyFormatError.UnsupportedAlgorithm, ex.Error);
        Assert.Equal("The PEM holds an EC P-256 key (OID 1.2.840.10045.2.1, curve 1.2.840.10045.3.1.7); KeyPairAuth keys are Ed25519.", ex.Message);
    }

    [Theory]
    [InlineData(TestKeys.Ed448PublicPem, "an Ed448 key (OID 1.3.101.113)")]
    [InlineData(TestKeys.X25519PublicPem, "an X25519 key (OID 1.3.101.110)")]
    public void FromSpkiPem_OtherCurves_NameWhatWasFound(string pem, string found)
    {
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.Parse(pem));
        Assert.Equal(KeyFormatError.UnsupportedAlgorithm, ex.Error);
        Assert.Equal($"The PEM holds {found}; KeyPairAuth keys are Ed25519.", ex.Message);
    }

    [Fact]
    public void Parse_PrivateKeyPem_IsRefusedWithAdvice()
    {
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.Parse(TestKeys.OpenSslPrivatePem));
        Assert.Equal(KeyFormatError.Malformed, ex.Error);
        Assert.Contains("private key", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("MC4CAQAw", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Secret_IsRefusedWithoutEchoingIt()
    {
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.Parse(TestKeys.KnownSecret));
        Assert.Contains("secret", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TestKeys.KnownSecret[7..20], ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"kty":"RSA","n":"AQAB","e":"AQAB"}""", KeyFormatError.UnsupportedAlgorithm, "The JWK has kty 'RSA'; KeyPairAuth keys are Ed25519 (kty 'OKP', crv 'Ed25519').")]
    [InlineData("""{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}""", KeyFormatError.UnsupportedAlgorithm, "The JWK has kty 'EC', crv 'P-256'; KeyPairAuth keys are Ed25519 (kty 'OKP', crv 'Ed25519').")]
    [InlineData("""{"kty":"OKP","crv":"X25519","x":"xWVwCyMMvBmFFnJnriEBnXhOTYhYPxseLFzJ3XtTBjI"}""", KeyFormatError.UnsupportedAlgorithm, "The JWK has kty 'OKP', crv 'X25519'; KeyPairAuth keys are Ed25519 (kty 'OKP', crv 'Ed25519').")]
    [InlineData("""{"crv":"Ed25519","x":"xWVwCyMMvBmFFnJnriEBnXhOTYhYPxseLFzJ3XtTBjI"}""", KeyFormatError.UnsupportedAlgorithm, "The JWK has no kty, crv 'Ed25519'; KeyPairAuth keys are Ed25519 (kty 'OKP', crv 'Ed25519').")]
    [InlineData("""{"kty":"OKP","crv":"Ed25519"}""", KeyFormatError.Malformed, "The JWK has no 'x' (the public key).")]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"xWVwCyMMvBmFFnJnriEBnXhOTYhYPxseLFzJ3XtTBj"}""", KeyFormatError.WrongLength, "An Ed25519 public key is 32 bytes; the JWK's 'x' decodes to 31.")]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"xWVwCyMMvBmFFnJnriEBnXhOTYhYPxseLFzJ3XtTBjI","alg":"ES256"}""", KeyFormatError.UnsupportedAlgorithm, "The JWK has alg 'ES256'; an Ed25519 key has alg 'EdDSA' or 'Ed25519'.")]
    [InlineData("""{"kty":"OKP","crv":"Ed25519",""", KeyFormatError.Malformed, "The JWK is not valid JSON.")]
    [InlineData("""["kty"]""", KeyFormatError.Malformed, "A JWK is a JSON object.")]
    public void FromJwk_Invalid_SaysWhatWasFound(string jwk, KeyFormatError error, string message)
    {
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromJwk(jwk));
        Assert.Equal(error, ex.Error);
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void FromJwk_WithPrivateKeyD_IsRefused()
    {
        string jwk = $$"""{"kty":"OKP","crv":"Ed25519","x":"{{TestKeys.OpenSslPublicBase64Url}}","d":"XMWonUxJDV-GUWmOTVF-DP1VTMPVs8xho7IzSfyj5I0"}""";
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.FromJwk(jwk));
        Assert.Equal(KeyFormatError.Malformed, ex.Error);
        Assert.Contains("private key ('d')", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("XMWonUxJ", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", KeyFormatError.WrongLength)]
    [InlineData("xWVwCyMMvBmFFnJnriEBnXhOTYhYPxseLFzJ3XtTBj", KeyFormatError.WrongLength)] // 31 bytes
    [InlineData("xWVwCyMMvBmFFnJnriEBnXhOTYhYPxseLFzJ3XtTBjIA", KeyFormatError.WrongLength)] // 33 bytes
    [InlineData("xWVwCyMMvBmFFnJnriEBnXhOTYhYPxseLFzJ3XtTBjI===", KeyFormatError.BadEncoding)]
    [InlineData("xWVwCyMMvBmFFnJnriEBnXh!TYhYPxseLFzJ3XtTBjI", KeyFormatError.BadEncoding)]
    [InlineData("hello world", KeyFormatError.BadEncoding)]
    [InlineData("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ user@host", KeyFormatError.UnsupportedAlgorithm)]
    [InlineData("ecdsa-sha2-nistp256 AAAAE2VjZHNh user@host", KeyFormatError.UnsupportedAlgorithm)]
    [InlineData("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIATf3onfkEN4ydibaq9tHx", KeyFormatError.BadEncoding)] // truncated, not base64
    [InlineData("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIATf3onfkEN4ydibaq9t", KeyFormatError.Malformed)] // truncated blob
    [InlineData("ssh-ed25519 AAAAC3NzaC1yc2EAAAADAQABAAABAQ==", KeyFormatError.Malformed)] // an ssh-rsa blob under an ed25519 label
    [InlineData("ssh-ed25519 !!!", KeyFormatError.BadEncoding)]
    [InlineData("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----", KeyFormatError.Malformed)]
    public void Parse_Garbage_ThrowsKeyFormatException(string text, KeyFormatError error)
    {
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.Parse(text));
        Assert.Equal(error, ex.Error);
        Assert.False(Ed25519PublicKey.TryParse(text, out Ed25519PublicKey? key));
        Assert.Null(key);
    }

    [Fact]
    public void Parse_RandomInputs_OnlyEverThrowKeyFormatException()
    {
        string[] prefixes = ["", "-----BEGIN PUBLIC KEY-----\n", "{", "ssh-ed25519 ", "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\""];
        for (int i = 0; i < 3000; i++)
        {
            byte[] bytes = RandomNumberGenerator.GetBytes(RandomNumberGenerator.GetInt32(0, 90));
            string body = i % 3 == 0 ? Convert.ToBase64String(bytes) : string.Concat(bytes.Select(b => (char)(b % 96 + 32)));
            string text = prefixes[i % prefixes.Length] + body;
            if (Ed25519PublicKey.TryParse(text, out _))
            {
                continue; // a random 32-byte base64 string can be a valid key; that is fine
            }

            Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.Parse(text));
        }
    }

    [Fact]
    public void Parse_HugeInput_IsRejectedByLength()
    {
        KeyFormatException ex = Assert.Throws<KeyFormatException>(() => Ed25519PublicKey.Parse("-----BEGIN PUBLIC KEY-----\n" + new string('A', 100_000)));
        Assert.Equal(KeyFormatError.WrongLength, ex.Error);
    }

    [Fact]
    public void Equality_IsByValue()
    {
        Ed25519PublicKey a = Ed25519PublicKey.FromBase64Url(TestKeys.OpenSslPublicBase64Url);
        Ed25519PublicKey b = Ed25519PublicKey.FromSpkiPem(TestKeys.OpenSslPublicPem);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, Ed25519PublicKey.Parse(TestKeys.SshPublicLine));
    }
}
