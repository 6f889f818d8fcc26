using KeyPairAuth.Signatures;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.Benchmarks.Infrastructure;

/// <summary>
/// A minimal <see cref="IHttpRequestView"/> over fixed strings: what a server adapter hands the verifier, without
/// ASP.NET Core's <c>HttpContext</c> cost (the E2E runner measures that path). Headers are a small array searched
/// case-insensitively, like Kestrel's header collection for a handful of fields.
/// </summary>
internal sealed class BenchRequest : IHttpRequestView
{
    private readonly KeyValuePair<string, StringValues>[] _headers;

    public BenchRequest(string method, string authority, string requestTarget, bool hasContent, params KeyValuePair<string, StringValues>[] headers)
    {
        Method = method;
        Authority = authority;
        RequestTarget = requestTarget;
        HasContent = hasContent;
        _headers = headers;
    }

    public string Method { get; }

    /// <summary>Gets the scheme the request arrives over (the signer covers <c>@scheme</c>).</summary>
    public string Scheme { get; init; } = "https";

    public string Authority { get; }

    public string RequestTarget { get; }

    public bool HasContent { get; }

    public StringValues GetFieldValues(string fieldName)
    {
        foreach (var header in _headers)
        {
            if (string.Equals(header.Key, fieldName, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value;
            }
        }

        return StringValues.Empty;
    }

    /// <summary>Returns a copy carrying <paramref name="extra"/> headers too (the signature fields after signing).</summary>
    public BenchRequest With(params KeyValuePair<string, StringValues>[] extra) =>
        new(Method, Authority, RequestTarget, HasContent, [.. _headers, .. extra]) { Scheme = Scheme };

    public static KeyValuePair<string, StringValues> Header(string name, string value) => new(name, value);
}
