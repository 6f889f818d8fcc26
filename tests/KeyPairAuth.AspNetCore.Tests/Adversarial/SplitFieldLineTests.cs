using System.Text;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Digests;
using KeyPairAuth.Signatures;

namespace KeyPairAuth.AspNetCore.Tests.Adversarial;

/// <summary>The same field sent on several header lines (RFC 9421 §2.1, RFC 9651 "combine with comma"; RFC 9421 §7.5.6/§7.5.7).</summary>
public sealed class SplitFieldLineTests(AdversarialAppFixture fixture) : IClassFixture<AdversarialAppFixture>, IDisposable
{
    private TestApp App => fixture.App;

    private readonly int _logMark = fixture.Logs.Mark();

    public void Dispose() => fixture.Logs.AssertNoErrors(_logMark);

    private static OutgoingRequest SplitSignatureFields(OutgoingRequest first, OutgoingRequest second)
    {
        // sig1 on one line of each field, sig2 on the next.
        var request = new OutgoingRequest(first.Method, first.Authority, first.RequestTarget, first.Body);
        foreach ((string name, string value) in first.HeaderLines())
        {
            request.Add(name, value);
        }

        request.Add(SignatureFields.SignatureInputFieldName, second.GetFieldValues(SignatureFields.SignatureInputFieldName).ToString());
        request.Add(SignatureFields.SignatureFieldName, second.GetFieldValues(SignatureFields.SignatureFieldName).ToString());
        return request;
    }

    [Fact]
    public async Task SignatureInput_OneLabelPerLine_ImpostorThenValid_AuthenticatesWithTheValidOne()
    {
        TestKey key = await App.AddKeyAsync("alice");
        OutgoingRequest impostor = TestApp.Sign(App.Get("/orders"), TestKey.Create(key.KeyId), new SigningOptions { Label = "sig1" });
        OutgoingRequest valid = TestApp.Sign(App.Get("/orders"), key, new SigningOptions { Label = "sig2" });

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(SplitSignatureFields(impostor, valid)));

        Assert.Equal(200, response.Status);
        Assert.Contains("owner=alice", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignatureInput_OneLabelPerLine_BothInvalid_FailsWithInvalidSignature()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest first = TestApp.Sign(App.Get("/orders"), TestKey.Create(key.KeyId), new SigningOptions { Label = "sig1" });
        OutgoingRequest second = TestApp.Sign(App.Get("/orders?admin=1"), key, new SigningOptions { Label = "sig2" });

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(SplitSignatureFields(first, second)));

        response.AssertProblem(401, "invalid_signature");
    }

    [Fact]
    public async Task Signature_SameLabelTwiceWithConflictingValues_LastLineWins_ForgedLastFails()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), key);
        request.Add(SignatureFields.SignatureFieldName, "sig1=" + Craft.ZeroSignature);

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request));

        response.AssertProblem(401, "invalid_signature");
    }

    [Fact]
    public async Task Signature_SameLabelTwice_ForgedFirstValidLast_LastWinsPerRfc9651()
    {
        // Duplicate dictionary keys: the last wins (RFC 9651 §4.2.2). Prepending junk gains an attacker nothing.
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(App.Get("/orders"), key);
        var request = new OutgoingRequest("GET", App.Authority, "/orders");
        request.Add(SignatureFields.SignatureInputFieldName, signed.GetFieldValues(SignatureFields.SignatureInputFieldName).ToString());
        request.Add(SignatureFields.SignatureFieldName, "sig1=" + Craft.ZeroSignature);
        request.Add(SignatureFields.SignatureFieldName, signed.GetFieldValues(SignatureFields.SignatureFieldName).ToString());

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request));

        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task ContentDigest_AttackerAppendsSecondLineForNewBody_FailsWithInvalidSignature()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.PostJson("/orders", """{"amount":10}"""), key);
        byte[] evil = Encoding.UTF8.GetBytes("""{"amount":9999}""");
        request.Body = evil;
        request.Add(ContentDigest.FieldName, ContentDigest.Compute(evil, ContentDigestAlgorithm.Sha512));

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request));

        response.AssertProblem(401, "invalid_signature");
    }

    [Fact]
    public async Task ContentDigest_TwoCoveredLinesWithDifferentSha256_LastOneIsChecked_FailsWithDigestMismatch()
    {
        // The signer covered both lines ("good, bad"); the dictionary keeps the last sha-256, which does not match.
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = App.PostJson("/orders", """{"amount":10}""");
        request.Add(ContentDigest.FieldName, ContentDigest.Compute(request.Body!, ContentDigestAlgorithm.Sha256));
        request.Add(ContentDigest.FieldName, ContentDigest.Compute("other"u8.ToArray(), ContentDigestAlgorithm.Sha256));
        TestApp.Sign(request, key);

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request));

        response.AssertProblem(401, "digest_mismatch");
    }

    [Fact]
    public async Task ContentDigest_TwoCoveredLines_Sha256RightSha512Wrong_StrongestIsChecked_FailsWithDigestMismatch()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = App.PostJson("/orders", """{"amount":10}""");
        request.Add(ContentDigest.FieldName, ContentDigest.Compute(request.Body!, ContentDigestAlgorithm.Sha256));
        request.Add(ContentDigest.FieldName, ContentDigest.Compute("other"u8.ToArray(), ContentDigestAlgorithm.Sha512));
        TestApp.Sign(request, key);

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request));

        response.AssertProblem(401, "digest_mismatch");
    }

    [Fact]
    public async Task ContentDigest_TwoCoveredLinesBothMatching_Verifies()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = App.PostJson("/orders", """{"amount":10}""");
        request.Add(ContentDigest.FieldName, ContentDigest.Compute(request.Body!, ContentDigestAlgorithm.Sha256));
        request.Add(ContentDigest.FieldName, ContentDigest.Compute(request.Body!, ContentDigestAlgorithm.Sha512));
        TestApp.Sign(request, key);

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request));

        Assert.Equal(200, response.Status);
    }
}
