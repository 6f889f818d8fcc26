using System.Globalization;
using System.Net.Http.Headers;
using KeyPairAuth.Signatures;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.Client.Internal;

/// <summary>
/// Adapts an outgoing <see cref="HttpRequestMessage"/> to the engine's <see cref="IHttpRequestView"/>, describing the
/// request exactly as <c>SocketsHttpHandler</c> will put it on the wire.
/// </summary>
internal sealed class HttpRequestMessageView : IHttpRequestView
{
    private readonly HttpRequestMessage _request;

    public HttpRequestMessageView(HttpRequestMessage request, bool hasContent)
    {
        Uri uri = request.RequestUri!;
        _request = request;
        HasContent = hasContent;
        Method = request.Method.Method;
        Scheme = uri.Scheme.ToLowerInvariant();
        Authority = request.Headers.Host ?? GetAuthority(uri);

        // The request line (HTTP/1.1) and :path (HTTP/2, HTTP/3) carry Uri.PathAndQuery: the escaped form, with
        // percent-encoding exactly as given (%2F stays %2F, a space becomes %20, non-ASCII becomes UTF-8
        // percent-encoding) and no fragment. A Uri created with DangerousDisablePathAndQueryCanonicalization hands
        // out its path and query verbatim here (GetComponents would throw), which is also what goes on the wire; a
        // target the signature base cannot accept (a '#') then fails with the signer's own error.
        RequestTarget = uri.PathAndQuery;
        if (RequestTarget.Length == 0 || RequestTarget[0] != '/')
        {
            RequestTarget = "/" + RequestTarget;
        }
    }

    public string Method { get; }

    public string Scheme { get; }

    public string Authority { get; }

    public string RequestTarget { get; }

    public bool HasContent { get; }

    public StringValues GetFieldValues(string fieldName)
    {
        IEnumerable<string>? values = null;
        if (!_request.Headers.NonValidated.TryGetValues(fieldName, out HeaderStringValues requestValues))
        {
            if (_request.Content is { } content && content.Headers.NonValidated.TryGetValues(fieldName, out HeaderStringValues contentValues))
            {
                values = contentValues;
            }
        }
        else
        {
            values = requestValues;
        }

        return values is null ? StringValues.Empty : new StringValues([.. values]);
    }

    /// <summary>The authority SocketsHttpHandler writes in <c>Host</c>: the IDN (punycode) host, with the port only when it is not the scheme's default.</summary>
    /// <param name="uri">The absolute request URI.</param>
    /// <returns>The authority, lower case.</returns>
    internal static string GetAuthority(Uri uri)
    {
        string host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        host = host.ToLowerInvariant();
        return uri.IsDefaultPort ? host : host + ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
    }
}
