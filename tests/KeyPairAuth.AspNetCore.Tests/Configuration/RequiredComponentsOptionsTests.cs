using System.Net;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Signatures;
using Microsoft.Extensions.Options;

namespace KeyPairAuth.AspNetCore.Tests.Configuration;

/// <summary>
/// <c>Verification.AdditionalRequiredComponents</c>: names are stored lower case (the identifier a client covers) and
/// anything that is neither an HTTP field name nor a requirable derived component stops the host at start-up.
/// </summary>
public sealed class RequiredComponentsOptionsTests
{
    private static readonly SigningOptions WithTenant = new() { Components = [.. SigningOptions.DefaultComponents, "x-tenant"] };

    [Fact]
    public async Task UpperCaseRequiredComponent_SignatureCoveringIt_Succeeds()
    {
        // Before: "X-Tenant" passed validation, was advertised as "x-tenant", and refused every request.
        await using TestApp app = await TestApp.StartAsync(o => o.Verification.AdditionalRequiredComponents.Add("X-Tenant"));
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/orders").Set("X-Tenant", "acme"), key, WithTenant));

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UpperCaseRequiredComponent_SignatureWithoutIt_Returns401InsufficientCoverageAndAsksForTheLowerCaseName()
    {
        await using TestApp app = await TestApp.StartAsync(o => o.Verification.AdditionalRequiredComponents.Add("X-Tenant"));
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/orders").Set("X-Tenant", "acme"), key));

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "insufficient_coverage");
        Assert.Equal(
            "sig1=(\"@method\" \"@authority\" \"@path\" \"@query\" \"x-tenant\");created;alg=\"ed25519\"",
            Assert.Single(response.Headers.GetValues("Accept-Signature")));
    }

    [Theory]
    [InlineData("x tenant")]
    [InlineData("content-type;sf")]
    [InlineData("@status")]
    [InlineData("@query-param")]
    [InlineData("x:tenant")]
    public async Task InvalidRequiredComponent_FailsAtStartupWithOptionsValidationExceptionNamingTheSetting(string component)
    {
        OptionsValidationException exception = await Assert.ThrowsAsync<OptionsValidationException>(
            () => TestApp.StartAsync(o => o.Verification.AdditionalRequiredComponents.Add(component)));

        Assert.Contains("KeyPairAuthenticationOptions.Verification of scheme 'KeyPair'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("SignatureVerificationOptions.AdditionalRequiredComponents", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"'{component}'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidVerificationRange_FailsAtStartupFromTheSameValidator()
    {
        OptionsValidationException exception = await Assert.ThrowsAsync<OptionsValidationException>(
            () => TestApp.StartAsync(o => o.Verification.MaxSignatures = 0));

        Assert.Contains("KeyPairAuthenticationOptions.Verification of scheme 'KeyPair': SignatureVerificationOptions.MaxSignatures must be at least 1; found 0.", exception.Message, StringComparison.Ordinal);
    }
}
