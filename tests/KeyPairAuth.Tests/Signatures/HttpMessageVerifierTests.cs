using KeyPairAuth.Replay;
using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Tests.Signatures;

public sealed class HttpMessageVerifierTests
{
    private const string Std = "(\"@method\" \"@authority\" \"@path\" \"@query\")";

    [Fact]
    public async Task Verify_SignedGet_Succeeds()
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Get());

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.Equal("kpa_testKey000000001", result.Key!.KeyId);
        Assert.Equal("sig1", result.Label);
        Assert.Equal(VerifierFixture.Now, result.Created);
        Assert.False(result.CoversContentDigest);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Verify_SignatureCoveringScheme_SucceedsAndBindsTheScheme(bool fastPath)
    {
        using var f = new VerifierFixture();
        f.Verifier.FastPathEnabled = fastPath;
        var withScheme = new SigningOptions { Components = ["@method", "@scheme", "@authority", "@path", "@query"] };
        TestRequest request = f.Sign(VerifierFixture.Get(), withScheme);

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);

        // The same fields presented over another scheme do not verify.
        TestRequest overHttp = f.Sign(VerifierFixture.Get(), withScheme);
        overHttp.Scheme = "http";
        SignatureVerificationResult moved = await f.VerifyAsync(overHttp);
        Assert.Equal(KeyPairFailureReason.InvalidSignature, moved.Failure);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Verify_RequireSchemeWithoutSchemeCoverage_FailsWithInsufficientCoverage(bool fastPath)
    {
        using var f = new VerifierFixture(o => o.RequireScheme = true);
        f.Verifier.FastPathEnabled = fastPath;
        // What clients signed before @scheme joined the default coverage (and other RFC 9421 clients may still sign).
        TestRequest request = f.Sign(VerifierFixture.Get(), new SigningOptions { Components = ["@method", "@authority", "@path", "@query"] });

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.Equal(KeyPairFailureReason.InsufficientCoverage, result.Failure);
        Assert.Contains("@scheme", result.FailureDetail, StringComparison.Ordinal);
        Assert.Empty(f.Replay.Calls);
    }

    [Theory]
    [InlineData("@method", "@scheme", "@authority", "@path", "@query")]
    [InlineData("@method", "@target-uri")]
    public async Task Verify_RequireSchemeWithSchemeOrTargetUriCovered_Succeeds(params string[] components)
    {
        using var f = new VerifierFixture(o => o.RequireScheme = true);
        TestRequest request = f.Sign(VerifierFixture.Get(), new SigningOptions { Components = components });

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
    }

    [Fact]
    public async Task Verify_RequireScheme_SignatureMadeForHttpDoesNotVerifyOverHttps()
    {
        using var fixture = new VerifierFixture(o => o.RequireScheme = true);
        TestRequest sentOverHttp = fixture.Sign(
            new TestRequest("GET", "/account/secrets", "api.example.com", scheme: "http"),
            new SigningOptions { Components = ["@method", "@scheme", "@authority", "@path", "@query"] });

        // A passive observer of the plaintext attempt (e.g. before UseHttpsRedirection answers 307, which happens
        // before authentication, so the nonce is still fresh) replays the same fields over TLS.
        var replayOverHttps = new TestRequest("GET", "/account/secrets", "api.example.com", scheme: "https")
            .With(SignatureFields.SignatureInputFieldName, sentOverHttp.GetFieldValues(SignatureFields.SignatureInputFieldName)[0]!)
            .With(SignatureFields.SignatureFieldName, sentOverHttp.GetFieldValues(SignatureFields.SignatureFieldName)[0]!);

        SignatureVerificationResult result = await fixture.VerifyAsync(replayOverHttps);
        Assert.False(result.Succeeded, "a signature made for http:// verified for https:// although @scheme is required and covered");
        Assert.Equal(KeyPairFailureReason.InvalidSignature, result.Failure);

        // Over http, where it was made, it verifies: the refusal above is the scheme binding, not a broken signature.
        Assert.True((await fixture.VerifyAsync(sentOverHttp)).Succeeded);
    }

    [Fact]
    public async Task Verify_SignedPostWithBody_SucceedsAndReportsDigestCoverage()
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Post());

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.True(result.CoversContentDigest);
        Assert.Contains("\"content-digest\"", request.GetFieldValues("Signature-Input")[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/a%2Fb/caf%C3%A9?q=a%20b&x=%2B+y")]
    [InlineData("/search?q=%E2%9C%93&empty=&flag")]
    [InlineData("/")]
    [InlineData("/path/with;matrix=1/and%3Fencoded?")]
    public async Task Verify_PercentEncodedPathsAndQueries_RoundTrip(string target)
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Get(target));

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
    }

    [Fact]
    public async Task Verify_DecodedPathInsteadOfRawTarget_FailsWithInvalidSignature()
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Get("/a%2Fb?x=1"));
        request.RequestTarget = "/a/b?x=1";

        Assert.Equal(KeyPairFailureReason.InvalidSignature, (await f.VerifyAsync(request)).Failure);
    }

    [Fact]
    public async Task Verify_BothFieldsEmpty_FailsWithMissingSignature()
    {
        using var f = new VerifierFixture();
        TestRequest request = VerifierFixture.Get().With("Signature-Input", "").With("Signature", " ");

        Assert.Equal(KeyPairFailureReason.MissingSignature, (await f.VerifyAsync(request)).Failure);
    }

    [Fact]
    public async Task Verify_NoSignatureFields_FailsWithMissingSignature()
    {
        using var f = new VerifierFixture();

        Assert.Equal(KeyPairFailureReason.MissingSignature, (await f.VerifyAsync(VerifierFixture.Get())).Failure);
    }

    [Theory]
    [InlineData("Signature")]
    [InlineData("Signature-Input")]
    public async Task Verify_OnlyOneOfTheTwoFields_FailsWithMalformedSignature(string removed)
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Get()).Without(removed);

        Assert.Equal(KeyPairFailureReason.MalformedSignature, (await f.VerifyAsync(request)).Failure);
    }

    [Theory]
    [InlineData("sig1=(\"@method\";created=1", "sig1=:AAAA:")]
    [InlineData("Sig1=(\"@method\")", "Sig1=:AAAA:")]
    [InlineData("sig1=(\"@method\"),", "sig1=:AAAA:")]
    [InlineData("sig1=(\"@method\")", "sig1=:not base64!:")]
    [InlineData("sig1=(\"@method\");created=9999999999999999", "sig1=:AAAA:")]
    [InlineData("sig1=(\"@method\")", "sig2=:AAAA:")]
    [InlineData("sig1=\"@method\"", "sig1=:AAAA:")]
    [InlineData("sig1=(\"@method\")", "sig1=\"AAAA\"")]
    [InlineData("", "sig1=:AAAA:")]
    [InlineData("sig1=()", "")]
    public async Task Verify_MalformedFields_FailWithMalformedSignature(string input, string signature)
    {
        using var f = new VerifierFixture();
        TestRequest request = VerifierFixture.Get().With("Signature-Input", input).With("Signature", signature);

        Assert.Equal(KeyPairFailureReason.MalformedSignature, (await f.VerifyAsync(request)).Failure);
    }

    [Theory]
    [InlineData("created")]
    [InlineData("keyid")]
    [InlineData("nonce")]
    public async Task Verify_RequiredParameterMissing_FailsWithInsufficientCoverage(string omitted)
    {
        using var f = new VerifierFixture();
        var parameters = new List<string> { $"created={f.NowSeconds}", "keyid=\"kpa_testKey000000001\"", "nonce=\"n-123\"" };
        parameters.RemoveAll(p => p.StartsWith(omitted, StringComparison.Ordinal));
        TestRequest request = f.SignRaw(VerifierFixture.Get(), $"sig1={Std};{string.Join(';', parameters)}");

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.Equal(KeyPairFailureReason.InsufficientCoverage, result.Failure);
        Assert.Contains(omitted, result.FailureDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_NonceNotRequired_AcceptsSignatureWithoutNonceAndSkipsReplayCheck()
    {
        using var f = new VerifierFixture(o => o.RequireNonce = false);
        TestRequest request = f.Sign(VerifierFixture.Get(), new SigningOptions { IncludeNonce = false });

        Assert.True((await f.VerifyAsync(request)).Succeeded);
        Assert.Empty(f.Replay.Calls);
    }

    [Theory]
    [InlineData("@method")]
    [InlineData("@authority")]
    [InlineData("@path")]
    [InlineData("@query")]
    public async Task Verify_RequiredComponentNotCovered_FailsWithInsufficientCoverage(string omitted)
    {
        using var f = new VerifierFixture();
        string[] components = [.. new[] { "@method", "@authority", "@path", "@query" }.Where(c => c != omitted)];
        TestRequest request = f.Sign(VerifierFixture.Get(), new SigningOptions { Components = components });

        Assert.Equal(KeyPairFailureReason.InsufficientCoverage, (await f.VerifyAsync(request)).Failure);
    }

    [Fact]
    public async Task Verify_TargetUriInsteadOfAuthorityPathQuery_Succeeds()
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Get(), new SigningOptions { Components = ["@method", "@target-uri"] });

        Assert.True((await f.VerifyAsync(request)).Succeeded);
    }

    [Fact]
    public async Task Verify_TargetUriWhenNotAllowed_FailsWithInsufficientCoverage()
    {
        using var f = new VerifierFixture(o => o.AllowTargetUri = false);
        TestRequest request = f.Sign(VerifierFixture.Get(), new SigningOptions { Components = ["@method", "@target-uri"] });

        Assert.Equal(KeyPairFailureReason.InsufficientCoverage, (await f.VerifyAsync(request)).Failure);
    }

    [Fact]
    public async Task Verify_BodyWithoutContentDigestCoverage_FailsWithInsufficientCoverage()
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Post(), new SigningOptions { Components = ["@method", "@authority", "@path", "@query"] });

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.Equal(KeyPairFailureReason.InsufficientCoverage, result.Failure);
        Assert.Contains("content-digest", result.FailureDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_AdditionalRequiredComponentNotCovered_FailsWithInsufficientCoverage()
    {
        using var f = new VerifierFixture(o => o.AdditionalRequiredComponents.Add("content-type"));
        TestRequest request = f.Sign(VerifierFixture.Post());

        Assert.Equal(KeyPairFailureReason.InsufficientCoverage, (await f.VerifyAsync(request)).Failure);
    }

    [Fact]
    public async Task Verify_AdditionalRequiredComponentCovered_Succeeds()
    {
        using var f = new VerifierFixture(o => o.AdditionalRequiredComponents.Add("content-type"));
        TestRequest request = f.Sign(VerifierFixture.Post(), new SigningOptions { Components = ["@method", "@authority", "@path", "@query", "content-digest", "content-type"] });

        Assert.True((await f.VerifyAsync(request)).Succeeded);
    }

    [Fact]
    public async Task Verify_CreatedOlderThanMaxAge_FailsWithStaleTimestamp()
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Get());
        f.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        Assert.Equal(KeyPairFailureReason.StaleTimestamp, (await f.VerifyAsync(request)).Failure);
    }

    [Fact]
    public async Task Verify_CreatedExactlyMaxAgeOld_Succeeds()
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Get());
        f.Time.Advance(TimeSpan.FromMinutes(5));

        Assert.True((await f.VerifyAsync(request)).Succeeded);
    }

    [Fact]
    public async Task Verify_CreatedBeyondFutureSkew_FailsWithFutureTimestamp()
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Get(), new SigningOptions { Created = VerifierFixture.Now.AddSeconds(61) });

        Assert.Equal(KeyPairFailureReason.FutureTimestamp, (await f.VerifyAsync(request)).Failure);
    }

    [Theory]
    [InlineData(-999999999999999)]
    [InlineData(999999999999999)]
    public async Task Verify_ExtremeCreated_FailsWithTimestampReasonWithoutThrowing(long created)
    {
        using var f = new VerifierFixture();
        TestRequest request = f.SignRaw(VerifierFixture.Get(), $"sig1={Std};created={created};keyid=\"kpa_testKey000000001\";nonce=\"n\"");

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.Equal(created < 0 ? KeyPairFailureReason.StaleTimestamp : KeyPairFailureReason.FutureTimestamp, result.Failure);
    }

    [Fact]
    public async Task Verify_ExtremeFreshnessOptions_DoNotThrow()
    {
        using var f = new VerifierFixture(o =>
        {
            o.MaxSignatureAge = TimeSpan.MaxValue;
            o.MaxFutureSkew = TimeSpan.MaxValue;
        });

        SignatureVerificationResult ancient = await f.VerifyAsync(f.SignRaw(VerifierFixture.Get(), $"sig1={Std};created=-999999999999999;keyid=\"kpa_testKey000000001\";nonce=\"a\""));
        SignatureVerificationResult current = await f.VerifyAsync(f.Sign(VerifierFixture.Get()));

        Assert.Equal(KeyPairFailureReason.StaleTimestamp, ancient.Failure);
        Assert.True(current.Succeeded, current.FailureDetail);
        Assert.Equal(DateTimeOffset.MaxValue, f.Replay.Calls.Single().RememberUntil);
    }

    [Fact]
    public async Task Verify_ExpiresInThePast_FailsWithSignatureExpired()
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Get(), new SigningOptions { ExpiresAfter = TimeSpan.FromSeconds(10) });
        f.Time.Advance(TimeSpan.FromSeconds(11));

        Assert.Equal(KeyPairFailureReason.SignatureExpired, (await f.VerifyAsync(request)).Failure);
    }

    [Fact]
    public async Task Verify_ExpiresInTheFuture_Succeeds()
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Get(), new SigningOptions { ExpiresAfter = TimeSpan.FromSeconds(10) });
        f.Time.Advance(TimeSpan.FromSeconds(9));

        Assert.True((await f.VerifyAsync(request)).Succeeded);
    }

    [Fact]
    public async Task Verify_SameRequestTwice_SecondFailsWithReplayedNonce()
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Get());

        Assert.True((await f.VerifyAsync(request)).Succeeded);
        SignatureVerificationResult second = await f.VerifyAsync(request);

        Assert.Equal(KeyPairFailureReason.ReplayedNonce, second.Failure);
        Assert.NotNull(second.Key);
    }

    [Fact]
    public async Task Verify_ReplayCheck_RemembersUntilCreatedPlusMaxAgePlusSkew()
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Get(), new SigningOptions { Nonce = "fixed-nonce" });

        await f.VerifyAsync(request);

        (string keyId, string nonce, DateTimeOffset until) = Assert.Single(f.Replay.Calls);
        Assert.Equal(("kpa_testKey000000001", "fixed-nonce"), (keyId, nonce));
        Assert.Equal(VerifierFixture.Now + TimeSpan.FromMinutes(6), until);
    }

    [Fact]
    public async Task Verify_ReplayCacheFull_FailsClosedWithReplayCacheFull()
    {
        using var f = new VerifierFixture();
        f.Replay.ForcedResult = ReplayCheckResult.CapacityExceeded;
        TestRequest request = f.Sign(VerifierFixture.Get());

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.Equal(KeyPairFailureReason.ReplayCacheFull, result.Failure);
        Assert.Equal("replay_cache_full", result.Failure!.Value.ToErrorCode());
        Assert.False(result.Failure.Value.IsDisclosedBeforeVerification());
    }

    [Fact]
    public async Task Verify_SignedWithAnotherKeyUnderTheStoredKeyId_FailsWithInvalidSignature()
    {
        using var f = new VerifierFixture();
        using var other = TestKeys.NewSigningKey("kpa_testKey000000001", 9);
        TestRequest request = f.Sign(VerifierFixture.Get(), key: other);

        Assert.Equal(KeyPairFailureReason.InvalidSignature, (await f.VerifyAsync(request)).Failure);
        Assert.Empty(f.Replay.Calls);
    }

    [Fact]
    public async Task Verify_UnknownKeyAndBadSignature_GiveIdenticalResults()
    {
        using var f = new VerifierFixture();
        using var unknown = TestKeys.NewSigningKey("kpa_unknown", 9);
        using var impostor = TestKeys.NewSigningKey("kpa_testKey000000001", 9);

        SignatureVerificationResult unknownKey = await f.VerifyAsync(f.Sign(VerifierFixture.Get(), key: unknown));
        SignatureVerificationResult badSignature = await f.VerifyAsync(f.Sign(VerifierFixture.Get(), key: impostor));

        Assert.Equal(KeyPairFailureReason.InvalidSignature, unknownKey.Failure);
        Assert.Equal(unknownKey.Failure, badSignature.Failure);
        Assert.Equal(unknownKey.FailureDetail, badSignature.FailureDetail);
        Assert.Null(unknownKey.Key);
        Assert.Null(badSignature.Key);
    }

    [Fact]
    public async Task Verify_UnknownKey_CostsOneDecoyVerificationLikeABadSignature()
    {
        // Identical answers are not enough: if an unknown key id skipped the Ed25519 verification, the ~50 µs
        // difference would tell a prober which key ids exist. The unknown key must burn one verification.
        using var f = new VerifierFixture();
        using var unknown = TestKeys.NewSigningKey("kpa_unknown", 9);
        using var impostor = TestKeys.NewSigningKey("kpa_testKey000000001", 9);
        TestRequest unknownRequest = f.Sign(VerifierFixture.Get(), key: unknown);
        TestRequest impostorRequest = f.Sign(VerifierFixture.Get(), key: impostor);

        // The fixture's store answers synchronously, so the whole verification runs on this thread (the counter is
        // thread-static to keep parallel tests apart).
        int before = HttpMessageVerifier.DecoyVerifications;
        SignatureVerificationResult unknownKey = await f.Verifier.VerifyAsync(unknownRequest);
        Assert.Equal(KeyPairFailureReason.InvalidSignature, unknownKey.Failure);
        Assert.Equal(before + 1, HttpMessageVerifier.DecoyVerifications);

        SignatureVerificationResult badSignature = await f.Verifier.VerifyAsync(impostorRequest);
        Assert.Equal(KeyPairFailureReason.InvalidSignature, badSignature.Failure);
        Assert.Equal(before + 1, HttpMessageVerifier.DecoyVerifications);
    }

    [Theory]
    [InlineData("rsa-pss-sha512")]
    [InlineData("hmac-sha256")]
    [InlineData("ED25519")]
    public async Task Verify_AlgOtherThanEd25519_FailsWithUnsupportedAlgorithm(string alg)
    {
        using var f = new VerifierFixture();
        TestRequest request = f.SignRaw(VerifierFixture.Get(), $"sig1={Std};created={f.NowSeconds};keyid=\"kpa_testKey000000001\";nonce=\"n\";alg=\"{alg}\"");

        Assert.Equal(KeyPairFailureReason.UnsupportedAlgorithm, (await f.VerifyAsync(request)).Failure);
    }

    [Fact]
    public async Task Verify_AlgAbsent_SucceedsUnlessRequired()
    {
        using var lenient = new VerifierFixture();
        using var strict = new VerifierFixture(o => o.RequireAlgorithmParameter = true);
        var options = new SigningOptions { IncludeAlgorithm = false };

        Assert.True((await lenient.VerifyAsync(lenient.Sign(VerifierFixture.Get(), options))).Succeeded);
        Assert.Equal(KeyPairFailureReason.InsufficientCoverage, (await strict.VerifyAsync(strict.Sign(VerifierFixture.Get(), options))).Failure);
    }

    [Fact]
    public async Task Verify_RevokedKey_FailsWithKeyRevokedOnlyAfterVerification()
    {
        using var f = new VerifierFixture(record: null);
        f.Store.Add(TestKeys.Record(f.Key, revokedAt: VerifierFixture.Now.AddDays(-1)));
        using var impostor = TestKeys.NewSigningKey("kpa_testKey000000001", 9);

        SignatureVerificationResult genuine = await f.VerifyAsync(f.Sign(VerifierFixture.Get()));
        SignatureVerificationResult forged = await f.VerifyAsync(f.Sign(VerifierFixture.Get(), key: impostor));

        Assert.Equal(KeyPairFailureReason.KeyRevoked, genuine.Failure);
        Assert.NotNull(genuine.Key);
        Assert.Equal(KeyPairFailureReason.InvalidSignature, forged.Failure);
        Assert.Empty(f.Replay.Calls);
    }

    [Fact]
    public async Task Verify_ExpiredKey_FailsWithKeyExpiredOnlyAfterVerification()
    {
        using var f = new VerifierFixture();
        f.Store.Add(TestKeys.Record(f.Key, expiresAt: VerifierFixture.Now.AddSeconds(-1)));
        using var impostor = TestKeys.NewSigningKey("kpa_testKey000000001", 9);

        Assert.Equal(KeyPairFailureReason.KeyExpired, (await f.VerifyAsync(f.Sign(VerifierFixture.Get()))).Failure);
        Assert.Equal(KeyPairFailureReason.InvalidSignature, (await f.VerifyAsync(f.Sign(VerifierFixture.Get(), key: impostor))).Failure);
    }

    [Fact]
    public async Task Verify_MoreSignaturesThanMax_FailsWithTooManySignatures()
    {
        using var f = new VerifierFixture(o => o.MaxSignatures = 2);
        TestRequest request = VerifierFixture.Get();
        foreach (string label in new[] { "a", "b", "c" })
        {
            SignatureFields fields = f.Signer.Sign(request, f.Key, new SigningOptions { Label = label });
            request.With("Signature-Input", fields.SignatureInput).With("Signature", fields.Signature);
        }

        Assert.Equal(KeyPairFailureReason.TooManySignatures, (await f.VerifyAsync(request)).Failure);
        Assert.Equal(0, f.Store.FindCalls);
    }

    [Fact]
    public async Task Verify_HostileFieldOfManyMembers_FailsWithTooManySignaturesAfterFewMembers()
    {
        using var f = new VerifierFixture();
        string members = string.Join(", ", Enumerable.Range(0, 60).Select(i => $"s{i}=(\"@method\" \"@authority\");keyid=\"kpa_testKey000000001\";nonce=\"n{i}\""));
        TestRequest request = VerifierFixture.Get()
            .With("Signature-Input", members + ", !")
            .With("Signature", "s0=:" + Convert.ToBase64String(new byte[64]) + ":");

        StructuredFields.StructuredFieldTestHelpers.ResetWork();
        SignatureVerificationResult result = await f.VerifyAsync(request);
        long work = StructuredFields.StructuredFieldTestHelpers.Work();

        // Stopped after MaxSignatures + 1 = 5 members: far less work than the field's 60 members (each ≈ 80 characters).
        Assert.Equal(KeyPairFailureReason.TooManySignatures, result.Failure);
        Assert.InRange(work, 1, members.Length / 4);
        Assert.Equal(0, f.Store.FindCalls);
    }

    [Fact]
    public async Task Verify_TooManyInputMembersButSignatureUnparsable_FailsWithMalformedSignature()
    {
        using var f = new VerifierFixture(o => o.MaxSignatures = 1);
        string members = string.Join(", ", Enumerable.Range(0, 5).Select(i => $"s{i}=(\"@method\");keyid=\"kpa_testKey000000001\""));
        TestRequest request = VerifierFixture.Get().With("Signature-Input", members).With("Signature", "s0=:not base64!:");

        Assert.Equal(KeyPairFailureReason.MalformedSignature, (await f.VerifyAsync(request)).Failure);
    }

    [Fact]
    public async Task Verify_MoreMembersThanConfiguredFieldLimit_FailsWithMalformedSignature()
    {
        using var f = new VerifierFixture(o => o.FieldLimits = new StructuredFieldLimits { MaxMembers = 2 });
        string members = string.Join(", ", Enumerable.Range(0, 3).Select(i => $"s{i}=(\"@method\");keyid=\"kpa_testKey000000001\""));
        string signatures = string.Join(", ", Enumerable.Range(0, 3).Select(i => $"s{i}=:" + Convert.ToBase64String(new byte[64]) + ":"));
        TestRequest request = VerifierFixture.Get().With("Signature-Input", members).With("Signature", signatures);

        Assert.Equal(KeyPairFailureReason.MalformedSignature, (await f.VerifyAsync(request)).Failure);
    }

    [Fact]
    public async Task Verify_BadSignatureThenGoodSignature_AuthenticatesWithTheGoodOne()
    {
        using var f = new VerifierFixture();
        using var impostor = TestKeys.NewSigningKey("kpa_testKey000000001", 9);
        TestRequest request = VerifierFixture.Get();
        SignatureFields bad = f.Signer.Sign(request, impostor, new SigningOptions { Label = "bad" });
        SignatureFields good = f.Signer.Sign(request, f.Key, new SigningOptions { Label = "good" });
        request.With("Signature-Input", bad.SignatureInput).With("Signature-Input", good.SignatureInput)
            .With("Signature", good.Signature).With("Signature", bad.Signature);

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.Equal("good", result.Label);
    }

    [Fact]
    public async Task Verify_NoSignatureSatisfiesPolicy_ReportsTheFurthestFailure()
    {
        using var f = new VerifierFixture();
        using var impostor = TestKeys.NewSigningKey("kpa_testKey000000001", 9);
        TestRequest request = VerifierFixture.Get();
        SignatureFields weak = f.Signer.Sign(request, f.Key, new SigningOptions { Label = "weak", Components = ["@method"] });
        SignatureFields forged = f.Signer.Sign(request, impostor, new SigningOptions { Label = "forged" });
        request.With("Signature-Input", $"{weak.SignatureInput}, {forged.SignatureInput}").With("Signature", $"{weak.Signature}, {forged.Signature}");

        Assert.Equal(KeyPairFailureReason.InvalidSignature, (await f.VerifyAsync(request)).Failure);
    }

    [Fact]
    public async Task Verify_RequiredLabelAbsent_FailsWithInsufficientCoverage()
    {
        using var f = new VerifierFixture(o => o.RequiredLabel = "kpa");
        Assert.Equal(KeyPairFailureReason.InsufficientCoverage, (await f.VerifyAsync(f.Sign(VerifierFixture.Get()))).Failure);
        Assert.True((await f.VerifyAsync(f.Sign(VerifierFixture.Get(), new SigningOptions { Label = "kpa" }))).Succeeded);
    }

    [Fact]
    public async Task Verify_RequiredTagMissingOrDifferent_FailsWithInsufficientCoverage()
    {
        using var f = new VerifierFixture(o => o.RequiredTag = "my-api");
        Assert.Equal(KeyPairFailureReason.InsufficientCoverage, (await f.VerifyAsync(f.Sign(VerifierFixture.Get()))).Failure);
        Assert.Equal(KeyPairFailureReason.InsufficientCoverage, (await f.VerifyAsync(f.Sign(VerifierFixture.Get(), new SigningOptions { Tag = "other" }))).Failure);
        Assert.True((await f.VerifyAsync(f.Sign(VerifierFixture.Get(), new SigningOptions { Tag = "my-api" }))).Succeeded);
    }

    [Theory]
    [InlineData("Method")]
    [InlineData("Authority")]
    [InlineData("Path")]
    [InlineData("Query")]
    [InlineData("Digest")]
    public async Task Verify_CoveredPartAlteredAfterSigning_FailsWithInvalidSignature(string part)
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Post(target: "/api/items?x=1"));
        switch (part)
        {
            case "Method": request.Method = "PUT"; break;
            case "Authority": request.Authority = "evil.example.com"; break;
            case "Path": request.RequestTarget = "/api/other?x=1"; break;
            case "Query": request.RequestTarget = "/api/items?x=2"; break;
            default: request.Replace("Content-Digest", KeyPairAuth.Digests.ContentDigest.Compute("tampered"u8)); break;
        }

        Assert.Equal(KeyPairFailureReason.InvalidSignature, (await f.VerifyAsync(request)).Failure);
    }

    [Fact]
    public async Task Verify_SignatureNot64Bytes_FailsWithInvalidSignatureBeforeKeyLookup()
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Get()).Replace("Signature", "sig1=:AAAA:");

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.Equal(KeyPairFailureReason.InvalidSignature, result.Failure);
        Assert.Equal(0, f.Store.FindCalls);
    }

    [Fact]
    public async Task Verify_CoveredHeaderAbsent_FailsWithMalformedSignature()
    {
        using var f = new VerifierFixture();
        TestRequest request = f.Sign(VerifierFixture.Get().With("X-Trace", "1"), new SigningOptions { Components = ["@method", "@authority", "@path", "@query", "x-trace"] })
            .Without("X-Trace");

        Assert.Equal(KeyPairFailureReason.MalformedSignature, (await f.VerifyAsync(request)).Failure);
        Assert.Equal(0, f.Store.FindCalls);
    }

    [Theory]
    [InlineData("created=\"1\"")]
    [InlineData("keyid=kpa_testKey000000001")]
    [InlineData("nonce=1")]
    [InlineData("alg=ed25519")]
    [InlineData("expires=?1")]
    public async Task Verify_ParameterOfWrongType_FailsWithMalformedSignature(string parameter)
    {
        using var f = new VerifierFixture();
        var parameters = new List<string> { $"created={f.NowSeconds}", "keyid=\"kpa_testKey000000001\"", "nonce=\"n\"" };
        string name = parameter[..parameter.IndexOf('=', StringComparison.Ordinal)];
        parameters.RemoveAll(p => p.StartsWith(name, StringComparison.Ordinal));
        parameters.Add(parameter);
        TestRequest request = f.SignRaw(VerifierFixture.Get(), $"sig1={Std};{string.Join(';', parameters)}");

        Assert.Equal(KeyPairFailureReason.MalformedSignature, (await f.VerifyAsync(request)).Failure);
    }

    [Fact]
    public async Task Verify_NonceLongerThanMax_FailsWithMalformedSignature()
    {
        using var f = new VerifierFixture(o => o.MaxNonceLength = 16);
        TestRequest request = f.Sign(VerifierFixture.Get(), new SigningOptions { Nonce = new string('n', 17) });

        Assert.Equal(KeyPairFailureReason.MalformedSignature, (await f.VerifyAsync(request)).Failure);
    }

    [Fact]
    public async Task Verify_StoreThrows_ExceptionPropagates()
    {
        using var f = new VerifierFixture();
        f.Store.Failure = new InvalidOperationException("database down");
        TestRequest request = f.Sign(VerifierFixture.Get());

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await f.VerifyAsync(request));
    }

    [Fact]
    public async Task Verify_UnknownParameters_AreIgnored()
    {
        using var f = new VerifierFixture();
        TestRequest request = f.SignRaw(VerifierFixture.Get(), $"sig1={Std};created={f.NowSeconds};keyid=\"kpa_testKey000000001\";nonce=\"n\";x-ext=\"1\"");

        Assert.True((await f.VerifyAsync(request)).Succeeded);
    }

    [Fact]
    public async Task Verify_ExtensionParametersOfEveryType_AreReserialisedIntoTheBase()
    {
        using var f = new VerifierFixture();
        TestRequest request = f.SignRaw(VerifierFixture.Get(), $"sig1={Std};created={f.NowSeconds};keyid=\"kpa_testKey000000001\";nonce=\"n\";ds=%\"caf%c3%a9\";dt=@1659578233;dec=1.50;tok=a/b;bin=:AAAA:;flag;off=?0");

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsNamingTheSetting()
    {
        using var f = new VerifierFixture();
        var options = new SignatureVerificationOptions { MaxSignatures = 0 };

        var exception = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new HttpMessageVerifier(new KeyPairAuth.Stores.PublicKeyCache(f.Store, f.Time), f.Replay, options, f.Time));
        Assert.Contains("MaxSignatures", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_InvalidRequiredComponentName_ThrowsNamingIt()
    {
        // A direct verifier gets the same rules as the scheme: a name that is no field name would refuse every request.
        using var f = new VerifierFixture();
        var options = new SignatureVerificationOptions();
        options.AdditionalRequiredComponents.Add("x tenant");

        var exception = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new HttpMessageVerifier(f.Store, f.Replay, options, f.Time));
        Assert.Contains("x tenant", exception.Message, StringComparison.Ordinal);
    }
}
