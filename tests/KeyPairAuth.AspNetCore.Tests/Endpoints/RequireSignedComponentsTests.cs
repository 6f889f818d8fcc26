using System.Net;
using System.Security.Claims;
using KeyPairAuth.AspNetCore.Internal;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace KeyPairAuth.AspNetCore.Tests.Endpoints;

/// <summary>
/// Required components per endpoint (<c>.RequireSignedComponents(...)</c> on endpoints and route groups,
/// <see cref="RequireSignedComponentsAttribute"/> on controllers and handlers) on real Kestrel: the endpoint refuses a
/// signature lacking them, other endpoints are unaffected, and the challenge asks for the endpoint's whole set.
/// </summary>
public sealed class RequireSignedComponentsTests
{
    private static readonly SigningOptions WithContentType = new() { Components = [.. SigningOptions.DefaultComponents, "content-digest", "content-type"] };
    private static readonly SigningOptions WithTenant = new() { Components = [.. SigningOptions.DefaultComponents, "x-tenant"] };
    private static readonly SigningOptions WithTenantAndRegion = new() { Components = [.. SigningOptions.DefaultComponents, "x-tenant", "x-region"] };

    private static Task<TestApp> StartAsync(Action<KeyPairAuthenticationOptions>? configure = null) => TestApp.StartAsync(
        configure,
        services: s => s.AddControllers().AddApplicationPart(typeof(SignedComponentsController).Assembly),
        pipeline: app =>
        {
            app.UseRouting();
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapPost("/payments", async (ClaimsPrincipal user, HttpContext http) => Results.Text($"paid|{await new StreamReader(http.Request.Body).ReadToEndAsync()}"))
                .RequireAuthorization()
                .RequireSignedComponents("content-type");
            app.MapPost("/notes", async (ClaimsPrincipal user, HttpContext http) => Results.Text($"noted|{await new StreamReader(http.Request.Body).ReadToEndAsync()}"))
                .RequireAuthorization();
            app.MapGet("/orders", (ClaimsPrincipal user) => Results.Text($"orders|{user.FindFirstValue(KeyPairClaimTypes.KeyId)}")).RequireAuthorization();

            RouteGroupBuilder tenants = app.MapGroup("/tenant").RequireAuthorization().RequireSignedComponents("X-Tenant");
            tenants.MapGet("/items", () => Results.Text("tenant-items"));
            tenants.MapGet("/regional", () => Results.Text("tenant-regional")).RequireSignedComponents("x-region");
            tenants.MapGet("/annotated", [RequireSignedComponents("x-region")] () => Results.Text("tenant-annotated"));

            app.MapControllers();
        });

    // Content-Type as a signable header field (OutgoingRequest.ContentType is sent but not visible to the signer).
    private static OutgoingRequest Payment(TestApp app) =>
        new OutgoingRequest("POST", app.Authority, "/payments", """{"amount":10}"""u8.ToArray()).Set("Content-Type", "application/json");

