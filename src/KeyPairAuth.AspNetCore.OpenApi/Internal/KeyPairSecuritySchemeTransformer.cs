using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace KeyPairAuth.AspNetCore.OpenApi.Internal;

/// <summary>Adds the KeyPair security scheme to the document and requires it (with 401/403 responses) on protected operations.</summary>
internal sealed class KeyPairSecuritySchemeTransformer(string schemeName) : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    internal const string ProtocolDocumentation = "https://github.com/keypairauth/keypairauth/blob/main/docs/protocol.md";
    private const string ProblemJson = "application/problem+json";

    internal const string Description =
        "Every request is signed with the caller's Ed25519 private key as an HTTP Message Signature (RFC 9421); only the " +
        "public key is registered with the server. Send `Signature-Input` and `Signature` (label `sig1`) covering " +
        "`\"@method\" \"@authority\" \"@path\" \"@query\"` (or `\"@target-uri\"`), plus `\"content-digest\"` when the request " +
        "has a body, with a `Content-Digest` field (RFC 9530, sha-256 or sha-512) over the exact body bytes. Signature " +
        "parameters: `created` (Unix seconds; must be recent), `keyid` (the key id, `kpa_…`), `nonce` (unique per request), " +
        "`alg=\"ed25519\"`; `expires` and `tag` are optional. A refused request gets `401` with `WWW-Authenticate: KeyPair " +
        "error=\"…\"`, an `Accept-Signature` field naming what to sign, and an `application/problem+json` body; a key " +
        "without the endpoint's scope gets `403` `insufficient_scope`. Protocol: " + ProtocolDocumentation;

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        EnsureScheme(document);
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        IList<object> metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (!RequiresKeyPair(metadata))
        {
            return Task.CompletedTask;
        }

        if (context.Document is { } document)
        {
            EnsureScheme(document);
        }

        operation.Security ??= [];
        var reference = new OpenApiSecuritySchemeReference(schemeName, context.Document);
        if (!operation.Security.Any(r => r.Keys.Any(k => k.Reference?.Id == schemeName)))
        {
            operation.Security.Add(new OpenApiSecurityRequirement { [reference] = [] });
        }

        operation.Responses ??= [];
        operation.Responses.TryAdd("401", Problem(
            "The request signature is missing or was refused (`WWW-Authenticate: KeyPair error=\"…\"` names the reason, for example " +
            "`invalid_signature`, `unknown_key`, `stale_timestamp`, `digest_mismatch`; `Accept-Signature` says what to sign)."));
        operation.Responses.TryAdd("403", Problem(
            "The key is valid but lacks a scope the endpoint requires (`WWW-Authenticate: KeyPair error=\"insufficient_scope\", scope=\"…\"`)."));
        return Task.CompletedTask;
    }

    private bool RequiresKeyPair(IList<object> metadata)
    {
        bool authorize = false;
        bool forThisScheme = false;
        foreach (object item in metadata)
        {
            if (item is IAllowAnonymous)
            {
                return false;
            }

            if (item is IAuthorizeData data)
            {
                authorize = true;
                forThisScheme |= string.IsNullOrEmpty(data.AuthenticationSchemes)
                    || data.AuthenticationSchemes.Split(',', StringSplitOptions.TrimEntries).Contains(schemeName, StringComparer.Ordinal);
            }
        }

        return authorize && forThisScheme;
    }

    private void EnsureScheme(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
        document.Components.SecuritySchemes.TryAdd(schemeName, new OpenApiSecurityScheme
        {
            // OpenAPI has no type for HTTP Message Signatures: an API key carried in the Signature header is the closest
            // shape tools understand; the description says what really has to be sent.
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "Signature",
            Description = Description,
        });
    }

    private static OpenApiResponse Problem(string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
        {
            [ProblemJson] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
                    {
                        ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
                        ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
                        ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
                        ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
                        ["error"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The KeyPair failure reason code." },
                    },
                },
            },
        },
    };
}
