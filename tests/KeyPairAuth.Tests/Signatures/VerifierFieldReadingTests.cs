using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>
/// How the verifier reads Signature-Input and Signature of any shape: which refusal a missing or null field line gets,
/// where the member limit it parses with comes from (including after the options change), and that field lines too
/// long together are refused before they are joined.
/// </summary>
public sealed class VerifierFieldReadingTests
{
    private static readonly string ZeroSignature = ":" + Convert.ToBase64String(new byte[64]) + ":";

    [Theory]
    [InlineData("Signature")]
    [InlineData("Signature-Input")]
    public async Task Verify_OnlyOneOfTheTwoFields_FailsSayingBothMustBePresent(string removed)
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Get()).Without(removed);

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.Equal(KeyPairFailureReason.MalformedSignature, result.Failure);
        Assert.Equal(VerificationFailures.OneFieldMissing.FailureDetail, result.FailureDetail);
    }

    [Theory]
    [InlineData("Signature-Input", true)]
    [InlineData("Signature-Input", false)]
    [InlineData("Signature", true)]
    [InlineData("Signature", false)]
    public async Task Verify_NullFieldLine_IsReadAsAnEmptyFieldAndFailsAsUnpaired(string nulled, bool fastPath)
    {
        // StringValues may hold a null line: it is an empty field (no members), so the other field's label is unpaired.
        using var f = new VerifierFixture();
        f.Verifier.FastPathEnabled = fastPath;
        var request = new NullLineRequest(f.Sign(VerifierFixture.Get()), nulled);

        SignatureVerificationResult result = await f.Verifier.VerifyAsync(request);

        Assert.Equal(KeyPairFailureReason.MalformedSignature, result.Failure);
        Assert.Equal(VerificationFailures.Unpaired.FailureDetail, result.FailureDetail);
    }

    [Theory]
    [InlineData(3, KeyPairFailureReason.TooManySignatures)]
    [InlineData(4, KeyPairFailureReason.MalformedSignature)]
    public async Task Verify_MaxMembersOneAboveMaxSignatures_MoreMembersThanMaxMembersFailTheField(int members, KeyPairFailureReason expected)
    {
        // MaxSignatures + 1 == MaxMembers: the configured limit is the one a fourth member exceeds, so the field is
        // malformed (as with any field over MaxMembers), not "too many signatures".
        using var f = new VerifierFixture(o =>
        {
            o.MaxSignatures = 2;
            o.FieldLimits = new StructuredFieldLimits { MaxMembers = 3 };
        });
        TestRequest request = VerifierFixture.Get()
            .With("Signature-Input", string.Join(", ", Enumerable.Range(0, members).Select(i => $"s{i}=(\"@method\");keyid=\"kpa_testKey000000001\"")))
            .With("Signature", string.Join(", ", Enumerable.Range(0, members).Select(i => $"s{i}={ZeroSignature}")));

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.Equal(expected, result.Failure);
        Assert.Equal(0, f.Store.FindCalls);
    }

    [Fact]
    public async Task Verify_FieldLimitsReplacedBetweenRequests_TheNewLimitsApply()
    {
        using var f = new VerifierFixture();
        Assert.True((await f.VerifyAsync(SignedTwice(f))).Succeeded);

        f.Options.FieldLimits = new StructuredFieldLimits { MaxInnerListItems = 2 };
        SignatureVerificationResult result = await f.VerifyAsync(SignedTwice(f));

        Assert.Equal(KeyPairFailureReason.MalformedSignature, result.Failure);
        Assert.Equal(VerificationFailures.Unparsable.FailureDetail, result.FailureDetail);
    }

    [Fact]
    public async Task Verify_MaxSignaturesRaisedBetweenRequests_TheNewCountIsExamined()
    {
        using var f = new VerifierFixture(o => o.MaxSignatures = 2);
        Assert.True((await f.VerifyAsync(SignedTwice(f))).Succeeded);

        f.Options.MaxSignatures = 4;
        TestRequest request = VerifierFixture.Get();
        foreach (string label in new[] { "a", "b", "c", "d" })
        {
            SignatureFields fields = f.Signer.Sign(request, f.Key, new SigningOptions { Label = label });
            request.With("Signature-Input", fields.SignatureInput).With("Signature", fields.Signature);
        }

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.Equal("a", result.Label);
    }

    [Fact]
    public async Task Verify_MaxSignaturesLoweredBetweenRequests_TheNewCountIsEnforced()
    {
        using var f = new VerifierFixture(o => o.MaxSignatures = 2);
        Assert.True((await f.VerifyAsync(SignedTwice(f))).Succeeded);

        f.Options.MaxSignatures = 1;
        SignatureVerificationResult result = await f.VerifyAsync(SignedTwice(f));

        Assert.Equal(KeyPairFailureReason.TooManySignatures, result.Failure);
    }

    private static TestRequest SignedTwice(VerifierFixture f)
    {
        TestRequest request = VerifierFixture.Get();
        foreach (string label in new[] { "a", "b" })
        {
            SignatureFields fields = f.Signer.Sign(request, f.Key, new SigningOptions { Label = label });
            request.With("Signature-Input", fields.SignatureInput).With("Signature", fields.Signature);
        }

        return request;
    }

    /// <summary>A request view whose one line of a field is null (StringValues allows it).</summary>
    private sealed class NullLineRequest(TestRequest inner, string nulled) : IHttpRequestView
    {
        public string Method => inner.Method;

        public string Scheme => inner.Scheme;

        public string Authority => inner.Authority;

        public string RequestTarget => inner.RequestTarget;

        public bool HasContent => inner.HasContent;

        public StringValues GetFieldValues(string fieldName) =>
            string.Equals(fieldName, nulled, StringComparison.OrdinalIgnoreCase) ? new StringValues(new string?[] { null }) : inner.GetFieldValues(fieldName);
    }
}
