using System.Net;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Digests;
using KeyPairAuth.Signatures;

namespace KeyPairAuth.AspNetCore.Tests.Adversarial;

/// <summary>
/// Crafted Signature-Input values: parameterised identifiers standing in for required ones, duplicates, hostile
/// created/expires/nonce values, cross-key signatures and label games. Every signature here that is cryptographically
/// valid was made over exactly what it covers, so only the policy can refuse it.
/// </summary>
public sealed class SignatureInputAttackTests(AdversarialAppFixture fixture) : IClassFixture<AdversarialAppFixture>, IDisposable
{
    private const string Request4 = "\"@authority\" \"@path\" \"@query\"";

    private TestApp App => fixture.App;

    private readonly int _logMark = fixture.Logs.Mark();

    public void Dispose() => fixture.Logs.AssertNoErrors(_logMark);

    private async Task AssertAsync(OutgoingRequest request, HttpStatusCode status, string code)
    {
        using HttpResponseMessage response = await App.SendAsync(request);
        await Problem.AssertAsync(response, status, code);
    }

    // ---- parameterised identifiers must not count as the plain required component ----

    [Theory]
    [InlineData("(\"@method\";req " + Request4 + ")")]
    [InlineData("(\"@method\";bs " + Request4 + ")")]
    [InlineData("(\"@method\" \"@authority\";sf \"@path\" \"@query\")")]
    [InlineData("(\"@method\" \"@authority\" \"@path\";key=\"a\" \"@query\")")]
    [InlineData("(\"@method\" \"@authority\" \"@path\" \"@query\";req)")]
    [InlineData("(\"@method\" \"@target-uri\";req)")]
    [InlineData("(\"@METHOD\" " + Request4 + ")")]
    [InlineData("(\"@method\" \"@query-param\";name=\"x\" \"@authority\" \"@path\")")]
    public async Task Get_RequiredComponentOnlyWithParameterOrOtherSpelling_FailsWithInsufficientCoverage(string innerList)
    {
        TestKey key = await App.AddKeyAsync();

        await AssertAsync(Craft.Unsigned(App.Get("/orders?x=1"), innerList + Craft.Params(key)), HttpStatusCode.Unauthorized, "insufficient_coverage");
    }

    [Theory]
    [InlineData("\"content-digest\";sf")]
    [InlineData("\"content-digest\";key=\"sha-256\"")]
    [InlineData("\"content-digest\";bs")]
    public async Task Post_ContentDigestOnlyWithParameter_ValidSignature_FailsWithInsufficientCoverage(string digestIdentifier)
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = App.PostJson("/orders", """{"amount":10}""").AddDigest();
        Craft.Sign(request, key, $"(\"@method\" {Request4} {digestIdentifier}){Craft.Params(key)}");

