using System.Security.Cryptography;
using System.Text;
using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;
using KeyPairAuth.Tests.Signatures;
using NSec.Cryptography;

namespace KeyPairAuth.Tests.Vectors;

/// <summary>RFC 9421 Appendix B signature bases and Ed25519 signatures (test key of Appendix B.1.4), byte for byte.</summary>
public sealed class Rfc9421VectorTests
{
    private const string B26Input = "sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\"";
    private const string B26Signature = "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:";
    private const string B26Base =
        "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\"@method\": POST\n\"@path\": /foo\n\"@authority\": example.com\n\"content-type\": application/json\n\"content-length\": 18\n\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\"";

    private const string B4Input = "transform=(\"@method\" \"@path\" \"@authority\" \"accept\");created=1618884473;keyid=\"test-key-ed25519\"";
    private const string B4Signature = "transform=:ZT1kooQsEHpZ0I1IjCqtQppOmIqlJPeo7DHR3SoMn0s5JZ1eRGS0A+vyYP9t/LXlh5QMFFQ6cpLt2m0pmj3NDA==:";
    private const string B4Base =
        "\"@method\": GET\n\"@path\": /demo\n\"@authority\": example.org\n\"accept\": application/json, */*\n\"@signature-params\": (\"@method\" \"@path\" \"@authority\" \"accept\");created=1618884473;keyid=\"test-key-ed25519\"";

    public static TheoryData<string, string, int, string> RequestBases => new()
    {
        {
            "B.2.1",
            "sig-b21=();created=1618884473;keyid=\"test-key-rsa-pss\";nonce=\"b3k2pp5k7z-50gnwp.yemd\"",
            98,
            "f1203cf63332f016993ca3ff7aa06e65bfe86828641ed386cd70dbfc913f7374"
        },
        {
            "B.2.2",
            "sig-b22=(\"@authority\" \"content-digest\" \"@query-param\";name=\"Pet\");created=1618884473;keyid=\"test-key-rsa-pss\";tag=\"header-example\"",
            317,
            "583b3f0c08dd5411e7274618358d36d7cd7cd380724d4ed2f8105b435babcae6"
        },
        {
            "B.2.3",
            "sig-b23=(\"date\" \"@method\" \"@path\" \"@query\" \"@authority\" \"content-type\" \"content-digest\" \"content-length\");created=1618884473;keyid=\"test-key-rsa-pss\"",
            458,
            "d786e78f598692440526474950ca190880abd4e2de8c5c3458b256ec0236de96"
        },
        {
            "B.2.5",
            "sig-b25=(\"date\" \"@authority\" \"content-type\");created=1618884473;keyid=\"test-shared-secret\"",
            200,
            "82faed1b67e492cfc8fe50fee1b6fdbdcf9f4d6384af8282339dcad5e44310e7"
        },
        {
            "B.2.6",
            B26Input,
            284,
            "e6402577f54303accfda63dfbde1a7b8c5e5e6f3f7898637b7d78dc07ee1896a"
        },
        {
            "2.5",
            "sig1=(\"@method\" \"@authority\" \"@path\" \"content-digest\" \"content-length\" \"content-type\");created=1618884473;keyid=\"test-key-rsa-pss\"",
            373,
            "9d4e44cd9b2cecd1cfe8b419e8e57aac42c7f4f760b3bd39362b5a81b97d2fb4"
        },
    };

