using System.Buffers;
using System.Text.Unicode;
using KeyPairAuth.Signatures;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.AspNetCore;

/// <summary>
/// Adapts ASP.NET Core's request to the engine's <see cref="IHttpRequestView"/>: what the authentication scheme and
/// <see cref="HttpMessageVerifierExtensions.VerifyAsync"/> verify. The request target is the raw target from the wire
/// (<see cref="IHttpRequestFeature.RawTarget"/>), never the decoded <see cref="PathString"/>: RFC 9421 §2.2.6/§2.2.7 sign
/// the bytes the client sent, and decoding would make <c>/a%2Fb</c> and <c>/a/b</c> equal. A <c>#</c> that the server
/// passed through is percent-encoded (it would otherwise hide the rest of the target from the signature), and an
/// absolute-form target is accepted only when it can be bound to the path the application routes on
/// (<see cref="IsRequestTargetSupported"/>).
/// </summary>
/// <remarks>
/// <para>Use it with <see cref="HttpMessageVerifierExtensions.VerifyAsync"/>, which also checks the body; a view passed
/// straight to <see cref="HttpMessageVerifier.VerifyAsync"/> leaves the body check (and the refusal of an unsupported
/// target) to the caller.</para>
/// <para>Method, scheme, authority, raw target and path base are read once, when the view is created, so the values the
/// signature base is built from are the values kept for <see cref="FindAlteration"/>: no copy is made, only references to
/// the request's own strings.</para>
/// <para>Once the verifier accepted a signature, <see cref="HttpMessageVerifierExtensions.VerifyAsync"/> publishes the view as a request feature
/// (<see cref="Publish"/>). That serves two purposes without another allocation: a second KeyPair scheme verifying the
/// same request finds the (key id, nonce) pair already accepted (<see cref="IRequestNonceRecord"/>), and authorization
/// can check that nothing it verified was rewritten after authentication (<see cref="FindAlteration"/>).</para>
/// </remarks>
public sealed class HttpContextRequestView : IHttpRequestView, IRequestNonceRecord
{
    /// <summary>Stands in for a target that cannot be verified: a '#' fails every signature base (SignatureBase rejects it).</summary>
    private const string UnverifiableTarget = "#";

    private readonly HttpRequest _request;
    private readonly string _method;
    private readonly string _scheme;
    private readonly string _authority;
    private readonly string? _rawTarget;
    private readonly string? _pathBase;
    private string? _requestTarget;
    private ReadOnlyMemory<char> _acceptedKeyId;
    private ReadOnlyMemory<char> _acceptedNonce;
    private HttpContextRequestView? _earlier;
    private bool _authenticated;
    private Endpoint? _verifiedEndpoint;

    /// <summary>Initializes a new instance of the <see cref="HttpContextRequestView"/> class, reading the request line values once.</summary>
    /// <param name="request">The request.</param>
    public HttpContextRequestView(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _request = request;
        _method = request.Method;

        // Note: after UseForwardedHeaders these are what the client used (X-Forwarded-Proto / X-Forwarded-Host).
        _scheme = request.Scheme;
        _authority = request.Host.Value ?? string.Empty;
        _rawTarget = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        _pathBase = request.PathBase.Value;
    }

    /// <summary>Gets the request this view reads.</summary>
    internal HttpRequest Request => _request;

    /// <inheritdoc/>
    public string Method => _method;

    /// <summary>Gets the request scheme (after <c>UseForwardedHeaders</c>, the one the client used).</summary>
    public string Scheme => _scheme;

    /// <summary>Gets the <c>Host</c> field as received (or <c>X-Forwarded-Host</c> after <c>UseForwardedHeaders</c>); the signature base normalises it.</summary>
    public string Authority => _authority;

    /// <summary>
    /// Gets the target in origin form, as sent, with <c>#</c> percent-encoded. Check <see cref="IsRequestTargetSupported"/>
    /// first: a target it refuses is returned as <c>#</c>, which no signature base accepts.
    /// </summary>
    public string RequestTarget => _requestTarget ??= ResolveRequestTarget(_request, _rawTarget) ?? UnverifiableTarget;

    /// <summary>Gets whether the request has content: a positive <c>Content-Length</c>, or a body the server expects (chunked, HTTP/2 data).</summary>
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

    /// <inheritdoc/>
    public StringValues GetFieldValues(string fieldName) =>
        _request.Headers.TryGetValue(fieldName, out StringValues values) ? values : StringValues.Empty;

    /// <summary>
    /// Gets whether the target can be bound to the path the application routes on; <see langword="false"/> for an
    /// absolute-form target the server's URI parser would read differently (refuse the request with
    /// <see cref="KeyPairFailureReason.UnsupportedRequestTarget"/>).
    /// </summary>
    public bool IsRequestTargetSupported => !ReferenceEquals(RequestTarget, UnverifiableTarget);

    bool IRequestNonceRecord.WasAccepted(ReadOnlySpan<char> keyId, ReadOnlySpan<char> nonce)
    {
        for (HttpContextRequestView? earlier = _request.HttpContext.Features.Get<HttpContextRequestView>(); earlier is not null; earlier = earlier._earlier)
        {
            if (!earlier._acceptedNonce.IsEmpty && earlier._acceptedKeyId.Span.SequenceEqual(keyId) && earlier._acceptedNonce.Span.SequenceEqual(nonce))
            {
                return true;
            }
        }

        return false;
    }

