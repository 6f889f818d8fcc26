using KeyPairAuth.Signatures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KeyPairAuth.Tests.Signatures;

public sealed class SignatureVerificationOptionsValidatorTests
{
    [Fact]
    public void AdditionalRequiredComponents_UpperCaseName_IsStoredLowerCase()
    {
        var options = new SignatureVerificationOptions();

        options.AdditionalRequiredComponents.Add("X-Tenant");
        options.AdditionalRequiredComponents.Insert(0, "Content-Type");
        options.AdditionalRequiredComponents.Add("@Method");

        Assert.Equal(["content-type", "x-tenant", "@method"], options.AdditionalRequiredComponents);
    }

    [Fact]
    public void AdditionalRequiredComponents_ReplacedEntry_IsStoredLowerCase()
    {
        var options = new SignatureVerificationOptions();
        options.AdditionalRequiredComponents.Add("content-type");

        options.AdditionalRequiredComponents[0] = "X-Request-Id";

        Assert.Equal("x-request-id", Assert.Single(options.AdditionalRequiredComponents));
    }

    [Fact]
    public void AdditionalRequiredComponents_Null_Throws()
    {
        var options = new SignatureVerificationOptions();

        Assert.Throws<ArgumentNullException>(() => options.AdditionalRequiredComponents.Add(null!));
    }

    [Fact]
    public async Task Verify_RequiredComponentAddedInUpperCase_AcceptsASignatureCoveringIt()
    {
        // The verifier compares identifiers as they are on the wire (lower case): before normalisation, adding
        // "Content-Type" refused every request, including those covering content-type.
        using var f = new VerifierFixture(o => o.AdditionalRequiredComponents.Add("Content-Type"));
        TestRequest request = f.Sign(VerifierFixture.Post(), new SigningOptions { Components = ["@method", "@authority", "@path", "@query", "content-digest", "content-type"] });

        SignatureVerificationResult result = await f.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
    }

    [Theory]
    [InlineData("content-type")]
    [InlineData("x-tenant")]
    [InlineData("X-Tenant")]
    [InlineData("x_custom.header~1!#$%&'*+^`|")]
    [InlineData("@method")]
    [InlineData("@target-uri")]
    [InlineData("@authority")]
    [InlineData("@scheme")]
    [InlineData("@request-target")]
    [InlineData("@path")]
    [InlineData("@query")]
    public void Validate_RequirableComponent_Succeeds(string component)
    {
        var options = new SignatureVerificationOptions();
        options.AdditionalRequiredComponents.Add(component);

        Assert.True(new SignatureVerificationOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("x tenant")]
    [InlineData("x-tenant ")]
    [InlineData("content-type;sf")]
    [InlineData("\"content-type\"")]
    [InlineData("x\\y")]
    [InlineData("x:y")]
    [InlineData("x/y")]
    [InlineData("ü-header")]
    [InlineData("@status")]
    [InlineData("@query-param")]
    [InlineData("@signature-params")]
    [InlineData("@unknown")]
    [InlineData("@")]
    public void Validate_ComponentThatCannotBeRequired_FailsNamingTheSettingAndValue(string component)
    {
        var options = new SignatureVerificationOptions();
        options.AdditionalRequiredComponents.Add(component);

        ValidateOptionsResult result = new SignatureVerificationOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        string failure = Assert.Single(result.Failures!);
        Assert.Contains("SignatureVerificationOptions.AdditionalRequiredComponents", failure, StringComparison.Ordinal);
        Assert.Contains($"'{component.ToLowerInvariant()}'", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_OutOfRangeSettings_FailsNamingEachSetting()
    {
        var options = new SignatureVerificationOptions
        {
            MaxSignatureAge = TimeSpan.Zero,
            MaxFutureSkew = TimeSpan.FromSeconds(-1),
            MaxSignatures = 0,
            MaxNonceLength = 0,
            FieldLimits = null!,
        };

        ValidateOptionsResult result = new SignatureVerificationOptionsValidator().Validate(null, options);

        Assert.Collection(
            result.Failures!,
            f => Assert.StartsWith("SignatureVerificationOptions.MaxSignatureAge must be positive", f, StringComparison.Ordinal),
            f => Assert.StartsWith("SignatureVerificationOptions.MaxFutureSkew must not be negative", f, StringComparison.Ordinal),
            f => Assert.StartsWith("SignatureVerificationOptions.MaxSignatures must be at least 1", f, StringComparison.Ordinal),
            f => Assert.StartsWith("SignatureVerificationOptions.MaxNonceLength must be at least 1", f, StringComparison.Ordinal),
            f => Assert.StartsWith("SignatureVerificationOptions.FieldLimits must be set", f, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_Defaults_Succeeds() =>
        Assert.True(new SignatureVerificationOptionsValidator().Validate(null, new SignatureVerificationOptions()).Succeeded);

    [Fact]
    public void AddKeyPairAuth_RegistersTheValidator_OptionsBoundThroughDiFailWithOptionsValidationException()
    {
        var services = new ServiceCollection();
        services.AddKeyPairAuth();
        services.Configure<SignatureVerificationOptions>(o => o.AdditionalRequiredComponents.Add("x tenant"));
        using ServiceProvider provider = services.BuildServiceProvider();

        OptionsValidationException exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SignatureVerificationOptions>>().Value);

        Assert.Contains("SignatureVerificationOptions.AdditionalRequiredComponents", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'x tenant'", exception.Message, StringComparison.Ordinal);
    }
}
