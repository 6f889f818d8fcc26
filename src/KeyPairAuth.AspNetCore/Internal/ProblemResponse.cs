using System.Buffers;
using System.Text;
using System.Text.Json;
using KeyPairAuth.Signatures;
using Microsoft.AspNetCore.Http;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>Writes the scheme's <c>application/problem+json</c> bodies (RFC 9457) and the <c>Accept-Signature</c> field (RFC 9421 §5.1).</summary>
internal static class ProblemResponse
{
    public const string ContentType = "application/problem+json";
    public const string AcceptSignatureFieldName = "Accept-Signature";

    public static int StatusCodeFor(KeyPairFailureReason reason) => reason switch
    {
        KeyPairFailureReason.MalformedSignature or KeyPairFailureReason.TooManySignatures => StatusCodes.Status400BadRequest,
        KeyPairFailureReason.BodyTooLarge => StatusCodes.Status413PayloadTooLarge,
        KeyPairFailureReason.ScopeMissing => StatusCodes.Status403Forbidden,
        KeyPairFailureReason.ReplayCacheFull or KeyPairFailureReason.ReplayCacheUnavailable => StatusCodes.Status503ServiceUnavailable,
        KeyPairFailureReason.RateLimited => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status401Unauthorized,
    };

    public static string TitleFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "Bad Request",
        StatusCodes.Status401Unauthorized => "Unauthorized",
        StatusCodes.Status403Forbidden => "Forbidden",
        StatusCodes.Status413PayloadTooLarge => "Content Too Large",
        StatusCodes.Status429TooManyRequests => "Too Many Requests",
        StatusCodes.Status503ServiceUnavailable => "Service Unavailable",
        _ => "Error",
    };

    /// <summary>
    /// Builds the <c>Accept-Signature</c> value stating the coverage we require, e.g.
    /// <c>sig1=("@method" "@authority" "@path" "@query" "content-digest");created;alg="ed25519"</c>, with
    /// <c>"@scheme"</c> after <c>"@query"</c> when <see cref="SignatureVerificationOptions.RequireScheme"/> is on.
    /// <c>created</c> is a bare request parameter per RFC 9421 §5.1; <c>keyid</c> and <c>nonce</c> are required too but
    /// cannot be requested without naming a value, so the protocol document states them.
    /// </summary>
    public static string BuildAcceptSignature(SignatureVerificationOptions policy, bool hasContent)
    {
        var sb = new StringBuilder(128);
        sb.Append(policy.RequiredLabel is { Length: > 0 } label && SignatureProfile.IsLabel(label) ? label : SignatureProfile.DefaultLabel);
        sb.Append("=(");
        foreach (string component in SignatureProfile.DefaultComponents)
        {
            // The profile's coverage in its order, with @scheme last and only when it is required.
            if (component != "@scheme")
            {
                AppendComponent(sb, component);
            }
        }

        if (policy.RequireScheme)
        {
            AppendComponent(sb, "@scheme");
        }

        if (hasContent && policy.RequireContentDigestForContent)
        {
            AppendComponent(sb, SignatureProfile.ContentDigestComponent);
        }

        // Each identifier once (RFC 9421 §2.5: a component may not be listed twice), e.g. a required "@method".
        IList<string> additional = policy.AdditionalRequiredComponents;
        for (int i = 0; i < additional.Count; i++)
        {
            string name = additional[i].ToLowerInvariant();
            if (!IsDefaultComponent(name, policy, hasContent) && IndexOf(additional, name, i) < 0)
            {
                sb.Append(' ');
                AppendSfString(sb, name);
            }
        }

        sb.Append(");created;alg=\"ed25519\"");
        if (policy.RequiredTag is { } tag)
        {
            sb.Append(";tag=");
            AppendSfString(sb, tag);
        }

        return sb.ToString();
    }

    public static async Task WriteAsync(HttpResponse response, int status, string? errorCode, string? detail, string? scope = null)
    {
        response.StatusCode = status;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("title", TitleFor(status));
            json.WriteNumber("status", status);
            if (errorCode is not null)
            {
                json.WriteString("error", errorCode);
            }

            if (detail is not null)
            {
                json.WriteString("detail", detail);
            }

            if (scope is not null)
            {
                // The scopes a 403 scope_missing lacks, space-separated like RFC 6750's scope attribute.
                json.WriteString("scope", scope);
            }

            json.WriteEndObject();
        }

        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, response.HttpContext.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// The value of RFC 6750's <c>scope</c> attribute: the scopes, space-separated, keeping only those made of
    /// scope-token characters (<c>%x21 / %x23-5B / %x5D-7E</c>, so no quote, backslash, space or control character can
    /// break the header); <see langword="null"/> when none is left.
    /// </summary>
    public static string? ScopeAttribute(IReadOnlyList<string> scopes)
    {
        var sb = new StringBuilder();
        foreach (string scope in scopes)
        {
            if (scope.Length == 0 || scope.Any(c => c is <= ' ' or > '~' or '"' or '\\'))
            {
                continue;
            }

            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append(scope);
        }

        return sb.Length == 0 ? null : sb.ToString();
    }

    private static void AppendComponent(StringBuilder sb, string component)
    {
        if (sb[^1] != '(')
        {
            sb.Append(' ');
        }

        AppendSfString(sb, component);
    }

    private static bool IsDefaultComponent(string name, SignatureVerificationOptions policy, bool hasContent) => name switch
    {
        "@scheme" => policy.RequireScheme,
        SignatureProfile.ContentDigestComponent => hasContent && policy.RequireContentDigestForContent,
        _ => SignatureProfile.DefaultComponents.Contains(name),
    };

    /// <summary>The index of <paramref name="name"/> among the first <paramref name="count"/> entries, or -1.</summary>
    private static int IndexOf(IList<string> names, string name, int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private static void AppendSfString(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (char c in value)
        {
            if (c is < ' ' or > '~')
            {
                continue;
            }

            if (c is '"' or '\\')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        sb.Append('"');
    }
}