    void IRequestNonceRecord.RecordAccepted(ReadOnlyMemory<char> keyId, ReadOnlyMemory<char> nonce)
    {
        _acceptedKeyId = keyId;
        _acceptedNonce = nonce;
    }

    /// <summary>
    /// Publishes the view as a request feature once the verifier accepted a signature (before the body check, so the
    /// accepted nonce is known to the next KeyPair scheme even when this one refuses the request later). Earlier views
    /// of the same request stay reachable.
    /// </summary>
    internal void Publish(IFeatureCollection features)
    {
        _earlier = features.Get<HttpContextRequestView>();
        features.Set(this);
    }

    /// <summary>
    /// Records the endpoint whose policy (<see cref="RequireSignedComponentsAttribute"/>) the signature was verified
    /// against; <see langword="null"/> when routing had not run yet.
    /// </summary>
    internal void VerifiedFor(Endpoint? endpoint) => _verifiedEndpoint = endpoint;

    /// <summary>Marks the view as describing a request that authenticated: <see cref="FindAlteration"/> checks it from now on.</summary>
    internal void MarkAuthenticated() => _authenticated = true;

    /// <summary>
    /// Finds what, among the method, scheme, authority, raw target, path base and endpoint a KeyPair scheme authenticated,
    /// has changed since (middleware such as <c>UseHttpMethodOverride</c> or <c>UseForwardedHeaders</c> placed after
    /// <c>UseAuthentication</c>); <see langword="null"/> when nothing has, or no KeyPair scheme authenticated the request.
    /// </summary>
    internal static string? FindAlteration(HttpContext context)
    {
        for (HttpContextRequestView? view = context.Features.Get<HttpContextRequestView>(); view is not null; view = view._earlier)
        {
            if (view._authenticated && view.FindChange(context.Request) is { } changed)
            {
                return changed;
            }
        }

        return null;
    }

    /// <summary>The name of the first verified value that differs from the request now, or <see langword="null"/>.</summary>
    private string? FindChange(HttpRequest request)
    {
        // Reference comparisons first: unchanged values are the very same strings.
        if (!SameText(_method, request.Method))
        {
            return "method";
        }

        if (!SameText(_scheme, request.Scheme))
        {
            return "scheme";
        }

        if (!SameText(_authority, request.Host.Value))
        {
            return "authority";
        }

        if (!SameText(_rawTarget, request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget))
        {
            return "target";
        }

        if (!SameText(_pathBase, request.PathBase.Value))
        {
            return "path base";
        }

        // Security: an endpoint that requires more coverage must have been the one verified for. It was not known when
        // UseAuthentication runs before UseRouting, and the signature was then held to the scheme's policy only.
        Endpoint? endpoint = request.HttpContext.GetEndpoint();
        return !ReferenceEquals(endpoint, _verifiedEndpoint) && endpoint is not null && endpoint.Metadata.GetOrderedMetadata<RequireSignedComponentsAttribute>().Count > 0
            ? "endpoint (selected after authentication, and it requires signed components: call UseRouting before UseAuthentication)"
            : null;
    }

    private static bool SameText(string? verified, string? now) =>
        ReferenceEquals(verified, now) || string.Equals(verified ?? string.Empty, now ?? string.Empty, StringComparison.Ordinal);

    /// <summary>The target in origin form, or <see langword="null"/> when it cannot be verified.</summary>
    internal static string? ResolveRequestTarget(HttpRequest request, string? raw)
    {
        if (string.IsNullOrEmpty(raw))
        {
            // A server without a raw target: rebuild it from the escaped components (PathBase included, as sent).
            return (request.PathBase + request.Path).ToUriComponent() + request.QueryString.ToUriComponent();
        }

        if (raw[0] == '/' || raw == "*")
        {
            return EscapeNumberSign(raw);
        }

        return ResolveAbsoluteForm(raw, request.PathBase.Value, request.Path.Value);
    }

    /// <summary>
    /// Security: for an absolute-form target (RFC 9112 §3.2.2, <c>GET http://host/path HTTP/1.1</c>) the server derives
    /// the application's <see cref="HttpRequest.Path"/> with a URI parser (Kestrel: <see cref="Uri.LocalPath"/>), which
    /// ends the authority at <c>#</c> too, reads <c>\</c> as <c>/</c>, decodes <c>%2F</c> and removes dot segments,
    /// while the query is cut from the raw text. The signature binds the path as sent, so the path part is taken only
    /// when it can be taken verbatim, and then only when its percent-decoding is exactly <c>PathBase + Path</c>.
    /// Anything else is refused (<c>unsupported_request_target</c>): clients send origin form anyway.
    /// </summary>
    private static string? ResolveAbsoluteForm(string raw, string? pathBase, string? path)
    {
        int schemeEnd = raw.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0
            || !(raw.AsSpan(0, schemeEnd).Equals("http", StringComparison.OrdinalIgnoreCase) || raw.AsSpan(0, schemeEnd).Equals("https", StringComparison.OrdinalIgnoreCase))
            || raw.AsSpan().IndexOfAny('#', '\\') >= 0)
        {
            return null;
        }

