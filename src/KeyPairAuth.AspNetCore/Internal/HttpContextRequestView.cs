using KeyPairAuth.Signatures;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>
/// Adapts ASP.NET Core's request to the engine's <see cref="IHttpRequestView"/>. The request target is the raw
/// target from the wire (<see cref="IHttpRequestFeature.RawTarget"/>), never the decoded <see cref="PathString"/>:
/// RFC 9421 §2.2.6/§2.2.7 sign the bytes the client sent, and decoding would make <c>/a%2Fb</c> and <c>/a/b</c> equal.
/// </summary>
internal sealed class HttpContextRequestView : IHttpRequestView
{
    private readonly HttpRequest _request;
    private string? _requestTarget;

    public HttpContextRequestView(HttpRequest request) => _request = request;

    public string Method => _request.Method;

    // Note: after UseForwardedHeaders this is the scheme the client used (X-Forwarded-Proto).
    public string Scheme => _request.Scheme;

    // Note: the Host header as received (or X-Forwarded-Host after UseForwardedHeaders); SignatureBase normalises it.
    public string Authority => _request.Host.Value ?? string.Empty;

    public string RequestTarget => _requestTarget ??= GetRequestTarget(_request);

    public bool HasContent
    {
        get
        {
            if (_request.ContentLength is { } length)
            {
                return length > 0;
            }

            IHttpRequestBodyDetectionFeature? detection = _request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>();
            if (detection is not null)
            {
                return detection.CanHaveBody;
            }

            return _request.Headers.TransferEncoding.Count > 0;
        }
    }

    public StringValues GetFieldValues(string fieldName) =>
        _request.Headers.TryGetValue(fieldName, out StringValues values) ? values : StringValues.Empty;

    internal static string GetRequestTarget(HttpRequest request)
    {
        string? raw = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            // A server without a raw target: rebuild it from the escaped components (PathBase included, as sent).
            return (request.PathBase + request.Path).ToUriComponent() + request.QueryString.ToUriComponent();
        }

        if (raw[0] == '/' || raw == "*")
        {
            return raw;
        }

        // Absolute form (RFC 9112 §3.2.2, "GET http://host/path HTTP/1.1"): keep only path and query.
        int schemeEnd = raw.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return raw;
        }

        int pathStart = raw.AsSpan(schemeEnd + 3).IndexOfAny('/', '?');
        if (pathStart < 0)
        {
            return "/";
        }

        string target = raw[(schemeEnd + 3 + pathStart)..];
        return target[0] == '?' ? "/" + target : target;
    }
}
