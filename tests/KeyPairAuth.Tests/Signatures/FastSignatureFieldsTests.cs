using System.Text;
using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;
using KeyPairAuth.Testing;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>
/// The verifier's in-place reading of Signature-Input and Signature: it must only ever accept what the generic parser
/// accepts, with the same content, and the verifier must answer the same with and without it.
/// </summary>
public sealed class FastSignatureFieldsTests
{
    private const int MaxEdits = 3;

    private const string SeedInput = "sig1=(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\");created=1772366400;expires=1772366700;keyid=\"kpa_testKey000000001\";nonce=\"abc_-1\";alg=\"ed25519\";tag=\"app\"";

    private static readonly string SeedSignature = "sig1=:" + Convert.ToBase64String(Enumerable.Range(0, 64).Select(i => (byte)(i * 7)).ToArray()) + ":";

    private static readonly string[] Fragments =
    [
        " ", "  ", "\t", ";", "; ", "=", "(", ")", "\"", "\\\"", "\\\\", ",", ", sig2=()", ":", "=", "==", "-", "-0", "007", "1.5", "1.", "?1", "?0",
        "@1659578233", "tok", "*", "sig1", "sig2", "created", "keyid", "nonce", "alg", "tag", "expires", ";created=1", ";keyid=\"k\"", ";x",
        "\"@method\"", "\"@path\";name=\"a\"", "\"x-a\"", "9999999999999999", "999999999999999", "é", "\u0000", "A", "/", "+", "%\"a\"",
    ];

    [Fact]
    public void TryRead_SignerShape_ReadsLabelComponentsParametersAndSignature()
    {
        Assert.True(FastSignatureFields.TryRead(SeedInput, SeedSignature, StructuredFieldLimits.Default, out FastSignatureFields fields));

        Assert.Equal("sig1", fields.LabelSpan.ToString());
        Assert.Equal(["@method", "@authority", "@path", "@query", "content-digest"], Enumerable.Range(0, fields.ItemCount).Select(i => fields.Item(i).ToString()));
        Assert.Equal(6, fields.ParameterCount);
        Assert.Equal(1772366400, fields.Parameter(0).Integer);
        Assert.Equal("kpa_testKey000000001", fields.Slice(fields.Parameter(2).Text).ToString());
        Assert.Equal(Enumerable.Range(0, 64).Select(i => (byte)(i * 7)), fields.Signature.ToArray());
    }

    [Theory]
    [InlineData("sig1=(\"@method\");created=1", "sig2=:SIG64:")] // labels differ: the generic path reports it
    [InlineData("sig1=(\"@method\"), sig2=(\"@path\")", "sig1=:SIG64:, sig2=:SIG64:")] // two signatures
    [InlineData("sig1=(\"@query-param\";name=\"a\");created=1", "sig1=:SIG64:")] // component parameters
    [InlineData("sig1=(\"a\\\"b\");created=1", "sig1=:SIG64:")] // escapes
    [InlineData("sig1=(\"@method\");created=1.5", "sig1=:SIG64:")] // decimal
    [InlineData("sig1=(\"@method\");created=1;created=2", "sig1=:SIG64:")] // duplicated parameter
    [InlineData("sig1=(\"@method\");x", "sig1=:SIG64:")] // Boolean parameter
    [InlineData("sig1=(\"@method\");alg=ed25519", "sig1=:SIG64:")] // Token parameter
    [InlineData("sig1=(\"@method\");created=1", "sig1=:AAAA:")] // not 64 bytes
    [InlineData("sig1=(\"@method\");created=1", "sig1=:SIG64:;p=1")] // signature parameters
    [InlineData("sig1=(\"@method\";created=1", "sig1=:SIG64:")] // invalid: not closed
    [InlineData("sig1=(\"@method\");created=1,", "sig1=:SIG64:")] // invalid: trailing comma
    public void TryRead_OtherShapes_LeavesThemToTheGenericParser(string input, string signature)
    {
        signature = signature.Replace("SIG64", Convert.ToBase64String(new byte[64]), StringComparison.Ordinal);

        Assert.False(FastSignatureFields.TryRead(input, signature, StructuredFieldLimits.Default, out _));
    }

