using System.Reflection;
using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using KeyPairAuth.Testing;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>The profile is written once (<see cref="SignatureProfile"/>) and the signer, the keys and the verifier use it.</summary>
public sealed class SignatureProfileTests
{
    [Fact]
    public void DefaultComponents_SignerOptionsExposeTheProfilesList()
    {
        Assert.Same(SignatureProfile.DefaultComponents, SigningOptions.DefaultComponents);
        Assert.Equal(["@method", "@scheme", "@authority", "@path", "@query"], SignatureProfile.DefaultComponents);
        Assert.Equal(SignatureProfile.DefaultLabel, new SigningOptions().Label);
    }

    [Theory]
    [InlineData("sig1", true)]
    [InlineData("*", true)]
    [InlineData("a.b-c_d*9", true)]
    [InlineData("", false)]
    [InlineData("Sig1", false)]
    [InlineData("1sig", false)]
    [InlineData("sig 1", false)]
    [InlineData("sig=1", false)]
    [InlineData("sïg", false)]
    public void IsLabel_StructuredFieldKeyGrammar(string label, bool expected)
    {
        Assert.Equal(expected, SignatureProfile.IsLabel(label));
    }

    [Theory]
    [InlineData("Sig1")]
    [InlineData("sig 1")]
    [InlineData("")]
    public void Sign_LabelOutsideTheProfileGrammar_Throws(string label)
    {
        using SigningKey key = TestKeys.NewSigningKey("kpa_testKey000000001", 7);

        ArgumentException exception = Assert.Throws<ArgumentException>(() => new HttpMessageSigner().Sign(VerifierFixture.Get(), key, new SigningOptions { Label = label }));

        Assert.Contains("structured-field key", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(SignatureProfile.MaxKeyIdLength, true)]
    [InlineData(SignatureProfile.MaxKeyIdLength + 1, false)]
    public void FromSeed_KeyIdLength_AcceptedUpToTheProfileMaximum(int length, bool accepted)
    {
        string keyId = new('k', length);
        Exception? exception = Record.Exception(() => TestKeys.NewSigningKey(keyId, 1).Dispose());

        Assert.Equal(accepted, exception is null);
        Assert.Equal(accepted, SignatureProfile.IsKeyId(keyId));
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("a\u007f")]
    [InlineData("é")]
    [InlineData("")]
    public void IsKeyId_NotPrintableAsciiWithoutSpaces_IsFalse(string keyId)
    {
        Assert.False(SignatureProfile.IsKeyId(keyId));
    }

    [Fact]
    public async Task Verify_KeyIdAtTheMaximumLength_IsLookedUpAndFailsAsUnknown()
    {
        using var f = new VerifierFixture();
        string keyId = new('k', SignatureProfile.MaxKeyIdLength);

        SignatureVerificationResult result = await f.VerifyAsync(f.SignRaw(VerifierFixture.Get(), Member(keyId, f.NowSeconds)));

        Assert.Equal(KeyPairFailureReason.InvalidSignature, result.Failure);
    }

    [Fact]
    public async Task Verify_KeyIdOneOverTheMaximumLength_FailsAsMalformed()
    {
        using var f = new VerifierFixture();
        string keyId = new('k', SignatureProfile.MaxKeyIdLength + 1);

        SignatureVerificationResult result = await f.VerifyAsync(f.SignRaw(VerifierFixture.Get(), Member(keyId, f.NowSeconds)));

        Assert.Equal(KeyPairFailureReason.MalformedSignature, result.Failure);
        Assert.Equal("The keyid parameter is empty or too long.", result.FailureDetail);
    }

    [Fact]
    public void PublicApi_VerifierDoesNotExposeTheConcreteKeyCacheOrResultFactories()
    {
        Assert.DoesNotContain(
            typeof(HttpMessageVerifier).GetConstructors(),
            c => c.GetParameters().Any(p => p.ParameterType == typeof(PublicKeyCache)));
        Assert.Null(typeof(SignatureVerificationResult).GetMethod(nameof(SignatureVerificationResult.Success), BindingFlags.Public | BindingFlags.Static));
        Assert.Null(typeof(SignatureVerificationResult).GetMethod(nameof(SignatureVerificationResult.Fail), BindingFlags.Public | BindingFlags.Static));
        Assert.Null(typeof(KeyPairFailureReasonExtensions).GetMethod(nameof(KeyPairFailureReasonExtensions.IsDisclosedBeforeVerification), BindingFlags.Public | BindingFlags.Static));
        Assert.Null(typeof(HttpMessageVerifier).GetField("MaxKeyIdLength", BindingFlags.Public | BindingFlags.Static));
    }

    [Fact]
    public async Task Verify_PublicConstructorOverAStore_VerifiesAndCachesTheKey()
    {
        using var f = new VerifierFixture();
        var verifier = new HttpMessageVerifier(f.Store, new FakeReplayCache(), f.Options, f.Time);

        SignatureVerificationResult first = await verifier.VerifyAsync(f.Sign(VerifierFixture.Get()));
        SignatureVerificationResult second = await verifier.VerifyAsync(f.Sign(VerifierFixture.Get()));

        Assert.True(first.Succeeded, first.FailureDetail);
        Assert.True(second.Succeeded, second.FailureDetail);
        Assert.Equal(1, f.Store.FindCalls);
    }

    [Fact]
    public async Task Verify_PublicConstructorAndUnknownKey_FailsLikeABadSignatureAfterADecoyVerification()
    {
        using var f = new VerifierFixture();
        using SigningKey stranger = TestKeys.NewSigningKey("kpa_unknownKey000001", 9);
        var verifier = new HttpMessageVerifier(f.Store, new FakeReplayCache(), f.Options, f.Time);
        int decoysBefore = HttpMessageVerifier.DecoyVerifications;

        SignatureVerificationResult result = await verifier.VerifyAsync(f.Sign(VerifierFixture.Get(), key: stranger));

        Assert.Equal(KeyPairFailureReason.InvalidSignature, result.Failure);
        Assert.Equal(VerificationFailures.InvalidSignatureDetail, result.FailureDetail);
        Assert.Null(result.Key);
        Assert.Equal(decoysBefore + 1, HttpMessageVerifier.DecoyVerifications);
    }

    private static string Member(string keyId, long created) =>
        $"sig1=(\"@method\" \"@authority\" \"@path\" \"@query\");created={created};keyid=\"{keyId}\";nonce=\"n-1\";alg=\"ed25519\"";
}