        await AssertAsync(request, HttpStatusCode.Unauthorized, "insufficient_coverage");
    }

    [Fact]
    public async Task Post_DigestCoveredByKeySha256_AttackerAddsSha512ForNewBody_IsRefused()
    {
        // Only the sha-256 member is covered; the verifier prefers sha-512. Were ;key="sha-256" accepted as coverage,
        // an attacker could swap the body and add an uncovered sha-512 member that matches it.
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = App.PostJson("/orders", """{"amount":10}""").AddDigest();
        Craft.Sign(request, key, $"(\"@method\" {Request4} \"content-digest\";key=\"sha-256\"){Craft.Params(key)}");
        request.Body = """{"amount":9999}"""u8.ToArray();
        request.Set(ContentDigest.FieldName, request.GetFieldValues(ContentDigest.FieldName) + ", " + ContentDigest.Compute(request.Body, ContentDigestAlgorithm.Sha512));

        using HttpResponseMessage response = await App.SendAsync(request);

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "insufficient_coverage");
    }

    [Fact]
    public async Task Post_PlainAndParameterisedDigest_ValidSignature_Verifies()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = App.PostJson("/orders", """{"amount":10}""").AddDigest();
        Craft.Sign(request, key, $"(\"@method\" {Request4} \"content-digest\" \"content-digest\";sf){Craft.Params(key)}");

        using HttpResponseMessage response = await App.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("(\"@method\" \"@method\" " + Request4 + ")")]
    [InlineData("(\"@method\" " + Request4 + " \"@path\")")]
    [InlineData("(\"@method\" " + Request4 + " \"content-type\" \"content-type\")")]
    [InlineData("(\"@method\" " + Request4 + " \"@signature-params\")")]
    [InlineData("(\"@method\" " + Request4 + " \"@status\")")]
    [InlineData("(\"@method\" " + Request4 + " \"x-absent\")")]
    public async Task Get_DuplicateOrInapplicableIdentifier_FailsWithMalformedSignature(string innerList)
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = App.Get("/orders");
        request.ContentType = "text/plain";
        request.Set("Content-Type", "text/plain");

        await AssertAsync(Craft.Unsigned(request, innerList + Craft.Params(key)), HttpStatusCode.BadRequest, "malformed_signature");
    }

    // ---- created / expires ----

    [Theory]
    [InlineData("999999999999999", HttpStatusCode.Unauthorized, "future_timestamp")]
    [InlineData("-999999999999999", HttpStatusCode.Unauthorized, "stale_timestamp")]
    [InlineData("-1", HttpStatusCode.Unauthorized, "stale_timestamp")]
    [InlineData("0", HttpStatusCode.Unauthorized, "stale_timestamp")]
    [InlineData("9999999999999999", HttpStatusCode.BadRequest, "malformed_signature")]
    [InlineData("9223372036854775807", HttpStatusCode.BadRequest, "malformed_signature")]
    [InlineData("1767225600.5", HttpStatusCode.BadRequest, "malformed_signature")]
    [InlineData("\"1767225600\"", HttpStatusCode.BadRequest, "malformed_signature")]
    [InlineData("?1", HttpStatusCode.BadRequest, "malformed_signature")]
    [InlineData(":AAAA:", HttpStatusCode.BadRequest, "malformed_signature")]
    public async Task Get_HostileCreated_IsRefusedWithoutOverflow(string created, HttpStatusCode status, string code)
    {
        TestKey key = await App.AddKeyAsync();
        string innerList = $"(\"@method\" {Request4});created={created};keyid=\"{key.KeyId}\";nonce=\"{Craft.NewNonce()}\"";

        await AssertAsync(Craft.Unsigned(App.Get("/orders"), innerList), status, code);
    }

    [Theory]
    [InlineData("-999999999999999", HttpStatusCode.Unauthorized, "signature_expired")]
    [InlineData("0", HttpStatusCode.Unauthorized, "signature_expired")]
    [InlineData("1.5", HttpStatusCode.BadRequest, "malformed_signature")]
    [InlineData("\"never\"", HttpStatusCode.BadRequest, "malformed_signature")]
    public async Task Get_HostileExpires_IsRefused(string expires, HttpStatusCode status, string code)
    {
        TestKey key = await App.AddKeyAsync();
        string innerList = $"(\"@method\" {Request4}){Craft.Params(key)};expires={expires}";

        await AssertAsync(Craft.Unsigned(App.Get("/orders"), innerList), status, code);
    }

    [Fact]
    public async Task Get_ExpiresAtTheLargestInteger_ValidSignature_VerifiesWithoutOverflow()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = Craft.Sign(App.Get("/orders"), key, $"(\"@method\" {Request4}){Craft.Params(key)};expires=999999999999999");

        using HttpResponseMessage response = await App.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    // ---- nonce ----

    [Theory]
    [InlineData("\"\"")]
    [InlineData("nonce-as-token")]
    [InlineData("42")]
    [InlineData(":AAECAw==:")]
    public async Task Get_NonceEmptyOrNotAString_FailsWithMalformedSignature(string nonce)
    {
        TestKey key = await App.AddKeyAsync();
        string innerList = $"(\"@method\" {Request4});created={Craft.Now};keyid=\"{key.KeyId}\";nonce={nonce}";

        await AssertAsync(Craft.Unsigned(App.Get("/orders"), innerList), HttpStatusCode.BadRequest, "malformed_signature");
    }

    [Theory]
    [InlineData(129)]
    [InlineData(7000)]
    [InlineData(10_000)]
    public async Task Get_OversizedNonce_FailsWithMalformedSignature(int length)
    {
        TestKey key = await App.AddKeyAsync();
        string innerList = $"(\"@method\" {Request4});created={Craft.Now};keyid=\"{key.KeyId}\";nonce=\"{new string('n', length)}\"";

        await AssertAsync(Craft.Unsigned(App.Get("/orders"), innerList), HttpStatusCode.BadRequest, "malformed_signature");
    }

    [Fact]
    public async Task Get_NonceWithEscapedQuoteAndBackslash_ValidSignature_VerifiesOnce()
    {
        TestKey key = await App.AddKeyAsync();
        string innerList = $"(\"@method\" {Request4});created={Craft.Now};keyid=\"{key.KeyId}\";nonce=\"a\\\"b\\\\c{Craft.NewNonce()}\"";
        OutgoingRequest request = Craft.Sign(App.Get("/orders"), key, innerList);

        using HttpResponseMessage first = await App.SendAsync(request);
        using HttpResponseMessage replay = await App.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await Problem.AssertAsync(replay, HttpStatusCode.Unauthorized, "replayed_nonce");
    }

    // ---- keys and labels ----

    [Fact]
    public async Task Get_VictimKeyIdSignedWithAttackersOwnRegisteredKey_FailsWithInvalidSignature()
    {
        TestKey victim = await App.AddKeyAsync("victim");
        TestKey attacker = await App.AddKeyAsync("attacker");
        OutgoingRequest request = Craft.Sign(App.Get("/orders"), attacker, $"(\"@method\" {Request4}){Craft.Params(victim)}");

        await AssertAsync(request, HttpStatusCode.Unauthorized, "invalid_signature");
    }

    [Fact]
    public async Task Get_AttackersValidSignatureNextToVictimsForgedOne_AuthenticatesAsAttackerOnly()
    {
        // RFC 9421 §7.2.6: whichever signature verifies decides the identity; a forged one never borrows the victim's.
        TestKey victim = await App.AddKeyAsync("victim");
        TestKey attacker = await App.AddKeyAsync("attacker");
        OutgoingRequest request = Craft.Sign(App.Get("/orders"), attacker, $"(\"@method\" {Request4}){Craft.Params(attacker)}", "sig2");
        string attackerInput = request.GetFieldValues(SignatureFields.SignatureInputFieldName).ToString();
        string attackerSignature = request.GetFieldValues(SignatureFields.SignatureFieldName).ToString();
        request.Set(SignatureFields.SignatureInputFieldName, $"sig1=(\"@method\" {Request4}){Craft.Params(victim)}, {attackerInput}");
        request.Set(SignatureFields.SignatureFieldName, $"sig1={Craft.ZeroSignature}, {attackerSignature}");

        using HttpResponseMessage response = await App.SendAsync(request);

        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("owner=attacker", body, StringComparison.Ordinal);
        Assert.DoesNotContain("victim", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_LabelInSignatureDiffersFromSignatureInput_FailsWithMalformedSignature()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), key);
        request.Set(SignatureFields.SignatureFieldName, request.GetFieldValues(SignatureFields.SignatureFieldName).ToString().Replace("sig1=", "sig2=", StringComparison.Ordinal));

        await AssertAsync(request, HttpStatusCode.BadRequest, "malformed_signature");
    }

    [Fact]
    public async Task Get_SignatureCarriesExtraLabelNotInSignatureInput_FailsWithMalformedSignature()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), key);
        request.Set(SignatureFields.SignatureFieldName, request.GetFieldValues(SignatureFields.SignatureFieldName) + ", extra=" + Craft.ZeroSignature);

        await AssertAsync(request, HttpStatusCode.BadRequest, "malformed_signature");
    }

    [Fact]
    public async Task Get_SignatureInputCarriesExtraLabelWithoutSignature_FailsWithMalformedSignature()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), key);
        request.Set(SignatureFields.SignatureInputFieldName, request.GetFieldValues(SignatureFields.SignatureInputFieldName) + $", extra=(\"@method\"){Craft.Params(key)}");

        await AssertAsync(request, HttpStatusCode.BadRequest, "malformed_signature");
    }
}