    [Fact]
    public void TryRead_SameShapeWithSixtyFourByteSignature_IsRead()
    {
        // The control for the theory above: the shapes it uses differ from this one only in the named way.
        string signature = "sig1=:" + Convert.ToBase64String(new byte[64]) + ":";

        Assert.True(FastSignatureFields.TryRead("sig1=(\"@method\");created=1", signature, StructuredFieldLimits.Default, out _));
        Assert.True(FastSignatureFields.TryRead("sig1=(\"@method\");created=1", signature.TrimEnd(':').TrimEnd('=') + ":", StructuredFieldLimits.Default, out _));
    }

    [Fact]
    public void TryRead_RandomAndMutatedValues_AcceptsOnlyWhatTheGenericParserAcceptsWithTheSameContent()
    {
        var random = new Random(2024);
        StructuredFieldLimits tight = new() { MaxInnerListItems = 3, MaxParameters = 4, MaxFieldLength = 160 };
        int fastAccepted = 0, genericAccepted = 0;
        for (int i = 0; i < 30_000; i++)
        {
            string input = i % 10 == 0 ? FuzzInput.RandomString(random, random.Next(0, 80)) : FuzzInput.Splice(random, SeedInput, Fragments, MaxEdits);
            string signature = i % 3 == 0 ? FuzzInput.Splice(random, SeedSignature, Fragments, MaxEdits) : SeedSignature;
            StructuredFieldLimits limits = i % 5 == 0 ? tight : StructuredFieldLimits.Default;

            bool fast = FastSignatureFields.TryRead(input, signature, limits, out FastSignatureFields fields);
            bool generic = StructuredFieldParser.TryParseDictionary(input, limits, out SfDictionary? inputs)
                & StructuredFieldParser.TryParseDictionary(signature, limits, out SfDictionary? signatures);
            genericAccepted += generic ? 1 : 0;
            if (!fast)
            {
                continue;
            }

            fastAccepted++;
            Assert.True(generic, $"fast path accepted what the generic parser rejects: {input} | {signature}");
            AssertSameContent(fields, inputs!, signatures!);
        }

        // The mutations must exercise the fast path, and the generic path on shapes it leaves alone.
        Assert.True(fastAccepted > 3_000, $"fast path accepted only {fastAccepted}");
        Assert.True(genericAccepted > fastAccepted, $"generic {genericAccepted}, fast {fastAccepted}");
    }

    [Fact]
    public async Task Verify_NonCanonicalButValidSignatureInput_VerifiesAgainstTheCanonicalBase()
    {
        using var f = new VerifierFixture();
        string member = $"sig1=(  \"@method\"   \"@authority\" \"@path\" \"@query\"  );  created=0{f.NowSeconds};keyid=\"kpa_testKey000000001\";   nonce=\"n-1\" \t";
        TestRequest request = f.SignRaw(VerifierFixture.Get(), member); // signs SignatureBase.Build: the canonical @signature-params
        Assert.True(FastSignatureFields.TryRead(member, request.GetFieldValues("Signature")[0], StructuredFieldLimits.Default, out _));

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
    }

    [Fact]
    public async Task Verify_SignatureOverTheVerbatimNonCanonicalParams_FailsWithInvalidSignature()
    {
        using var f = new VerifierFixture();
        string parameters = $"(\"@method\"  \"@authority\" \"@path\" \"@query\");created=0{f.NowSeconds};keyid=\"kpa_testKey000000001\";nonce=\"n-2\"";
        TestRequest request = VerifierFixture.Get();
        string signatureBase = "\"@method\": GET\n\"@authority\": api.example.com\n\"@path\": /api/items\n\"@query\": ?page=2\n\"@signature-params\": " + parameters;
        byte[] signature = new byte[64];
        f.Key.Sign(Encoding.ASCII.GetBytes(signatureBase), signature);
        request.With("Signature-Input", "sig1=" + parameters).With("Signature", "sig1=:" + Convert.ToBase64String(signature) + ":");

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.Equal(KeyPairFailureReason.InvalidSignature, result.Failure);
    }

