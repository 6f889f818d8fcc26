using KeyPairAuth.Signatures;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>
/// Fails start-up when an endpoint's <see cref="RequireSignedComponentsAttribute"/> names a component no signature can
/// cover. <c>.RequireSignedComponents(...)</c> checks its names when it is called; an attribute cannot (its constructor
/// runs whenever metadata is read), so without this the first request to such an endpoint would fail with a 500.
/// </summary>
/// <remarks>
/// Runs after the application's pipeline is configured, when every endpoint data source is registered. Endpoints a data
/// source adds later are still checked when first requested (the verifier factory refuses them with the same message).
/// </remarks>
internal sealed class SignedComponentsStartupCheck : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        if (app.ApplicationServices.GetService<EndpointDataSource>() is { } endpoints)
        {
            Check(endpoints.Endpoints);
        }
    };

    internal static void Check(IEnumerable<Endpoint> endpoints)
    {
        List<string>? failures = null;
        foreach (Endpoint endpoint in endpoints)
        {
            foreach (RequireSignedComponentsAttribute attribute in endpoint.Metadata.GetOrderedMetadata<RequireSignedComponentsAttribute>())
            {
                foreach (string component in attribute.Components)
                {
                    if (!SignatureVerificationOptionsValidator.IsRequirableComponent(component))
                    {
                        (failures ??= []).Add($"'{component}' on '{endpoint.DisplayName}'");
                    }
                }
            }
        }

        if (failures is not null)
        {
            throw new InvalidOperationException(
                $"[RequireSignedComponents] names components no signature can cover: {string.Join(", ", failures)}. Component identifiers are {SignatureVerificationOptionsValidator.RequirableComponentsRule}.");
        }
    }
}
