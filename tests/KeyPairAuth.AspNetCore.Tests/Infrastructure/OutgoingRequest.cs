using System.Net.Http.Headers;
using System.Text;
using KeyPairAuth.Digests;
using KeyPairAuth.Signatures;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.AspNetCore.Tests.Infrastructure;

/// <summary>A request as the test will put it on the wire; also the client-side view the signers sign.</summary>
internal sealed class OutgoingRequest : IHttpRequestView
{
    private readonly Dictionary<string, List<string>> _headers = new(StringComparer.OrdinalIgnoreCase);

    public OutgoingRequest(string method, string authority, string requestTarget, byte[]? body = null, string scheme = "http")
    {
        Method = method;
        Authority = authority;
        RequestTarget = requestTarget;
        Body = body;
        Scheme = scheme;
    }

    public string Method { get; set; }

    public string Scheme { get; set; }

    public string Authority { get; set; }

    public string RequestTarget { get; set; }

    public byte[]? Body { get; set; }

    public string? ContentType { get; set; }

    public bool Chunked { get; set; }

    public bool HasContent => Body is { Length: > 0 };

    public static OutgoingRequest Json(string method, string authority, string target, string json) =>
        new(method, authority, target, Encoding.UTF8.GetBytes(json)) { ContentType = "application/json" };

    public StringValues GetFieldValues(string fieldName) =>
        _headers.TryGetValue(fieldName, out List<string>? values) ? new StringValues([.. values]) : StringValues.Empty;

    public OutgoingRequest Set(string name, string value)
    {
        _headers[name] = [value];
        return this;
    }

    public OutgoingRequest Add(string name, string value)
    {
        if (!_headers.TryGetValue(name, out List<string>? values))
        {
            _headers[name] = values = [];
        }

        values.Add(value);
        return this;
    }

    public OutgoingRequest Remove(string name)
    {
        _headers.Remove(name);
        return this;
    }

    public OutgoingRequest AddDigest(ContentDigestAlgorithm algorithm = ContentDigestAlgorithm.Sha256) =>
        Set(ContentDigest.FieldName, ContentDigest.Compute(Body ?? [], algorithm));

    public OutgoingRequest Apply(SignatureFields fields) =>
        Set(SignatureFields.SignatureInputFieldName, fields.SignatureInput).Set(SignatureFields.SignatureFieldName, fields.Signature);

    /// <summary>Builds the message to send to <paramref name="baseAddress"/>: path and query exactly as <see cref="RequestTarget"/>.</summary>
    public HttpRequestMessage ToHttpRequestMessage(Uri baseAddress)
    {
        var uri = new Uri(
            $"{baseAddress.Scheme}://{baseAddress.Authority}{RequestTarget}",
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var message = new HttpRequestMessage(new HttpMethod(Method), uri) { Version = new Version(1, 1) };
        if (!string.Equals(Authority, baseAddress.Authority, StringComparison.Ordinal))
        {
            message.Headers.Host = Authority;
        }

        if (Body is not null)
        {
            HttpContent content = Chunked ? new StreamContent(new NonSeekableStream(Body)) : new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                content.Headers.ContentType = MediaTypeHeaderValue.Parse(ContentType);
            }

            message.Content = content;
        }

        foreach ((string name, List<string> values) in _headers)
        {
            foreach (string value in values)
            {
                if (!message.Headers.TryAddWithoutValidation(name, value))
                {
                    message.Content ??= new ByteArrayContent([]);
                    message.Content.Headers.TryAddWithoutValidation(name, value);
                }
            }
        }

        return message;
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
