using KeyPairAuth.Digests;
using KeyPairAuth.Signatures;
using KeyPairAuth.Testing;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>The verifier's entry point on hostile input: only results, never an exception.</summary>
public sealed class VerifierFuzzTests
{
    private const int MaxEdits = 5;

    private static readonly string[] Fragments =
    [
        "sig1", "=", "(", ")", "\"", "@method", "@authority", "@path", "@query", "content-digest", ";", "created=", "1772366400",
        "keyid=", "\"kpa_testKey000000001\"", "nonce=", "alg=", "\"ed25519\"", ":", "AAAA", "==", ",", " ", "?1", "*", "-", "9999999999999999",
        "\\", "req", "sf", "key=", "bs", "@status", "tr", "\t", "é", "\u0000",
        "%\"caf%c3%a9\"", "%\"%ff\"", "@1659578233", "1.5", "-0.001", ":AAAA:", "tag=", "expires=", "name=", "@query-param", "x=(a b)",
    ];

    [Fact]
    public async Task Verify_RandomBytesInFields_OnlyReturnsResults()
    {
        using var f = new VerifierFixture();
        var random = new Random(1234);
        for (int i = 0; i < 2000; i++)
        {
            TestRequest request = VerifierFixture.Get()
                .With("Signature-Input", FuzzInput.RandomString(random, random.Next(0, 300), ascii: i % 2 == 0))
                .With("Signature", FuzzInput.RandomString(random, random.Next(0, 200), ascii: i % 3 == 0));

            SignatureVerificationResult result = await f.VerifyAsync(request);

            Assert.False(result.Succeeded);
        }
    }

    [Fact]
    public async Task Verify_RandomSignatureGrammarFragments_OnlyReturnsResults()
    {
        using var f = new VerifierFixture();
        var random = new Random(99);
        for (int i = 0; i < 5000; i++)
        {
            TestRequest request = (i % 4 == 0 ? VerifierFixture.Post() : VerifierFixture.Get())
                .With("Signature-Input", FuzzInput.Splice(random, "sig1=(\"@method\" \"@authority\" \"@path\" \"@query\");created=1772366400;keyid=\"kpa_testKey000000001\";nonce=\"abc\"", Fragments, MaxEdits))
                .With("Signature", FuzzInput.Splice(random, "sig1=:" + Convert.ToBase64String(new byte[64]) + ":", Fragments, MaxEdits));

            SignatureVerificationResult result = await f.VerifyAsync(request);

            Assert.NotNull(result.Failure);
        }
    }

    [Fact]
    public async Task Verify_MutatedValidSignature_OnlyReturnsResultsAndNeverAuthenticatesAChangedInput()
    {
        using var f = new VerifierFixture();
        var random = new Random(7);
        TestRequest original = f.Sign(VerifierFixture.Get());
        string input = original.GetFieldValues("Signature-Input")[0]!;
        string signature = original.GetFieldValues("Signature")[0]!;
        for (int i = 0; i < 2000; i++)
        {
            string mutatedInput = FuzzInput.ReplaceOneChar(random, input);
            string mutatedSignature = i % 2 == 0 ? signature : FuzzInput.ReplaceOneChar(random, signature);
            if (mutatedInput == input && mutatedSignature == signature)
            {
                continue;
            }

            TestRequest request = VerifierFixture.Get().With("Signature-Input", mutatedInput).With("Signature", mutatedSignature);

            SignatureVerificationResult result = await f.VerifyAsync(request);

            // A mutation may re-serialise to the same canonical form (e.g. extra OWS); only then can it still verify.
            if (result.Succeeded)
            {
                Assert.Equal(KeyPairAuth.StructuredFields.StructuredFieldSerializer.Serialize(KeyPairAuth.StructuredFields.StructuredFieldParser.ParseDictionary(input)),
                    KeyPairAuth.StructuredFields.StructuredFieldSerializer.Serialize(KeyPairAuth.StructuredFields.StructuredFieldParser.ParseDictionary(mutatedInput)));
            }
        }
    }

    [Fact]
    public async Task Verify_RandomContentDigestValues_OnlyReturnsResults()
    {
        using var f = new VerifierFixture();
        var random = new Random(5);
        for (int i = 0; i < 1000; i++)
        {
            string digest = i % 2 == 0 ? FuzzInput.RandomString(random, random.Next(0, 120), ascii: true) : FuzzInput.Splice(random, "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:, sha-512=:AAAA:", Fragments, MaxEdits);
            TestRequest request = f.Sign(VerifierFixture.Post()).Replace(ContentDigest.FieldName, digest);

            _ = await f.VerifyAsync(request);
            if (ContentDigestVerifier.TryCreate(digest, out ContentDigestVerifier? verifier, out _))
            {
                using (verifier)
                {
                    verifier!.Append("{}"u8);
                    _ = verifier.Verify();
                }
            }
        }
    }

    [Theory]
    [InlineData(100_000)]
    [InlineData(1_000_000)]
    public async Task Verify_HugeFields_FailWithMalformedSignature(int length)
    {
        using var f = new VerifierFixture();
        string huge = "sig1=(\"" + new string('a', length) + "\")";
        TestRequest request = VerifierFixture.Get().With("Signature-Input", huge).With("Signature", "sig1=:" + new string('A', length) + ":");

        Assert.Equal(KeyPairFailureReason.MalformedSignature, (await f.VerifyAsync(request)).Failure);
    }

    [Fact]
    public async Task Verify_ThousandsOfMembersOrFieldLines_FailWithoutThrowing()
    {
        using var f = new VerifierFixture();
        string members = string.Join(", ", Enumerable.Range(0, 5000).Select(i => $"s{i}=()"));
        TestRequest oneLine = VerifierFixture.Get().With("Signature-Input", members).With("Signature", members.Replace("()", ":AAAA:", StringComparison.Ordinal));
        TestRequest manyLines = VerifierFixture.Get();
        for (int i = 0; i < 5000; i++)
        {
            manyLines.With("Signature-Input", $"s{i}=()").With("Signature", $"s{i}=:AAAA:");
        }

        Assert.Equal(KeyPairFailureReason.MalformedSignature, (await f.VerifyAsync(oneLine)).Failure);
        Assert.Equal(KeyPairFailureReason.MalformedSignature, (await f.VerifyAsync(manyLines)).Failure);
        Assert.Equal(0, f.Store.FindCalls);
    }

    [Theory]
    [InlineData(60)]
    [InlineData(2000)]
    public async Task Verify_ManyCoveredComponents_FailWithMalformedSignatureWithoutKeyLookup(int count)
    {
        using var f = new VerifierFixture();
        string items = string.Join(' ', Enumerable.Range(0, count).Select(i => $"\"x-h{i}\""));
        TestRequest request = VerifierFixture.Get()
            .With("Signature-Input", $"sig1=(\"@method\" \"@authority\" \"@path\" \"@query\" {items});created={f.NowSeconds};keyid=\"kpa_testKey000000001\";nonce=\"n\"")
            .With("Signature", "sig1=:" + Convert.ToBase64String(new byte[64]) + ":");

        Assert.Equal(KeyPairFailureReason.MalformedSignature, (await f.VerifyAsync(request)).Failure);
        Assert.Equal(0, f.Store.FindCalls);
    }
}
