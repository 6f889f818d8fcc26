using KeyPairAuth.Replay;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>Allocation budget of the verifier's hot path (BenchmarkDotNet measures time; this guards bytes).</summary>
public sealed class VerifierAllocationTests
{
    [Fact]
    public async Task Verify_SmallSignedGetWithNonce_AllocatesAtMostOneKilobyte()
    {
        // The production wiring: cached key lookup and the real InMemoryReplayCache, nonce required (the default).
        using var f = new VerifierFixture();
        var verifier = new HttpMessageVerifier(new PublicKeyCache(f.Store, f.Time), new InMemoryReplayCache(f.Time), f.Options, f.Time);

        // Every verification needs a fresh nonce, so sign them all up front. 50 warm-ups plus 10 measured stay clear of
        // the replay table's growth steps (at 49 and 97 entries), which allocate the table itself, not per request.
        FixedView[] views = new FixedView[60];
        for (int i = 0; i < views.Length; i++)
        {
            views[i] = new FixedView(f.Sign(VerifierFixture.Get()));
        }

        for (int i = 0; i < 50; i++)
        {
            Assert.True((await verifier.VerifyAsync(views[i])).Succeeded);
        }

        for (int i = 50; i < views.Length; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            SignatureVerificationResult result = await verifier.VerifyAsync(views[i]);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.True(result.Succeeded);

            // Release: 80 B, the result object. The fields are read in place (FastSignatureFields), the base is built in a
            // pooled buffer, the key id and nonce are looked up and hashed as spans.
            Assert.True(allocated <= 1024, $"verify allocated {allocated} bytes");
        }
    }

