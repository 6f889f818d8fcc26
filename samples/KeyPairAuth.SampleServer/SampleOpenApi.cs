using Microsoft.OpenApi;

namespace KeyPairAuth.SampleServer;

/// <summary>The OpenAPI document (<c>/openapi/v1.json</c>): the signed API and what a signature must cover.</summary>
public static class SampleOpenApi
{
    public const string SchemeName = "KeyPair";

    private const string SignatureDescription =
        "Every request is signed with an Ed25519 API key: RFC 9421 HTTP Message Signatures (`Signature-Input` and " +
        "`Signature`) covering `@method`, `@authority`, `@path` and `@query` — plus `content-digest` when there is a body, " +
        "with an RFC 9530 `Content-Digest` (sha-256 or sha-512) — and the parameters `created`, `keyid`, `nonce` and " +
        "`alg=\"ed25519\"`. Signatures are accepted for 5 minutes and each nonce once. Create a key in the dashboard; " +
        "sign with the KeyPairAuth client (`AddKeyPairSigning`), the `keypairauth` CLI, or any RFC 9421 library. " +
        "Refusals are `application/problem+json` with an `error` code: 401 `missing_signature`, `invalid_signature`, " +
        "`digest_mismatch`, `key_revoked` …, 403 `scope_missing`.";

    public static IServiceCollection AddSampleOpenApi(this IServiceCollection services) => services.AddOpenApi(o =>
    {
        o.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
        o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "KeyPairAuth sample API",
                Version = "v1",
                Description = "A demo API protected by KeyPairAuth: every request is signed with an Ed25519 API key (see Authentication). Create a key in the dashboard at `/`.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "Signature",
                Description = SignatureDescription,
            };
            return Task.CompletedTask;
        });
        o.AddOperationTransformer((operation, context, _) =>
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] });
            operation.Parameters ??= [];
            operation.Parameters.Add(Header("Signature-Input", "RFC 9421 signature input, e.g. `sig1=(\"@method\" \"@authority\" \"@path\" \"@query\");created=…;keyid=\"kpa_…\";nonce=\"…\";alg=\"ed25519\"`."));
            operation.Parameters.Add(Header("Signature", "RFC 9421 signature: `sig1=:<base64 Ed25519 signature>:`."));
            if (operation.RequestBody is not null)
            {
                operation.Parameters.Add(Header("Content-Digest", "RFC 9530 digest of the body, e.g. `sha-256=:<base64>:`; must be covered by the signature."));
            }

            operation.Responses ??= [];
            operation.Responses.TryAdd("401", new OpenApiResponse { Description = "Missing, malformed or invalid signature, or a revoked/expired key (problem+json with an `error` code)." });
            return Task.CompletedTask;
        });
    });

    private static OpenApiParameter Header(string name, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Required = true,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };
}
