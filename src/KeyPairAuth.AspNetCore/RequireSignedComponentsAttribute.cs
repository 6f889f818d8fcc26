namespace KeyPairAuth.AspNetCore;

/// <summary>
/// Endpoint metadata: every signature accepted for this endpoint must also cover these components, on top of the
/// default coverage and <c>Verification.AdditionalRequiredComponents</c>. Put it on a controller or action, or use
/// <c>.RequireSignedComponents("content-type")</c> on a minimal-API endpoint or route group; several apply together.
/// </summary>
/// <remarks>
/// A signature that lacks one is refused with 401 <c>insufficient_coverage</c>, and the endpoint's
/// <c>Accept-Signature</c> challenge asks for the whole set. Names follow the rules of
/// <c>SignatureVerificationOptions.AdditionalRequiredComponents</c> (HTTP field names, stored lower case, or
/// <c>@method</c>, <c>@target-uri</c>, <c>@authority</c>, <c>@scheme</c>, <c>@request-target</c>, <c>@path</c>,
/// <c>@query</c>); an invalid name stops the application at start-up with an error naming it and the endpoint
/// (<c>.RequireSignedComponents(...)</c> throws <see cref="ArgumentException"/> when it is called). The endpoint must
/// be known when authentication runs (<c>UseRouting</c> before <c>UseAuthentication</c>, as <c>WebApplication</c> does
/// by default).
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class RequireSignedComponentsAttribute : Attribute
{
    /// <summary>Initializes a new instance of the <see cref="RequireSignedComponentsAttribute"/> class.</summary>
    /// <param name="components">The component identifiers, e.g. <c>content-type</c>.</param>
    public RequireSignedComponentsAttribute(params string[] components)
    {
        ArgumentNullException.ThrowIfNull(components);
        Components = Array.AsReadOnly(Array.ConvertAll(components, c => c?.ToLowerInvariant() ?? string.Empty));
    }

    /// <summary>Gets the required component identifiers, lower case.</summary>
    public IReadOnlyList<string> Components { get; }
}