    [Fact]
    public async Task Verify_MutatedSignedRequests_FastAndGenericPathsGiveTheSameResult()
    {
        using var fast = new VerifierFixture();
        using var generic = new VerifierFixture();
        generic.Verifier.FastPathEnabled = false;
        var random = new Random(31);
        int succeeded = 0;
        for (int i = 0; i < 3000; i++)
        {
            TestRequest signed = fast.Sign(i % 3 == 0 ? VerifierFixture.Post() : VerifierFixture.Get(), new SigningOptions { Tag = i % 2 == 0 ? "app" : null });
            string input = signed.GetFieldValues("Signature-Input")[0]!;
            string signature = signed.GetFieldValues("Signature")[0]!;
            if (i % 4 != 0)
            {
                input = FuzzInput.Splice(random, input, Fragments, MaxEdits);
            }

            if (i % 7 == 0)
            {
                signature = FuzzInput.Splice(random, signature, Fragments, MaxEdits);
            }

            TestRequest request = signed.Replace("Signature-Input", input).Replace("Signature", signature);
            SignatureVerificationResult a = await fast.VerifyAsync(request);
            SignatureVerificationResult b = await generic.VerifyAsync(request);

            Assert.Equal(b.Failure, a.Failure);
            Assert.Equal(b.FailureDetail, a.FailureDetail);
            Assert.Equal(b.Label, a.Label);
            Assert.Equal(b.Created, a.Created);
            Assert.Equal(b.CoversContentDigest, a.CoversContentDigest);
            Assert.Equal(b.Key?.KeyId, a.Key?.KeyId);
            succeeded += a.Succeeded ? 1 : 0;
        }

        Assert.True(succeeded > 500, $"only {succeeded} verified");
    }

    [Fact]
    public void Read_MutatedFields_BothReadersGiveTheSameCandidateAndSignatureBase()
    {
        // The pipeline sees only the candidate: whichever reader read the fields, it must hold the same label,
        // parameters, coverage, signature bytes, and build the same signature base (or fail to, alike).
        TestRequest request = VerifierFixture.Post().With("x-tenant", "t-1");
        string[] additional = ["x-tenant"];
        var random = new Random(47);
        int compared = 0;
        for (int i = 0; i < 4000; i++)
        {
            string seed = i % 2 == 0 ? SeedInput : SeedInput.Replace("\"content-digest\")", "\"content-digest\" \"x-tenant\")", StringComparison.Ordinal);
            string input = i % 5 == 0 ? seed : FuzzInput.Splice(random, seed, Fragments, MaxEdits);
            if (!FastSignatureFields.TryRead(input, SeedSignature, StructuredFieldLimits.Default, out FastSignatureFields fields))
            {
                continue;
            }

            SfDictionary inputs = StructuredFieldParser.ParseDictionary(input);
            SfDictionary signatures = StructuredFieldParser.ParseDictionary(SeedSignature);
            KeyValuePair<string, SfMember> member = Assert.Single(inputs.Members);

            SignatureCandidate fast = SignatureCandidate.Read(ref fields, additional, out SignatureVerificationResult? fastFailure);
            SignatureCandidate general = SignatureCandidate.Read(member.Key, member.Value, signatures.Members[0].Value, additional, out SignatureVerificationResult? generalFailure);

            Assert.Same(generalFailure, fastFailure);
            if (fastFailure is null)
            {
                Assert.Equal(Describe(general.Parameters), Describe(fast.Parameters));
                Assert.Equal(general.Signature.ToArray(), fast.Signature.ToArray());
                Assert.Equal(BaseOf(ref general, request), BaseOf(ref fast, request));
                compared++;
            }
        }

        Assert.True(compared > 1000, $"only {compared} candidates compared");
    }

    [Fact]
    public void Read_ComponentsWithParametersOrNonStrings_CoverageCountsOnlyBareNames()
    {
        // "content-digest";sf is another component than content-digest (RFC 9421 §2.1): it satisfies no requirement.
        SfDictionary inputs = StructuredFieldParser.ParseDictionary("sig1=(\"@method\" \"content-digest\";sf \"x-tenant\";bs tok);created=1");
        SfDictionary signatures = StructuredFieldParser.ParseDictionary(SeedSignature);

        SignatureCandidate candidate = SignatureCandidate.Read("sig1", inputs.Members[0].Value, signatures.Members[0].Value, ["x-tenant"], out SignatureVerificationResult? failure);

        Assert.Null(failure);
        Assert.True(candidate.Parameters.Method);
        Assert.False(candidate.Parameters.ContentDigest);
        Assert.False(candidate.Parameters.CoversAdditional);
    }