        int authorityStart = schemeEnd + 3;
        int pathStart = raw.AsSpan(authorityStart).IndexOfAny('/', '?');
        ReadOnlySpan<char> authority = pathStart < 0 ? raw.AsSpan(authorityStart) : raw.AsSpan(authorityStart, pathStart);

        // RFC 9110 §4.2.4: userinfo in an http(s) URI is an error for the recipient.
        if (authority.IsEmpty || authority.Contains('@'))
        {
            return null;
        }

        string target = pathStart < 0 ? "/" : raw[(authorityStart + pathStart)..];
        if (target[0] == '?')
        {
            target = "/" + target;
        }

        int queryStart = target.IndexOf('?', StringComparison.Ordinal);
        ReadOnlySpan<char> targetPath = queryStart < 0 ? target : target.AsSpan(0, queryStart);
        return IsVerbatimPath(targetPath) && DecodesTo(targetPath, pathBase, path) ? target : null;
    }

    /// <summary>
    /// Printable ASCII without a dot segment and without a percent-encoded <c>/</c>, <c>\</c> or <c>.</c>: nothing a URI
    /// parser would rewrite (the decode comparison afterwards is the backstop for anything else).
    /// </summary>
    private static bool IsVerbatimPath(ReadOnlySpan<char> path)
    {
        for (int i = 0; i < path.Length; i++)
        {
            char c = path[i];
            if (c is < '!' or > '~')
            {
                return false;
            }

            if (c == '%' && i + 2 < path.Length && IsEncodedSeparatorOrDot(path[i + 1], path[i + 2]))
            {
                return false;
            }

            if (c == '.' && i > 0 && path[i - 1] == '/')
            {
                int next = i + 1 < path.Length && path[i + 1] == '.' ? i + 2 : i + 1;
                if (next == path.Length || path[next] == '/')
                {
                    return false;
                }
            }
        }

        return true;
    }

    // %2F '/', %5C '\', %2E '.'
    private static bool IsEncodedSeparatorOrDot(char high, char low) =>
        (high == '2' && (low is 'F' or 'f' or 'E' or 'e')) || (high == '5' && low is 'C' or 'c');

    /// <summary>Whether percent-decoding <paramref name="rawPath"/> (UTF-8) gives exactly <paramref name="pathBase"/> + <paramref name="path"/>.</summary>
    private static bool DecodesTo(ReadOnlySpan<char> rawPath, string? pathBase, string? path)
    {
        ReadOnlySpan<char> expectedBase = pathBase;
        ReadOnlySpan<char> expectedPath = path;
        byte[]? rented = null;
        char[]? rentedChars = null;
        try
        {
            // Each raw character decodes to at most one byte, and UTF-8 to at most one char per byte.
            Span<byte> bytes = rawPath.Length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(rawPath.Length));
            int length = 0;
            for (int i = 0; i < rawPath.Length; i++)
            {
                char c = rawPath[i];
                if (c == '%')
                {
                    if (i + 2 >= rawPath.Length || !char.IsAsciiHexDigit(rawPath[i + 1]) || !char.IsAsciiHexDigit(rawPath[i + 2]))
                    {
                        return false;
                    }

                    bytes[length++] = (byte)((HexValue(rawPath[i + 1]) << 4) | HexValue(rawPath[i + 2]));
                    i += 2;
                }
                else
                {
                    bytes[length++] = (byte)c;
                }
            }

            Span<char> decoded = length <= 256 ? stackalloc char[256] : (rentedChars = ArrayPool<char>.Shared.Rent(length));
            if (Utf8.ToUtf16(bytes[..length], decoded, out _, out int written, replaceInvalidSequences: false) != OperationStatus.Done)
            {
                return false;
            }

            ReadOnlySpan<char> text = decoded[..written];
            return text.Length == expectedBase.Length + expectedPath.Length
                && text.StartsWith(expectedBase, StringComparison.Ordinal)
                && text[expectedBase.Length..].SequenceEqual(expectedPath);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            if (rentedChars is not null)
            {
                ArrayPool<char>.Shared.Return(rentedChars);
            }
        }
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>
    /// Security: <c>#</c> cannot appear in a request target (RFC 9112 §3.2), yet Kestrel passes it through into
    /// <see cref="HttpRequest.Path"/> and <see cref="HttpRequest.QueryString"/> of an origin-form target. The
    /// canonicalisation reads it as the start of a fragment and drops the rest, so <c>/a?x=1#&amp;admin=true</c> would
    /// verify against a signature for <c>/a?x=1</c> while the application sees <c>admin=true</c>. Percent-encoded, the
    /// rest stays part of <c>@path</c>/<c>@query</c> (as the application reads it) and must be signed.
    /// </summary>
    private static string EscapeNumberSign(string target) =>
        target.Contains('#', StringComparison.Ordinal) ? target.Replace("#", "%23", StringComparison.Ordinal) : target;
}