    [Fact]
    public async Task Verify_SmallSignedGetWithoutNonce_AllocatesAtMostOneKilobyte()
    {
        using var f = new VerifierFixture(o => o.RequireNonce = false);
        var view = new FixedView(f.Sign(VerifierFixture.Get(), new SigningOptions { IncludeNonce = false }));
        for (int i = 0; i < 50; i++)
        {
            Assert.True((await f.Verifier.VerifyAsync(view)).Succeeded);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        SignatureVerificationResult result = await f.Verifier.VerifyAsync(view);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(result.Succeeded);
        Assert.True(allocated <= 1024, $"verify allocated {allocated} bytes");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Verify_SignedGetWithSpanReplayCache_AllocatesOnlyTheResult(bool nonce)
    {
        // Beyond the result object (80 B), nothing per request: no key id or nonce string, no parse tree, no base
        // string. The smallest of several measurements is taken, so a one-off allocation of the JIT's early tiers
        // does not count, while anything the hot path allocates on every call does.
        using var f = new VerifierFixture(o => o.RequireNonce = nonce);
        var verifier = new HttpMessageVerifier(new PublicKeyCache(f.Store, f.Time), new InMemoryReplayCache(f.Time), f.Options, f.Time);
        FixedView[] views = new FixedView[200];
        for (int i = 0; i < views.Length; i++)
        {
            views[i] = new FixedView(f.Sign(VerifierFixture.Get(), new SigningOptions { IncludeNonce = nonce }));
        }

        long smallest = long.MaxValue;
        for (int i = 0; i < views.Length; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            SignatureVerificationResult result = await verifier.VerifyAsync(views[i]);
            smallest = Math.Min(smallest, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.True(result.Succeeded, result.FailureDetail);
        }

        Assert.True(smallest <= 80, $"verify allocated at least {smallest} bytes");
    }

    [Fact]
    public async Task Verify_NoSignature_DoesNotAllocate()
    {
        using var f = new VerifierFixture();
        var view = new FixedView(VerifierFixture.Get());
        await f.Verifier.VerifyAsync(view);

        long before = GC.GetAllocatedBytesForCurrentThread();
        SignatureVerificationResult result = await f.Verifier.VerifyAsync(view);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(KeyPairFailureReason.MissingSignature, result.Failure);
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData("sig1")]
    [InlineData("sig2")]
    [InlineData("sig")]
    public async Task Verify_CommonLabel_IsReportedWithoutAllocatingItsName(string label)
    {
        // The result names the label; for the usual ones that is an interned string, not a copy out of the field.
        using var f = new VerifierFixture(o => o.RequireNonce = false);
        var verifier = new HttpMessageVerifier(new PublicKeyCache(f.Store, f.Time), new InMemoryReplayCache(f.Time), f.Options, f.Time);
        var view = new FixedView(f.Sign(VerifierFixture.Get(), new SigningOptions { Label = label, IncludeNonce = false }));

        long smallest = long.MaxValue;
        for (int i = 0; i < 100; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            SignatureVerificationResult result = await verifier.VerifyAsync(view);
            smallest = Math.Min(smallest, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Same(string.Intern(label), result.Label);
        }

        Assert.True(smallest <= 80, $"verify allocated at least {smallest} bytes");
    }

    [Fact]
    public async Task Verify_MaxSignaturesOfOne_SingleSignatureIsReadInPlaceAllocatingOnlyTheResult()
    {
        // The smallest MaxSignatures still lets the one signature take the allocation-free reading of the fields.
        using var f = new VerifierFixture(o =>
        {
            o.MaxSignatures = 1;
            o.RequireNonce = false;
        });
        var verifier = new HttpMessageVerifier(new PublicKeyCache(f.Store, f.Time), new InMemoryReplayCache(f.Time), f.Options, f.Time);
        var view = new FixedView(f.Sign(VerifierFixture.Get(), new SigningOptions { IncludeNonce = false }));

        long smallest = long.MaxValue;
        for (int i = 0; i < 100; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            SignatureVerificationResult result = await verifier.VerifyAsync(view);
            smallest = Math.Min(smallest, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.True(result.Succeeded, result.FailureDetail);
        }

        Assert.True(smallest <= 80, $"verify allocated at least {smallest} bytes");
    }

    [Fact]
    public async Task Verify_FieldLinesJoiningToOneCharacterOverMaxFieldLength_AreRefusedWithoutBeingJoined()
    {
        // Two lines whose join (with ", ") is MaxFieldLength + 1: their lengths alone refuse them, so a hostile request
        // of long lines never costs a string of their total length.
        using var f = new VerifierFixture();
        int max = f.Options.FieldLimits.MaxFieldLength;
        string first = "a=(\"@method\")";
        string second = "b=(\"" + new string('x', max + 1 - first.Length - 2 - 6) + "\")";
        Assert.Equal(max + 1, first.Length + 2 + second.Length);
        var view = new FixedView(VerifierFixture.Get().With("Signature-Input", first).With("Signature-Input", second).With("Signature", "a=:AAAA:, b=:AAAA:"));
        await f.Verifier.VerifyAsync(view);

        long before = GC.GetAllocatedBytesForCurrentThread();
        SignatureVerificationResult result = await f.Verifier.VerifyAsync(view);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(KeyPairFailureReason.MalformedSignature, result.Failure);
        Assert.True(allocated < max, $"verify allocated {allocated} bytes");
    }

    /// <summary>A request view whose field lookups do not allocate, so only the verifier is measured.</summary>
    private sealed class FixedView(TestRequest inner) : IHttpRequestView
    {
        private readonly StringValues _input = inner.GetFieldValues("Signature-Input");
        private readonly StringValues _signature = inner.GetFieldValues("Signature");

        public string Method => inner.Method;

        public string Scheme => inner.Scheme;

        public string Authority => inner.Authority;

        public string RequestTarget => inner.RequestTarget;

        public bool HasContent => inner.HasContent;

        public StringValues GetFieldValues(string fieldName) =>
            fieldName == "Signature-Input" ? _input : fieldName == "Signature" ? _signature : StringValues.Empty;
    }
}
