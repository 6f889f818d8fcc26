using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>
/// A request with several signatures: the first (in Signature-Input order) that satisfies the whole policy
/// authenticates it, a required label picks which are examined, and when none succeeds the failure of the one that got
/// furthest through the checks is reported, the first on a tie; the same when the key store answers later.
/// </summary>
public sealed class VerifierMultipleSignaturesTests
{
    private const string Std = "(\"@method\" \"@authority\" \"@path\" \"@query\")";

    [Fact]
    public async Task Verify_RequiredLabelAmongSeveralValidSignatures_AuthenticatesWithThatLabel()
    {
        using var f = new VerifierFixture(o => o.RequiredLabel = "kpa");
        TestRequest request = Combine(Signed(f, "other"), Signed(f, "kpa"), Signed(f, "last"));

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.Equal("kpa", result.Label);
    }

    [Fact]
    public async Task Verify_RequiredLabelAbsentAmongSeveralValidSignatures_FailsWithoutExaminingThem()
    {
        using var f = new VerifierFixture(o => o.RequiredLabel = "kpa");
        TestRequest request = Combine(Signed(f, "a"), Signed(f, "b"));

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.Equal(KeyPairFailureReason.InsufficientCoverage, result.Failure);
        Assert.Equal(VerificationFailures.NoLabel.FailureDetail, result.FailureDetail);
        Assert.Equal(0, f.Store.FindCalls);
    }

    [Fact]
    public async Task Verify_EarlierSignatureGotFurther_ItsFailureIsReported()
    {
        // The forged one fails the cryptographic check; the weak one after it fails already at coverage.
        using var f = new VerifierFixture();
        using var impostor = TestKeys.NewSigningKey("kpa_testKey000000001", 9);
        TestRequest request = Combine(Signed(f, "forged", key: impostor), Signed(f, "weak", ["@method"]));

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.Equal(KeyPairFailureReason.InvalidSignature, result.Failure);
    }

    [Theory]
    [InlineData(true, KeyPairFailureReason.UnsupportedAlgorithm)]
    [InlineData(false, KeyPairFailureReason.InsufficientCoverage)]
    public async Task Verify_TwoSignaturesFailingAtTheSameCheck_TheFirstFailureIsReported(bool algorithmFirst, KeyPairFailureReason expected)
    {
        using var f = new VerifierFixture();
        (string Input, string Signature) algorithm = SignedRaw(f, $"alg1={Std};created={f.NowSeconds};keyid=\"kpa_testKey000000001\";nonce=\"n-1\";alg=\"rsa-pss-sha512\"");
        (string Input, string Signature) coverage = SignedRaw(f, $"cov1=(\"@method\");created={f.NowSeconds};keyid=\"kpa_testKey000000001\";nonce=\"n-2\"");
        TestRequest request = algorithmFirst ? Combine(algorithm, coverage) : Combine(coverage, algorithm);

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.Equal(expected, result.Failure);
    }

    [Fact]
    public async Task Verify_FirstSignatureFailsAfterTheStoreAnswersLater_TheNextOneAuthenticates()
    {
        using var f = new VerifierFixture();
        using var impostor = TestKeys.NewSigningKey("kpa_testKey000000001", 9);
        TestRequest request = Combine(Signed(f, "forged", key: impostor), Signed(f, "good"));
        var gate = new TaskCompletionSource();
        f.Store.Gate = gate.Task;

        ValueTask<SignatureVerificationResult> pending = f.VerifyAsync(request);
        Assert.False(pending.IsCompleted);
        gate.SetResult();
        SignatureVerificationResult result = await pending;

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.Equal("good", result.Label);
        Assert.Equal(1, f.Store.FindCalls); // the second found the key in the cache the first lookup filled
    }

    [Fact]
    public async Task Verify_FirstSignatureSucceedsAfterTheStoreAnswersLater_AuthenticatesWithIt()
    {
        using var f = new VerifierFixture();
        TestRequest request = Combine(Signed(f, "good"), Signed(f, "weak", ["@method"]));
        var gate = new TaskCompletionSource();
        f.Store.Gate = gate.Task;

        ValueTask<SignatureVerificationResult> pending = f.VerifyAsync(request);
        gate.SetResult();
        SignatureVerificationResult result = await pending;

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.Equal("good", result.Label);
    }

    [Fact]
    public async Task Verify_FirstSignatureFailsAfterTheStoreAnswersLater_ItsFailureIsReportedIfItGotFurthest()
    {
        using var f = new VerifierFixture();
        using var impostor = TestKeys.NewSigningKey("kpa_testKey000000001", 9);
        TestRequest request = Combine(Signed(f, "forged", key: impostor), Signed(f, "weak", ["@method"]));
        var gate = new TaskCompletionSource();
        f.Store.Gate = gate.Task;

        ValueTask<SignatureVerificationResult> pending = f.VerifyAsync(request);
        gate.SetResult();
        SignatureVerificationResult result = await pending;

        Assert.Equal(KeyPairFailureReason.InvalidSignature, result.Failure);
    }

    [Fact]
    public async Task Verify_EverySignatureWaitsForTheStore_TheLastOneAuthenticates()
    {
        using var f = new VerifierFixture();
        using var impostor = TestKeys.NewSigningKey("kpa_testKey000000001", 9);
        using SigningKey second = TestKeys.NewSigningKey("kpa_testKey000000002", 8);
        f.Store.Add(TestKeys.Record(second));
        TestRequest request = Combine(Signed(f, "forged", key: impostor), Signed(f, "good", key: second));
        var first = new TaskCompletionSource();
        var next = new TaskCompletionSource();
        f.Store.Gate = first.Task;

        ValueTask<SignatureVerificationResult> pending = f.VerifyAsync(request);
        f.Store.Gate = next.Task;
        first.SetResult();
        Assert.False(pending.IsCompleted);
        next.SetResult();
        SignatureVerificationResult result = await pending;

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.Equal("good", result.Label);
        Assert.Equal("kpa_testKey000000002", result.Key!.KeyId);
        Assert.Equal(2, f.Store.FindCalls);
    }

    private static (string Input, string Signature) Signed(VerifierFixture f, string label, IReadOnlyList<string>? components = null, SigningKey? key = null)
    {
        SignatureFields fields = f.Signer.Sign(VerifierFixture.Get(), key ?? f.Key, new SigningOptions { Label = label, Components = components });
        return (fields.SignatureInput, fields.Signature);
    }

    private static (string Input, string Signature) SignedRaw(VerifierFixture f, string member)
    {
        TestRequest signed = f.SignRaw(VerifierFixture.Get(), member);
        return (signed.GetFieldValues("Signature-Input")[0]!, signed.GetFieldValues("Signature")[0]!);
    }

    private static TestRequest Combine(params (string Input, string Signature)[] members) =>
        VerifierFixture.Get()
            .With("Signature-Input", string.Join(", ", members.Select(m => m.Input)))
            .With("Signature", string.Join(", ", members.Select(m => m.Signature)));
}