    private static string Describe(SignatureParameters p) =>
        string.Join(
            "|",
            p.Label, p.HasCreated, p.Created, p.HasExpires, p.Expires, p.HasKeyId, p.KeyId, p.HasNonce, p.Nonce, p.HasAlg, p.Alg, p.HasTag, p.Tag,
            p.Method, p.Authority, p.Path, p.Query, p.TargetUri, p.ContentDigest, p.Scheme, p.CoversAdditional);

    private static string BaseOf(ref SignatureCandidate candidate, TestRequest request)
    {
        SignatureBaseWriter writer;
        try
        {
            writer = candidate.BuildBase(request);
        }
        catch (SignatureBaseException exception)
        {
            return "refused: " + exception.Message;
        }

        try
        {
            return writer.ToString();
        }
        finally
        {
            writer.Dispose();
        }
    }

    [Fact]
    public async Task Verify_FastPathWithReplayedNonce_FailsWithReplayedNonce()
    {
        using var f = new VerifierFixture();
        var verifier = new HttpMessageVerifier(new KeyPairAuth.Stores.PublicKeyCache(f.Store, f.Time), new KeyPairAuth.Replay.InMemoryReplayCache(f.Time), f.Options, f.Time);
        TestRequest request = f.Sign(VerifierFixture.Get());

        Assert.True((await verifier.VerifyAsync(request)).Succeeded);
        Assert.Equal(KeyPairFailureReason.ReplayedNonce, (await verifier.VerifyAsync(request)).Failure);
    }

    private static void AssertSameContent(FastSignatureFields fields, SfDictionary inputs, SfDictionary signatures)
    {
        KeyValuePair<string, SfMember> input = Assert.Single(inputs.Members);
        Assert.Equal(input.Key, fields.LabelSpan.ToString());
        SfInnerList list = Assert.IsType<SfInnerList>(input.Value.InnerList);
        Assert.Equal(list.Items.Count, fields.ItemCount);
        for (int i = 0; i < fields.ItemCount; i++)
        {
            Assert.Equal(SfBareItemType.String, list.Items[i].Value.Type);
            Assert.Empty(list.Items[i].Parameters);
            Assert.Equal(list.Items[i].Value.String, fields.Item(i).ToString());
        }

        Assert.Equal(list.Parameters.Count, fields.ParameterCount);
        for (int i = 0; i < fields.ParameterCount; i++)
        {
            FastParameter parameter = fields.Parameter(i);
            Assert.Equal(list.Parameters[i].Key, fields.Slice(parameter.Key).ToString());
            SfBareItem value = list.Parameters[i].Value;
            if (parameter.IsString)
            {
                Assert.Equal(SfBareItemType.String, value.Type);
                Assert.Equal(value.String, fields.Slice(parameter.Text).ToString());
            }
            else
            {
                Assert.Equal(SfBareItemType.Integer, value.Type);
                Assert.Equal(value.Integer, parameter.Integer);
            }
        }

        KeyValuePair<string, SfMember> signature = Assert.Single(signatures.Members);
        Assert.Equal(input.Key, signature.Key);
        SfItem item = Assert.IsType<SfItem>(signature.Value.Item);
        Assert.Equal(SfBareItemType.ByteSequence, item.Value.Type);
        Assert.Empty(item.Parameters);
        Assert.Equal(item.Value.Bytes.ToArray(), fields.Signature.ToArray());

        // The base's @signature-params is the canonical serialisation, as the generic path writes it.
        Assert.Equal(StructuredFieldSerializer.Serialize(list), CanonicalParams(fields));
    }

    private static string CanonicalParams(FastSignatureFields fields)
    {
        var writer = new SignatureBaseWriter(64);
        try
        {
            SignatureBase.WriteSignatureParams(in fields, ref writer);
            return writer.ToString();
        }
        finally
        {
            writer.Dispose();
        }
    }
}
