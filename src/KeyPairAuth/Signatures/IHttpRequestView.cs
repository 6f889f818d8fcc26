using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.Signatures;

/// <summary>
/// A transport-neutral, read-only view of an HTTP request: what the signature base is built from.
/// The client adapts <c>HttpRequestMessage</c> to it and the server adapts ASP.NET Core's <c>HttpContext</c>,
/// so both sides run the one canonicalisation in <c>SignatureBase</c>.
/// </summary>
public interface IHttpRequestView
{
    /// <summary>Gets the request method as sent (for example <c>GET</c>); compared case-sensitively (RFC 9421 §2.2.1).</summary>
    string Method { get; }

    /// <summary>Gets the URI scheme, lower case (<c>http</c> or <c>https</c>).</summary>
    string Scheme { get; }

    /// <summary>Gets the authority (host and, when not the default, port) as sent in <c>Host</c> / <c>:authority</c>.</summary>
    string Authority { get; }

    /// <summary>
    /// Gets the request target in origin form exactly as sent on the wire: the path and, when present,
    /// <c>?</c> and the query, without decoding or normalisation (for example <c>/a%2Fb?x=1%20</c>).
    /// </summary>
    string RequestTarget { get; }

    /// <summary>Gets whether the request carries content (a non-empty body), which makes <c>content-digest</c> coverage mandatory.</summary>
    bool HasContent { get; }

    /// <summary>Gets every value of a header field, in order, or <see cref="StringValues.Empty"/> when it is absent.</summary>
    /// <param name="fieldName">The field name; matched case-insensitively.</param>
    /// <returns>The field's values.</returns>
    StringValues GetFieldValues(string fieldName);
}
