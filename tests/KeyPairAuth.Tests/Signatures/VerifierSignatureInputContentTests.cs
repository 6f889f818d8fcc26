using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>
/// What the verifier does with the content of the common Signature-Input shape it reads in place: the covered fields
/// it looks up, a component name that is empty, every signature parameter up to the reader's capacity, the label it
/// reports, and which refusal comes first when a signature breaks several rules.
/// </summary>
public sealed class VerifierSignatureInputContentTests
{
    private const string KeyId = "kpa_testKey000000001";

    [Fact]
    public async Task Verify_SignatureCoveringTheCommonHeaderFields_Succeeds()
    {
        using var f = new VerifierFixture();
        TestRequest request = VerifierFixture.Post()
            .With("Content-Length", "18")
            .With("Date", "Sun, 01 Mar 2026 12:00:00 GMT")
            .With("Host", "api.example.com")
            .With("Authorization", "Bearer t");
        string member = $"sig1=(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\" \"content-type\" \"content-length\" \"date\" \"host\" \"authorization\");created={f.NowSeconds};keyid=\"{KeyId}\";nonce=\"n-1\"";
        request = f.SignRaw(request, member);
        Assert.True(FastSignatureFields.TryRead(member, request.GetFieldValues("Signature")[0], StructuredFieldLimits.Default, out _));

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.True(result.CoversContentDigest);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Verify_EmptyComponentName_FailsBuildingTheBaseEvenWhenEveryCommonFieldIsPresent(bool fastPath)
    {
        // "" names no field (RFC 9421 §2.1); it must not be taken for one the request carries.
        using var f = new VerifierFixture();
        f.Verifier.FastPathEnabled = fastPath;
        TestRequest request = VerifierFixture.Post()
            .With("Content-Length", "18")
            .With("Date", "Sun, 01 Mar 2026 12:00:00 GMT")
            .With("Host", "api.example.com")
            .With("Authorization", "Bearer t")
            .With("Signature-Input", $"sig1=(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\" \"\");created={f.NowSeconds};keyid=\"{KeyId}\";nonce=\"n-1\"")
            .With("Signature", "sig1=:" + Convert.ToBase64String(new byte[64]) + ":");

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.Equal(KeyPairFailureReason.MalformedSignature, result.Failure);
        Assert.Equal(VerificationFailures.BaseFailed.FailureDetail, result.FailureDetail);
        Assert.Equal(0, f.Store.FindCalls);
    }

    [Fact]
    public async Task Verify_TwelveSignatureParameters_AreAllReadInPlaceAndVerify()
    {
        using var f = new VerifierFixture();
        string member = $"sig1=(\"@method\" \"@authority\" \"@path\" \"@query\");created={f.NowSeconds};keyid=\"{KeyId}\";nonce=\"n-1\";alg=\"ed25519\";tag=\"app\""
            + string.Concat(Enumerable.Range(0, 6).Select(i => $";x{i}={i}")) + ";expires=" + (f.NowSeconds + 60);
        TestRequest request = f.SignRaw(VerifierFixture.Get(), member);
        Assert.True(FastSignatureFields.TryRead(member, request.GetFieldValues("Signature")[0], StructuredFieldLimits.Default, out FastSignatureFields fields));
        Assert.Equal(FastSignatureFields.MaxParameters, fields.ParameterCount);

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
    }

    [Theory]
    [InlineData("sig1")]
    [InlineData("sig2")]
    [InlineData("sig")]
    [InlineData("kpa")]
    public async Task Verify_Label_IsReportedAsSigned(string label)
    {
        using var f = new VerifierFixture();

        SignatureVerificationResult result = await f.VerifyAsync(f.Sign(VerifierFixture.Get(), new SigningOptions { Label = label }));

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.Equal(label, result.Label);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Verify_UnsupportedAlgorithmAndMissingCoverage_ReportsTheAlgorithmFirst(bool fastPath)
    {
        // The parameters are checked before the coverage: the refusal names the signature the profile cannot take at all.
        using var f = new VerifierFixture();
        f.Verifier.FastPathEnabled = fastPath;
        TestRequest request = f.SignRaw(VerifierFixture.Get(), $"sig1=(\"@method\");created={f.NowSeconds};keyid=\"{KeyId}\";nonce=\"n-1\";alg=\"rsa-pss-sha512\"");

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.Equal(KeyPairFailureReason.UnsupportedAlgorithm, result.Failure);
    }
}
