using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>
/// Every limit of the verification policy at its exact boundary and one step past it: the freshness window (expires,
/// MaxSignatureAge, MaxFutureSkew, the representable range of created), the key id and nonce lengths, the number of
/// signatures and the field length. Written against <see cref="HttpMessageVerifier.VerifyAsync"/> results only.
/// </summary>
public sealed class VerifierBoundaryTests
{
    private const string KeyId = "kpa_testKey000000001";
    private const string Std = "(\"@method\" \"@authority\" \"@path\" \"@query\")";

    // DateTimeOffset.MinValue and MaxValue (truncated to seconds) as Unix seconds.
    private const long MinUnixSeconds = -62_135_596_800;
    private const long MaxUnixSeconds = 253_402_300_799;

    [Fact]
    public async Task Verify_AtExactlyExpires_FailsWithSignatureExpired()
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Get(), new SigningOptions { ExpiresAfter = TimeSpan.FromSeconds(10) });
        f.Time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(KeyPairFailureReason.SignatureExpired, (await f.VerifyAsync(request)).Failure);
    }

    [Fact]
    public async Task Verify_OneMillisecondBeforeExpires_Succeeds()
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Get(), new SigningOptions { ExpiresAfter = TimeSpan.FromSeconds(10) });
        f.Time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(1));

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
    }

    [Fact]
    public async Task Verify_CreatedOneMillisecondOlderThanMaxSignatureAge_FailsWithStaleTimestamp()
    {
        using var f = new VerifierFixture(o => o.MaxSignatureAge = TimeSpan.FromSeconds(30));
        TestRequest request = f.Sign(VerifierFixture.Get());
        f.Time.Advance(TimeSpan.FromSeconds(30) + TimeSpan.FromMilliseconds(1));

        Assert.Equal(KeyPairFailureReason.StaleTimestamp, (await f.VerifyAsync(request)).Failure);
    }

    [Fact]
    public async Task Verify_CreatedExactlyMaxSignatureAgeOld_Succeeds()
    {
        using var f = new VerifierFixture(o => o.MaxSignatureAge = TimeSpan.FromSeconds(30));
        TestRequest request = f.Sign(VerifierFixture.Get());
        f.Time.Advance(TimeSpan.FromSeconds(30));

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
    }

    [Fact]
    public async Task Verify_CreatedExactlyMaxFutureSkewAhead_Succeeds()
    {
        using var f = new VerifierFixture(o => o.MaxFutureSkew = TimeSpan.FromSeconds(20));
        TestRequest request = f.Sign(VerifierFixture.Get(), new SigningOptions { Created = VerifierFixture.Now.AddSeconds(20) });

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.Equal(VerifierFixture.Now.AddSeconds(20), result.Created);
    }

    [Fact]
    public async Task Verify_CreatedOneMillisecondBeyondMaxFutureSkew_FailsWithFutureTimestamp()
    {
        using var f = new VerifierFixture(o => o.MaxFutureSkew = TimeSpan.FromSeconds(20));
        TestRequest request = f.Sign(VerifierFixture.Get(), new SigningOptions { Created = VerifierFixture.Now.AddSeconds(21) });
        f.Time.Advance(TimeSpan.FromMilliseconds(999));

        Assert.Equal(KeyPairFailureReason.FutureTimestamp, (await f.VerifyAsync(request)).Failure);
    }

    [Fact]
    public async Task Verify_ZeroMaxFutureSkew_AcceptsCreatedNowAndRefusesOneSecondAhead()
    {
        using var f = new VerifierFixture(o => o.MaxFutureSkew = TimeSpan.Zero);

        SignatureVerificationResult now = await f.VerifyAsync(f.Sign(VerifierFixture.Get()));
        SignatureVerificationResult ahead = await f.VerifyAsync(f.Sign(VerifierFixture.Get(), new SigningOptions { Created = VerifierFixture.Now.AddSeconds(1) }));

        Assert.True(now.Succeeded, now.FailureDetail);
        Assert.Equal(KeyPairFailureReason.FutureTimestamp, ahead.Failure);
    }

    [Fact]
    public async Task Verify_CreatedJustBeforeTheRepresentableRange_FailsWithStaleTimestampWithoutThrowing()
    {
        using var f = new VerifierFixture(o => o.MaxSignatureAge = TimeSpan.MaxValue);
        TestRequest request = f.SignRaw(VerifierFixture.Get(), $"sig1={Std};created={MinUnixSeconds - 1};keyid=\"{KeyId}\";nonce=\"n\"");

        Assert.Equal(KeyPairFailureReason.StaleTimestamp, (await f.VerifyAsync(request)).Failure);
    }

    [Fact]
    public async Task Verify_CreatedAtTheStartOfTheRepresentableRange_SucceedsWithAWindowThatLong()
    {
        using var f = new VerifierFixture(o => o.MaxSignatureAge = TimeSpan.MaxValue);
        TestRequest request = f.SignRaw(VerifierFixture.Get(), $"sig1={Std};created={MinUnixSeconds};keyid=\"{KeyId}\";nonce=\"n\"");

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.Equal(DateTimeOffset.MinValue, result.Created);
    }

    [Fact]
    public async Task Verify_CreatedJustAfterTheRepresentableRange_FailsWithFutureTimestampWithoutThrowing()
    {
        using var f = new VerifierFixture(o => o.MaxFutureSkew = TimeSpan.MaxValue);
        TestRequest request = f.SignRaw(VerifierFixture.Get(), $"sig1={Std};created={MaxUnixSeconds + 1};keyid=\"{KeyId}\";nonce=\"n\"");

        Assert.Equal(KeyPairFailureReason.FutureTimestamp, (await f.VerifyAsync(request)).Failure);
    }

    [Fact]
    public async Task Verify_CreatedAtTheEndOfTheRepresentableRange_SucceedsWithASkewThatLong()
    {
        using var f = new VerifierFixture(o => o.MaxFutureSkew = TimeSpan.MaxValue);
        TestRequest request = f.SignRaw(VerifierFixture.Get(), $"sig1={Std};created={MaxUnixSeconds};keyid=\"{KeyId}\";nonce=\"n\"");

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(MaxUnixSeconds), result.Created);
        Assert.Equal(DateTimeOffset.MaxValue, f.Replay.Calls.Single().RememberUntil);
    }

    [Fact]
    public async Task Verify_KeyIdOfMaxKeyIdLength_IsLookedUpAndFailsAsAnUnknownKey()
    {
        using var f = new VerifierFixture();
        string keyId = new('k', SignatureProfile.MaxKeyIdLength);
        TestRequest request = f.SignRaw(VerifierFixture.Get(), $"sig1={Std};created={f.NowSeconds};keyid=\"{keyId}\";nonce=\"n\"");

        // Not refused as malformed: it reached the key lookup, where an unknown key fails like a bad signature.
        Assert.Equal(KeyPairFailureReason.InvalidSignature, (await f.VerifyAsync(request)).Failure);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(SignatureProfile.MaxKeyIdLength + 1)]
    public async Task Verify_KeyIdEmptyOrLongerThanMaxKeyIdLength_FailsWithMalformedSignature(int length)
    {
        using var f = new VerifierFixture();
        TestRequest request = f.SignRaw(VerifierFixture.Get(), $"sig1={Std};created={f.NowSeconds};keyid=\"{new string('k', length)}\";nonce=\"n\"");

        Assert.Equal(KeyPairFailureReason.MalformedSignature, (await f.VerifyAsync(request)).Failure);
    }

    [Fact]
    public async Task Verify_NonceOfExactlyMaxNonceLength_Succeeds()
    {
        using var f = new VerifierFixture(o => o.MaxNonceLength = 16);
        TestRequest request = f.Sign(VerifierFixture.Get(), new SigningOptions { Nonce = new string('n', 16) });

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.Equal(new string('n', 16), f.Replay.Calls.Single().Nonce);
    }

    [Fact]
    public async Task Verify_EmptyNonce_FailsWithMalformedSignatureWithoutReplayCheck()
    {
        using var f = new VerifierFixture();
        TestRequest request = f.SignRaw(VerifierFixture.Get(), $"sig1={Std};created={f.NowSeconds};keyid=\"{KeyId}\";nonce=\"\"");

        Assert.Equal(KeyPairFailureReason.MalformedSignature, (await f.VerifyAsync(request)).Failure);
        Assert.Empty(f.Replay.Calls);
    }

    [Fact]
    public async Task Verify_ExactlyMaxSignatures_AreAllExamined()
    {
        using var f = new VerifierFixture(o => o.MaxSignatures = 2);
        using var impostor = TestKeys.NewSigningKey(KeyId, 9);
        TestRequest request = VerifierFixture.Get();
        SignatureFields bad = f.Signer.Sign(request, impostor, new SigningOptions { Label = "bad" });
        SignatureFields good = f.Signer.Sign(request, f.Key, new SigningOptions { Label = "good" });
        request.With("Signature-Input", bad.SignatureInput).With("Signature-Input", good.SignatureInput)
            .With("Signature", bad.Signature).With("Signature", good.Signature);

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.Equal("good", result.Label);
    }

    [Theory]
    [InlineData(2, 3)]
    [InlineData(3, 2)]
    public async Task Verify_EitherFieldWithMoreThanMaxSignaturesMembers_FailsWithTooManySignaturesWithoutLookup(int inputs, int signatures)
    {
        using var f = new VerifierFixture(o => o.MaxSignatures = 2);
        TestRequest request = VerifierFixture.Get();
        string[] labels = ["a", "b", "c"];
        for (int i = 0; i < Math.Max(inputs, signatures); i++)
        {
            SignatureFields fields = f.Signer.Sign(request, f.Key, new SigningOptions { Label = labels[i] });
            if (i < inputs)
            {
                request.With("Signature-Input", fields.SignatureInput);
            }

            if (i < signatures)
            {
                request.With("Signature", fields.Signature);
            }
        }

        Assert.Equal(KeyPairFailureReason.TooManySignatures, (await f.VerifyAsync(request)).Failure);
        Assert.Equal(0, f.Store.FindCalls);
    }

    [Fact]
    public async Task Verify_OneLineFieldOfExactlyMaxFieldLength_Succeeds()
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Get());
        f.Options.FieldLimits = LimitsWithMaxFieldLength(FieldLength(request));

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
    }

    [Fact]
    public async Task Verify_OneLineFieldOneCharacterOverMaxFieldLength_FailsWithMalformedSignature()
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Get());
        f.Options.FieldLimits = LimitsWithMaxFieldLength(FieldLength(request) - 1);

        Assert.Equal(KeyPairFailureReason.MalformedSignature, (await f.VerifyAsync(request)).Failure);
        Assert.Equal(0, f.Store.FindCalls);
    }

    [Fact]
    public async Task Verify_FieldLinesJoiningToExactlyMaxFieldLength_Succeed()
    {
        using var f = new VerifierFixture();
        TestRequest request = SignedOnTwoLines(f);
        f.Options.FieldLimits = LimitsWithMaxFieldLength(FieldLength(request));

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
    }

    [Fact]
    public async Task Verify_FieldLinesJoiningToOneCharacterOverMaxFieldLength_FailWithMalformedSignature()
    {
        using var f = new VerifierFixture();
        TestRequest request = SignedOnTwoLines(f);
        f.Options.FieldLimits = LimitsWithMaxFieldLength(FieldLength(request) - 1);

        Assert.Equal(KeyPairFailureReason.MalformedSignature, (await f.VerifyAsync(request)).Failure);
        Assert.Equal(0, f.Store.FindCalls);
    }

    /// <summary>Two signatures, each member on its own field line (the first by an unknown key, so the second decides).</summary>
    private static TestRequest SignedOnTwoLines(VerifierFixture f)
    {
        using var other = TestKeys.NewSigningKey("kpa_otherKey00000001", 3);
        TestRequest request = VerifierFixture.Get();
        SignatureFields first = f.Signer.Sign(request, other, new SigningOptions { Label = "first" });
        SignatureFields second = f.Signer.Sign(request, f.Key, new SigningOptions { Label = "second" });
        return request.With("Signature-Input", first.SignatureInput).With("Signature-Input", second.SignatureInput)
            .With("Signature", first.Signature).With("Signature", second.Signature);
    }

    /// <summary>The length of the longer of the two fields, their lines joined as a recipient combines them (", ").</summary>
    private static int FieldLength(TestRequest request) =>
        Math.Max(
            string.Join(", ", request.GetFieldValues("Signature-Input").ToArray()).Length,
            string.Join(", ", request.GetFieldValues("Signature").ToArray()).Length);

    private static StructuredFieldLimits LimitsWithMaxFieldLength(int length) => new()
    {
        MaxFieldLength = length,
        MaxMembers = StructuredFieldLimits.Default.MaxMembers,
        MaxInnerListItems = StructuredFieldLimits.Default.MaxInnerListItems,
        MaxParameters = StructuredFieldLimits.Default.MaxParameters,
    };
}