    [Fact]
    public async Task Endpoint_SignatureLackingTheRequiredComponent_Returns401InsufficientCoverageAndAsksForIt()
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(Payment(app), key));

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "insufficient_coverage");
        Assert.Equal(
            "sig1=(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\" \"content-type\");created;alg=\"ed25519\"",
            Assert.Single(response.Headers.GetValues("Accept-Signature")));
    }

    [Fact]
    public async Task Endpoint_SignatureCoveringTheRequiredComponent_Succeeds()
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(Payment(app), key, WithContentType));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""paid|{"amount":10}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OtherEndpoints_DefaultCoverage_StillSucceed()
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage post = await app.SendAsync(TestApp.Sign(app.PostJson("/notes", """{"text":"hi"}"""), key));
        using HttpResponseMessage get = await app.SendAsync(TestApp.Sign(app.Get("/orders"), key));

        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal("""noted|{"text":"hi"}""", await post.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal($"orders|{key.KeyId}", await get.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OtherEndpoints_ChallengeAsksForTheDefaultSetOnly()
    {
        await using TestApp app = await StartAsync();

        using HttpResponseMessage response = await app.SendAsync(app.Get("/orders"));

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "missing_signature");
        Assert.Equal("sig1=(\"@method\" \"@authority\" \"@path\" \"@query\");created;alg=\"ed25519\"", Assert.Single(response.Headers.GetValues("Accept-Signature")));
    }

    [Fact]
    public async Task Endpoint_UnsignedRequest_ChallengeAdvertisesDefaultSchemeWideAndEndpointComponents()
    {
        await using TestApp app = await StartAsync(o =>
        {
            o.Verification.AdditionalRequiredComponents.Add("x-request-id");
            o.Verification.RequireScheme = true;
        });

        using HttpResponseMessage response = await app.SendAsync(Payment(app));

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "missing_signature");
        Assert.Equal(
            "sig1=(\"@method\" \"@authority\" \"@path\" \"@query\" \"@scheme\" \"content-digest\" \"x-request-id\" \"content-type\");created;alg=\"ed25519\"",
            Assert.Single(response.Headers.GetValues("Accept-Signature")));
    }

    [Fact]
    public async Task Endpoint_SchemeWideComponentStillRequired_ButEndpointComponentAddsToIt()
    {
        await using TestApp app = await StartAsync(o => o.Verification.AdditionalRequiredComponents.Add("x-request-id"));
        TestKey key = await app.AddKeyAsync();
        var both = new SigningOptions { Components = [.. SigningOptions.DefaultComponents, "content-digest", "content-type", "x-request-id"] };

        using HttpResponseMessage onlyEndpoint = await app.SendAsync(TestApp.Sign(Payment(app).Set("X-Request-Id", "r1"), key, WithContentType));
        using HttpResponseMessage all = await app.SendAsync(TestApp.Sign(Payment(app).Set("X-Request-Id", "r2"), key, both));

        await Problem.AssertAsync(onlyEndpoint, HttpStatusCode.Unauthorized, "insufficient_coverage");
        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
    }

    [Fact]
    public async Task RouteGroup_RequirementAppliesToEveryEndpointInIt()
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage lacking = await app.SendAsync(TestApp.Sign(app.Get("/tenant/items").Set("X-Tenant", "acme"), key));
        using HttpResponseMessage covering = await app.SendAsync(TestApp.Sign(app.Get("/tenant/items").Set("X-Tenant", "acme"), key, WithTenant));

        await Problem.AssertAsync(lacking, HttpStatusCode.Unauthorized, "insufficient_coverage");
        Assert.Equal("sig1=(\"@method\" \"@authority\" \"@path\" \"@query\" \"x-tenant\");created;alg=\"ed25519\"", Assert.Single(lacking.Headers.GetValues("Accept-Signature")));
        Assert.Equal(HttpStatusCode.OK, covering.StatusCode);
        Assert.Equal("tenant-items", await covering.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/tenant/regional")]
    [InlineData("/tenant/annotated")]
    public async Task RouteGroupAndEndpoint_RequirementsAreCombined(string target)
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage groupOnly = await app.SendAsync(TestApp.Sign(app.Get(target).Set("X-Tenant", "acme").Set("X-Region", "eu"), key, WithTenant));
        using HttpResponseMessage both = await app.SendAsync(TestApp.Sign(app.Get(target).Set("X-Tenant", "acme").Set("X-Region", "eu"), key, WithTenantAndRegion));

        await Problem.AssertAsync(groupOnly, HttpStatusCode.Unauthorized, "insufficient_coverage");
        Assert.Equal("sig1=(\"@method\" \"@authority\" \"@path\" \"@query\" \"x-tenant\" \"x-region\");created;alg=\"ed25519\"", Assert.Single(groupOnly.Headers.GetValues("Accept-Signature")));
        Assert.Equal(HttpStatusCode.OK, both.StatusCode);
    }

    [Fact]
    public async Task ControllerAttribute_SignatureLackingTheComponent_Returns401InsufficientCoverage_CoveringSucceeds()
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage lacking = await app.SendAsync(TestApp.Sign(app.Get("/signed-components/tenant").Set("X-Tenant", "acme"), key));
        using HttpResponseMessage covering = await app.SendAsync(TestApp.Sign(app.Get("/signed-components/tenant").Set("X-Tenant", "acme"), key, WithTenant));
        using HttpResponseMessage action = await app.SendAsync(TestApp.Sign(app.Get("/signed-components/regional").Set("X-Tenant", "acme").Set("X-Region", "eu"), key, WithTenant));

        await Problem.AssertAsync(lacking, HttpStatusCode.Unauthorized, "insufficient_coverage");
        Assert.Equal(HttpStatusCode.OK, covering.StatusCode);
        Assert.Equal("controller-tenant", await covering.Content.ReadAsStringAsync());
        await Problem.AssertAsync(action, HttpStatusCode.Unauthorized, "insufficient_coverage");
        Assert.Equal("sig1=(\"@method\" \"@authority\" \"@path\" \"@query\" \"x-tenant\" \"x-region\");created;alg=\"ed25519\"", Assert.Single(action.Headers.GetValues("Accept-Signature")));
    }

    [Fact]
    public void RequireSignedComponents_InvalidName_ThrowsWhenMappedNamingIt()
    {
        var builder = new TestConventionBuilder();

        ArgumentException exception = Assert.Throws<ArgumentException>(() => builder.RequireSignedComponents("content-type", "X Tenant"));

        Assert.Equal("components", exception.ParamName);
        Assert.Contains("'x tenant' cannot be required", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x tenant")]
    [InlineData("@status")]
    [InlineData("@query-param")]
    [InlineData("")]
    public async Task Attribute_InvalidComponentName_StopsStartUpNamingTheEndpointAndTheName(string component)
    {
        InvalidOperationException exception = await Assert.ThrowsAsync<InvalidOperationException>(() => TestApp.StartAsync(pipeline: app =>
        {
            app.UseRouting();
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapGet("/fine", () => Results.Text("fine")).RequireSignedComponents("x-tenant");
            app.MapGet("/bad", [RequireSignedComponents("x-region")] () => Results.Text("bad")).WithMetadata(new RequireSignedComponentsAttribute(component));
        }));

        Assert.Contains($"'{component}' on 'HTTP: GET /bad'", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("x-region", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("/fine", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Factory_EndpointAddedAfterStartUpWithAnInvalidName_IsRefusedWithAnErrorNamingTheEndpointAndTheName()
    {
        await using TestApp app = await StartAsync();
        KeyPairVerifierFactory factory = app.Services.GetRequiredService<KeyPairVerifierFactory>();
        Endpoint late = Endpoint("late endpoint", new RequireSignedComponentsAttribute("x tenant"));

        InvalidOperationException exception = Assert.Throws<InvalidOperationException>(() => factory.GetPolicy(new KeyPairAuthenticationOptions(), TimeProvider.System, late));

        Assert.Contains("'late endpoint'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'x tenant'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthenticationBeforeRouting_EndpointRequiringComponents_IsRefusedNotServedUnderTheSchemePolicy()
    {
        // UseAuthentication before UseRouting: no endpoint is known when the signature is verified, so the endpoint's
        // requirement could not be applied. Authorization (which runs after routing) refuses rather than serve it.
        await using TestApp app = await TestApp.StartAsync(pipeline: a =>
        {
            a.UseAuthentication();
            a.UseRouting();
            a.UseAuthorization();
            a.MapGet("/tenant/items", () => Results.Text("tenant-items")).RequireAuthorization().RequireSignedComponents("x-tenant");
            a.MapGet("/orders", () => Results.Text("orders")).RequireAuthorization();
        });
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage lacking = await app.SendAsync(TestApp.Sign(app.Get("/tenant/items").Set("X-Tenant", "acme"), key));
        using HttpResponseMessage covering = await app.SendAsync(TestApp.Sign(app.Get("/tenant/items").Set("X-Tenant", "acme"), key, WithTenant));
        using HttpResponseMessage plain = await app.SendAsync(TestApp.Sign(app.Get("/orders"), key));

        await Problem.AssertAsync(lacking, HttpStatusCode.Unauthorized, "request_altered_after_authentication");
        await Problem.AssertAsync(covering, HttpStatusCode.Unauthorized, "request_altered_after_authentication");
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
    }

    [Fact]
    public void RequireSignedComponents_NoComponent_Throws()
    {
        var builder = new TestConventionBuilder();

        Assert.Throws<ArgumentException>(() => builder.RequireSignedComponents());
    }

    [Fact]
    public void Attribute_ComponentsAreStoredLowerCase()
    {
        Assert.Equal(["x-tenant", "content-type"], new RequireSignedComponentsAttribute("X-Tenant", "Content-Type").Components);
    }

    [Fact]
    public void Factory_SameEndpoint_ReturnsTheCachedVerifier_AndEndpointsWithTheSameSetShareOne()
    {
        var factory = new KeyPairVerifierFactory(
            new KeyPairAuth.Stores.PublicKeyCache(new KeyPairAuth.Stores.InMemoryPublicKeyStore(), TimeProvider.System),
            new KeyPairAuth.Replay.InMemoryReplayCache(TimeProvider.System),
            [new SignatureVerificationOptionsValidatorProbe()]);
        var options = new KeyPairAuthenticationOptions();
        Endpoint first = Endpoint("a", new RequireSignedComponentsAttribute("x-tenant"), new RequireSignedComponentsAttribute("x-region"));
        Endpoint second = Endpoint("b", new RequireSignedComponentsAttribute("X-Region", "x-tenant"));
        Endpoint plain = Endpoint("c");

        HttpMessageVerifier verifier = factory.Get(options, TimeProvider.System, first);

        Assert.Same(verifier, factory.Get(options, TimeProvider.System, first));
        Assert.Same(verifier, factory.Get(options, TimeProvider.System, second));
        Assert.Same(factory.Get(options, TimeProvider.System), factory.Get(options, TimeProvider.System, plain));
        Assert.NotSame(verifier, factory.Get(options, TimeProvider.System, plain));
        Assert.Equal(["x-tenant", "x-region"], factory.GetPolicy(options, TimeProvider.System, first).Options.AdditionalRequiredComponents);
        Assert.Empty(options.Verification.AdditionalRequiredComponents);
    }

    [Fact]
    public void VerificationOptionsCopy_CopiesEverySettableProperty()
    {
        var source = new SignatureVerificationOptions();
        foreach (var property in typeof(SignatureVerificationOptions).GetProperties().Where(p => p.CanWrite))
        {
            object? changed = property.GetValue(source) switch
            {
                bool b => !b,
                int i => i + 1,
                TimeSpan t => t + TimeSpan.FromSeconds(1),
                StructuredFieldLimits => new StructuredFieldLimits { MaxFieldLength = 1234 },
                null when property.PropertyType == typeof(string) => "x",
                var other => throw new Xunit.Sdk.XunitException($"Teach this test (and VerificationOptionsCopy) about {property.Name} ({other?.GetType()})."),
            };
            property.SetValue(source, changed);
        }

        source.AdditionalRequiredComponents.Add("x-tenant");

        SignatureVerificationOptions copy = VerificationOptionsCopy.Create(source);

        foreach (var property in typeof(SignatureVerificationOptions).GetProperties().Where(p => p.CanWrite))
        {
            Assert.Equal(property.GetValue(source), property.GetValue(copy));
        }

        Assert.Equal(["x-tenant"], copy.AdditionalRequiredComponents);
        Assert.NotSame(source.AdditionalRequiredComponents, copy.AdditionalRequiredComponents);
    }

    private static Endpoint Endpoint(string name, params object[] metadata) =>
        new(_ => Task.CompletedTask, new EndpointMetadataCollection(metadata), name);

    private sealed class SignatureVerificationOptionsValidatorProbe : Microsoft.Extensions.Options.IValidateOptions<SignatureVerificationOptions>
    {
        public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, SignatureVerificationOptions options) =>
            Microsoft.Extensions.Options.ValidateOptionsResult.Success;
    }

    private sealed class TestConventionBuilder : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
        }
    }
}

/// <summary>A controller whose routes require <c>x-tenant</c> (and one action <c>x-region</c> too).</summary>
[ApiController]
[Route("signed-components")]
[Authorize]
[RequireSignedComponents("x-tenant")]
public sealed class SignedComponentsController : ControllerBase
{
    [HttpGet("tenant")]
    public ActionResult<string> Tenant() => Content("controller-tenant");

    [HttpGet("regional")]
    [RequireSignedComponents("x-region")]
    public ActionResult<string> Regional() => Content("controller-regional");
}
