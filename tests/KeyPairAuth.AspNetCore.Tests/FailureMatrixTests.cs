using System.Net;
using System.Text;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Digests;
using KeyPairAuth.Signatures;

namespace KeyPairAuth.AspNetCore.Tests;

/// <summary>One case per rule: each refused request with its status and stable error code.</summary>
public sealed class FailureMatrixTests(DefaultAppFixture fixture) : IClassFixture<DefaultAppFixture>
{
    // The app under test runs on the system clock: each test reads it when it signs, not once per class.
    private static DateTimeOffset Now => TimeProvider.System.GetUtcNow();

    private TestApp App => fixture.App;

    private async Task AssertRefusedAsync(OutgoingRequest request, HttpStatusCode status, string code)
    {
        using HttpResponseMessage response = await App.SendAsync(request);
        await Problem.AssertAsync(response, status, code);
    }

    private async Task<(TestKey Key, OutgoingRequest Request)> SignedPostAsync(string json = """{"amount":10}""")
    {
        TestKey key = await App.AddKeyAsync();
        return (key, TestApp.Sign(App.PostJson("/orders", json), key));
    }

    [Fact]
    public async Task Post_BodyAlteredAfterSigning_FailsWithDigestMismatch()
    {
        (_, OutgoingRequest request) = await SignedPostAsync();
        request.Body = Encoding.UTF8.GetBytes("""{"amount":99}""");

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "digest_mismatch");
    }

    [Fact]
    public async Task Post_BodyAndDigestAltered_FailsWithInvalidSignature()
    {
        (_, OutgoingRequest request) = await SignedPostAsync();
        request.Body = Encoding.UTF8.GetBytes("""{"amount":99}""");
        request.AddDigest();

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "invalid_signature");
    }

    [Fact]
    public async Task Post_DigestNotCovered_FailsWithInsufficientCoverage()
    {
        TestKey key = await App.AddKeyAsync();
        var options = new SigningOptions { Components = ["@method", "@authority", "@path", "@query"] };
        OutgoingRequest request = TestApp.Sign(App.PostJson("/orders", "{}"), key, options);

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "insufficient_coverage");
    }

    [Fact]
    public async Task Post_ContentWithoutDigestField_IsRefused()
    {
        TestKey key = await App.AddKeyAsync();
        var options = new SigningOptions { Components = ["@method", "@authority", "@path", "@query"] };
        OutgoingRequest request = App.PostJson("/orders", "{}");
        request.Apply(new HttpMessageSigner().Sign(request, key.SigningKey, options));

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "insufficient_coverage");
    }

    [Fact]
    public async Task Get_PathAltered_FailsWithInvalidSignature()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/raw/a"), key);
        request.RequestTarget = "/raw/b";

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "invalid_signature");
    }

    [Fact]
    public async Task Get_QueryAltered_FailsWithInvalidSignature()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders?amount=10"), key);
        request.RequestTarget = "/orders?amount=99";

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "invalid_signature");
    }

    [Fact]
    public async Task Get_QueryParameterAdded_FailsWithInvalidSignature()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders?amount=10"), key);
        request.RequestTarget = "/orders?amount=10&admin=true";

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "invalid_signature");
    }

    [Fact]
    public async Task Get_QueryAddedToQuerylessSignature_FailsWithInvalidSignature()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), key);
        request.RequestTarget = "/orders?admin=true";

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "invalid_signature");
    }

    [Fact]
    public async Task Request_MethodAltered_FailsWithInvalidSignature()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/any"), key);
        request.Method = "DELETE";

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "invalid_signature");
    }

    [Fact]
    public async Task Get_HostAltered_FailsWithInvalidSignature()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), key);
        request.Authority = "other.example:" + App.BaseAddress.Port;

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "invalid_signature");
    }

    [Fact]
    public async Task Get_CreatedTooOld_FailsWithStaleTimestamp()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), key, signedAt: Now.AddMinutes(-10));

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "stale_timestamp");
    }

    [Fact]
    public async Task Get_CreatedInFuture_FailsWithFutureTimestamp()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), key, signedAt: Now.AddMinutes(10));

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "future_timestamp");
    }

    [Fact]
    public async Task Get_ExpiresPassed_FailsWithSignatureExpired()
    {
        TestKey key = await App.AddKeyAsync();
        var options = new SigningOptions { ExpiresAfter = TimeSpan.FromSeconds(10) };
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), key, options, signedAt: Now.AddMinutes(-2));

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "signature_expired");
    }

    [Fact]
    public async Task Get_SameNonceTwice_SecondFailsWithReplayedNonce()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), key);
        using (HttpResponseMessage first = await App.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "replayed_nonce");
    }

    [Fact]
    public async Task Get_MissingNonce_FailsWithInsufficientCoverage()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = App.Get("/orders");
        HandWrittenSigner.Sign(request, key, useTargetUri: false, Problem.Now, omitNonce: true);

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "insufficient_coverage");
    }

    [Fact]
    public async Task Get_MissingCreated_FailsWithInsufficientCoverage()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = App.Get("/orders");
        HandWrittenSigner.Sign(request, key, useTargetUri: false, created: null);

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "insufficient_coverage");
    }

    [Fact]
    public async Task Get_MissingKeyId_FailsWithInsufficientCoverage()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = App.Get("/orders");
        HandWrittenSigner.Sign(request, key, useTargetUri: false, Problem.Now, omitKeyId: true);

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "insufficient_coverage");
    }

    [Fact]
    public async Task Get_UnknownKey_FailsWithInvalidSignature()
    {
        var unknown = TestKey.Create();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), unknown);

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "invalid_signature");
    }

    [Fact]
    public async Task Get_UnknownKeyAndBadSignature_AreIndistinguishable()
    {
        TestKey known = await App.AddKeyAsync();
        OutgoingRequest unknownRequest = TestApp.Sign(App.Get("/orders"), TestKey.Create());
        OutgoingRequest impostorRequest = TestApp.Sign(App.Get("/orders"), TestKey.Create(known.KeyId));

        using HttpResponseMessage unknown = await App.SendAsync(unknownRequest);
        using HttpResponseMessage impostor = await App.SendAsync(impostorRequest);

        Assert.Equal(unknown.StatusCode, impostor.StatusCode);
        Assert.Equal(await unknown.Content.ReadAsStringAsync(), await impostor.Content.ReadAsStringAsync());
        Assert.Equal(unknown.Headers.WwwAuthenticate.ToString(), impostor.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Get_SignedByAnotherKeyUnderThisKeyId_FailsWithInvalidSignature()
    {
        TestKey victim = await App.AddKeyAsync();
        var impostor = TestKey.Create(victim.KeyId);
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), impostor);

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "invalid_signature");
    }

    [Fact]
    public async Task Get_AlgParameterNotEd25519_FailsWithUnsupportedAlgorithm()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = App.Get("/orders");
        HandWrittenSigner.Sign(request, key, useTargetUri: false, Problem.Now, alg: "hmac-sha256");

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "unsupported_algorithm");
    }

    [Fact]
    public async Task Get_TruncatedSignature_FailsWithInvalidSignature()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), key);
        string signature = request.GetFieldValues("Signature").ToString();
        string encoded = signature.Split(':')[1];
        request.Set("Signature", $"sig1=:{encoded[..44]}:");

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "invalid_signature");
    }

    [Fact]
    public async Task Get_NonBase64Signature_FailsWithMalformedSignature()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), key).Set("Signature", "sig1=:not*base64!:");

        await AssertRefusedAsync(request, HttpStatusCode.BadRequest, "malformed_signature");
    }

    [Fact]
    public async Task Get_GarbageSignatureInput_FailsWithMalformedSignature()
    {
        OutgoingRequest request = App.Get("/orders").Set("Signature-Input", "sig1=((\"@method\";;;garbage").Set("Signature", "sig1=:AAAA:");

        await AssertRefusedAsync(request, HttpStatusCode.BadRequest, "malformed_signature");
    }

    [Fact]
    public async Task Get_OversizedSignatureInput_FailsWithMalformedSignature()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), key);
        string input = request.GetFieldValues("Signature-Input").ToString();
        request.Set("Signature-Input", input + ";tag=\"" + new string('a', 10 * 1024) + "\"");

        await AssertRefusedAsync(request, HttpStatusCode.BadRequest, "malformed_signature");
    }

    [Fact]
    public async Task Get_TwoHundredLabels_IsRefusedAsMalformedOrTooMany()
    {
        var inputs = string.Join(", ", Enumerable.Range(0, 200).Select(i => $"s{i}=(\"@method\");created=1"));
        var signatures = string.Join(", ", Enumerable.Range(0, 200).Select(i => $"s{i}=:AAAA:"));
        OutgoingRequest request = App.Get("/orders").Set("Signature-Input", inputs).Set("Signature", signatures);

        using HttpResponseMessage response = await App.SendAsync(request);

        // The verifier stops parsing after MaxSignatures + 1 members, so this is reported as too many signatures
        // before the field's own 64-member limit is reached.
        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "too_many_signatures");
    }

    [Fact]
    public async Task Get_FiveSignatures_FailsWithTooManySignatures()
    {
        var inputs = string.Join(", ", Enumerable.Range(0, 5).Select(i => $"s{i}=(\"@method\");created=1"));
        var signatures = string.Join(", ", Enumerable.Range(0, 5).Select(i => $"s{i}=:AAAA:"));
        OutgoingRequest request = App.Get("/orders").Set("Signature-Input", inputs).Set("Signature", signatures);

        await AssertRefusedAsync(request, HttpStatusCode.BadRequest, "too_many_signatures");
    }

    [Fact]
    public async Task Get_SignatureWithoutSignatureInput_FailsWithMalformedSignature()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), key).Remove("Signature-Input");

        await AssertRefusedAsync(request, HttpStatusCode.BadRequest, "malformed_signature");
    }

    [Fact]
    public async Task Get_ConflictingDuplicateSignatureInputFields_FailsWithInvalidSignature()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), key);
        string input = request.GetFieldValues("Signature-Input").ToString();

        // A second field line with the same label: the later member wins (RFC 9651 §4.2.2), and it was not signed.
        request.Add("Signature-Input", input.Replace("nonce=\"", "nonce=\"x", StringComparison.Ordinal));

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "invalid_signature");
    }

    [Fact]
    public async Task Get_RevokedKey_FailsWithKeyRevokedAfterVerification()
    {
        TestKey key = await App.AddKeyAsync(revokedAt: Now.AddMinutes(-1));

        await AssertRefusedAsync(TestApp.Sign(App.Get("/orders"), key), HttpStatusCode.Unauthorized, "key_revoked");
    }

    [Fact]
    public async Task Get_RevokedKeyWithBadSignature_LooksLikeInvalidSignature()
    {
        TestKey key = await App.AddKeyAsync(revokedAt: Now.AddMinutes(-1));

        await AssertRefusedAsync(TestApp.Sign(App.Get("/orders"), TestKey.Create(key.KeyId)), HttpStatusCode.Unauthorized, "invalid_signature");
    }

    [Fact]
    public async Task Get_ExpiredKey_FailsWithKeyExpired()
    {
        TestKey key = await App.AddKeyAsync(expiresAt: Now.AddMinutes(-1));

        await AssertRefusedAsync(TestApp.Sign(App.Get("/orders"), key), HttpStatusCode.Unauthorized, "key_expired");
    }

    [Fact]
    public async Task Post_DeclaredBodyOverLimit_Returns413()
    {
        TestKey key = await App.AddKeyAsync();
        var body = new byte[KeyPairAuthenticationDefaults.MaxBodySize + 1];
        OutgoingRequest request = TestApp.Sign(new OutgoingRequest("POST", App.Authority, "/orders", body), key);

        await AssertRefusedAsync(request, HttpStatusCode.RequestEntityTooLarge, "body_too_large");
    }

    [Fact]
    public async Task Post_ChunkedBodyOverLimit_Returns413()
    {
        TestKey key = await App.AddKeyAsync();
        var body = new byte[KeyPairAuthenticationDefaults.MaxBodySize + 100_000];
        OutgoingRequest request = TestApp.Sign(new OutgoingRequest("POST", App.Authority, "/orders", body) { Chunked = true }, key);

        await AssertRefusedAsync(request, HttpStatusCode.RequestEntityTooLarge, "body_too_large");
    }

    [Fact]
    public async Task Post_UnsupportedDigestAlgorithmOnly_IsRefused()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = App.PostJson("/orders", "{}").Set(ContentDigest.FieldName, "md5=:AAAAAAAAAAAAAAAAAAAAAA==:");
        request = TestApp.Sign(request, key);

        await AssertRefusedAsync(request, HttpStatusCode.Unauthorized, "digest_mismatch");
    }
}