    [Theory]
    [MemberData(nameof(RequestBases))]
    public void Build_RfcTestRequest_ReproducesAppendixBBaseByteForByte(string section, string signatureInput, int length, string sha256)
    {
        string signatureBase = SignatureBase.Build(TestRequest.RfcTestRequest(), FirstInnerList(signatureInput));

        byte[] bytes = Encoding.ASCII.GetBytes(signatureBase);
        Assert.True(length == bytes.Length, $"{section}: {bytes.Length} bytes\n{signatureBase}");
        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    [Fact]
    public void Build_B26_IsTheExactPrintedBase()
    {
        Assert.Equal(B26Base, SignatureBase.Build(TestRequest.RfcTestRequest(), FirstInnerList(B26Input)));
    }

    [Fact]
    public void Build_B24ResponseVector_StatusIsRefusedOnARequest()
    {
        SfInnerList b24 = FirstInnerList("sig-b24=(\"@status\" \"content-type\" \"content-digest\" \"content-length\");created=1618884473;keyid=\"test-key-ecc-p256\"");

        SignatureBaseException exception = Assert.Throws<SignatureBaseException>(() => SignatureBase.Build(TestRequest.RfcTestRequest(), b24));
        Assert.Contains("@status", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_B4TransformRequest_ReproducesBase()
    {
        Assert.Equal(B4Base, SignatureBase.Build(B4Request(), FirstInnerList(B4Input)));
    }

    [Fact]
    public void Build_B4CollapsedAcceptLines_GiveTheSameBase()
    {
        TestRequest collapsed = B4Request().Replace("Accept", "application/json, */*");

        Assert.Equal(B4Base, SignatureBase.Build(collapsed, FirstInnerList(B4Input)));
    }

    [Fact]
    public void Build_B4SwappedAcceptLines_ChangeTheBase()
    {
        TestRequest swapped = B4Request().Without("Accept").With("Accept", "*/*").With("Accept", "application/json");

        Assert.NotEqual(B4Base, SignatureBase.Build(swapped, FirstInnerList(B4Input)));
    }

    [Fact]
    public void Sign_B26WithTheRfcKey_ReproducesSignatureExactly()
    {
        using var key = TestKeys.RfcSigningKey();
        var signer = new HttpMessageSigner();

        SignatureFields fields = signer.Sign(TestRequest.RfcTestRequest(), key, new SigningOptions
        {
            Label = "sig-b26",
            Components = ["date", "@method", "@path", "@authority", "content-type", "content-length"],
            Created = DateTimeOffset.FromUnixTimeSeconds(1618884473),
            IncludeNonce = false,
            IncludeAlgorithm = false,
        });

        Assert.Equal(B26Input, fields.SignatureInput);
        Assert.Equal(B26Signature, fields.Signature);
    }

    [Fact]
    public void Sign_B4WithTheRfcKey_ReproducesSignatureExactly()
    {
        using var key = TestKeys.RfcSigningKey();
        var signer = new HttpMessageSigner();

        SignatureFields fields = signer.Sign(B4Request(), key, new SigningOptions
        {
            Label = "transform",
            Components = ["@method", "@path", "@authority", "accept"],
            Created = DateTimeOffset.FromUnixTimeSeconds(1618884473),
            IncludeNonce = false,
            IncludeAlgorithm = false,
        });

        Assert.Equal(B4Input, fields.SignatureInput);
        Assert.Equal(B4Signature, fields.Signature);
    }

    [Theory]
    [InlineData(B26Base, "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==")]
    [InlineData(B4Base, "ZT1kooQsEHpZ0I1IjCqtQppOmIqlJPeo7DHR3SoMn0s5JZ1eRGS0A+vyYP9t/LXlh5QMFFQ6cpLt2m0pmj3NDA==")]
    public void RfcSignatures_VerifyWithTheRfcPublicKey_AndFailWhenTheBaseChanges(string signatureBase, string signature)
    {
        var publicKey = PublicKey.Import(SignatureAlgorithm.Ed25519, TestKeys.RfcPublic, KeyBlobFormat.RawPublicKey);
        byte[] data = Encoding.ASCII.GetBytes(signatureBase);
        byte[] sig = Convert.FromBase64String(signature);

        Assert.True(SignatureAlgorithm.Ed25519.Verify(publicKey, data, sig));
        data[^2] ^= 1;
        Assert.False(SignatureAlgorithm.Ed25519.Verify(publicKey, data, sig));
    }

    [Fact]
    public void SigningKey_RfcSeed_DerivesTheRfcPublicKey()
    {
        using var key = TestKeys.RfcSigningKey();

        Assert.Equal(TestKeys.RfcPublic, key.PublicKey.RawBytes.ToArray());
    }

    internal static TestRequest B4Request() =>
        new TestRequest("GET", "/demo?name1=Value1&Name2=value2", "example.org")
            .With("Host", "example.org")
            .With("Date", "Fri, 15 Jul 2022 14:24:55 GMT")
            .With("Accept", "application/json")
            .With("Accept", "*/*");

    internal static SfInnerList FirstInnerList(string signatureInput) =>
        StructuredFieldParser.ParseDictionary(signatureInput).Members[0].Value.InnerList!;
}
