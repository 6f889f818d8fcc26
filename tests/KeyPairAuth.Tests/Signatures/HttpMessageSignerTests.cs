using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Tests.Signatures;

public sealed class HttpMessageSignerTests
{
    [Fact]
    public void Sign_Get_CoversDefaultComponentsWithParametersInProfileOrder()
    {
        using var f = new VerifierFixture();

        SignatureFields fields = f.Signer.Sign(VerifierFixture.Get(), f.Key);

        SfDictionary parsed = StructuredFieldParser.ParseDictionary(fields.SignatureInput);
        Assert.Equal("sig1", parsed.Members[0].Key);
        SfInnerList list = parsed.Members[0].Value.InnerList!;
        Assert.Equal(["@method", "@scheme", "@authority", "@path", "@query"], list.Items.Select(i => i.Value.String));
        Assert.Equal(SigningOptions.DefaultComponents, list.Items.Select(i => i.Value.String));
        Assert.Equal(["created", "keyid", "nonce", "alg"], list.Parameters.Select(p => p.Key));
        Assert.Equal(VerifierFixture.Now.ToUnixTimeSeconds(), list.Parameters[0].Value.Integer);
        Assert.Equal("kpa_testKey000000001", list.Parameters[1].Value.String);
        Assert.Equal("ed25519", list.Parameters[3].Value.String);
        Assert.StartsWith("sig1=:", fields.Signature, StringComparison.Ordinal);
        Assert.Equal(64, StructuredFieldParser.ParseDictionary(fields.Signature).Members[0].Value.Item!.Value.Bytes.Length);
    }

    [Fact]
    public void Sign_PostWithContent_AlsoCoversContentDigest()
    {
        using var f = new VerifierFixture();

        SignatureFields fields = f.Signer.Sign(VerifierFixture.Post(), f.Key);

        Assert.StartsWith("sig1=(\"@method\" \"@scheme\" \"@authority\" \"@path\" \"@query\" \"content-digest\");", fields.SignatureInput, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_ContentWithoutContentDigestField_ThrowsClearError()
    {
        using var f = new VerifierFixture();
        TestRequest request = VerifierFixture.Post().Without("Content-Digest");

        SignatureBaseException exception = Assert.Throws<SignatureBaseException>(() => f.Signer.Sign(request, f.Key));
        Assert.Contains("Content-Digest", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_TwoSignatures_HaveFresh128BitNonces()
    {
        using var f = new VerifierFixture();

        string a = Nonce(f.Signer.Sign(VerifierFixture.Get(), f.Key));
        string b = Nonce(f.Signer.Sign(VerifierFixture.Get(), f.Key));

        Assert.NotEqual(a, b);
        Assert.Equal(22, a.Length);
        Assert.Equal(16, System.Buffers.Text.Base64Url.DecodeFromChars(a).Length);
    }

    [Fact]
    public void Sign_ExpiresAndTag_AreAppendedAfterAlg()
    {
        using var f = new VerifierFixture();

        SignatureFields fields = f.Signer.Sign(VerifierFixture.Get(), f.Key, new SigningOptions
        {
            ExpiresAfter = TimeSpan.FromSeconds(30),
            Tag = "my-app",
            Nonce = "n1",
        });

        long created = VerifierFixture.Now.ToUnixTimeSeconds();
        Assert.EndsWith($";created={created};keyid=\"kpa_testKey000000001\";nonce=\"n1\";alg=\"ed25519\";expires={created + 30};tag=\"my-app\"", fields.SignatureInput, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_ComponentWithParameters_IsReadAsSerialisedIdentifier()
    {
        using var f = new VerifierFixture();

        SignatureFields fields = f.Signer.Sign(VerifierFixture.Get("/items?id=7&x=1"), f.Key, new SigningOptions
        {
            Components = ["@method", "@authority", "@path", "\"@query-param\";name=\"id\""],
        });

        Assert.StartsWith("sig1=(\"@method\" \"@authority\" \"@path\" \"@query-param\";name=\"id\");", fields.SignatureInput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Sig1")]
    [InlineData("")]
    [InlineData("1sig")]
    [InlineData("sig 1")]
    public void Sign_InvalidLabel_ThrowsArgumentException(string label)
    {
        using var f = new VerifierFixture();

        Assert.Throws<ArgumentException>(() => f.Signer.Sign(VerifierFixture.Get(), f.Key, new SigningOptions { Label = label }));
    }

    [Fact]
    public void Sign_CoveredHeaderAbsent_ThrowsSignatureBaseException()
    {
        using var f = new VerifierFixture();

        Assert.Throws<SignatureBaseException>(() => f.Signer.Sign(VerifierFixture.Get(), f.Key, new SigningOptions { Components = ["@method", "x-missing"] }));
    }

    [Fact]
    public void NewNonce_IsBase64UrlWithoutPadding()
    {
        string nonce = HttpMessageSigner.NewNonce();

        Assert.Matches("^[A-Za-z0-9_-]{22}$", nonce);
    }

    private static string Nonce(SignatureFields fields)
    {
        StructuredFieldParser.ParseDictionary(fields.SignatureInput).Members[0].Value.InnerList!.Parameters.TryGetValue("nonce", out SfBareItem nonce);
        return nonce.String;
    }
}
