using KeyPairAuth.Signatures;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.Redis.Tests.Infrastructure;

/// <summary>A hand-written <see cref="IHttpRequestView"/> for a GET, with the signature fields set after signing.</summary>
internal sealed class TestRequest(string requestTarget, string authority = "api.example.com") : IHttpRequestView
{
    private readonly Dictionary<string, string> _fields = new(StringComparer.OrdinalIgnoreCase);

    public string Method => "GET";

    public string Scheme => "https";

    public string Authority => authority;

    public string RequestTarget => requestTarget;

    public bool HasContent => false;

    public StringValues GetFieldValues(string fieldName) =>
        _fields.TryGetValue(fieldName, out string? value) ? new StringValues(value) : StringValues.Empty;

    public static TestRequest Signed(KeyPairAuth.Keys.SigningKey key, string requestTarget = "/orders?id=42")
    {
        var request = new TestRequest(requestTarget);
        SignatureFields fields = new HttpMessageSigner().Sign(request, key);
        request._fields["Signature-Input"] = fields.SignatureInput;
        request._fields["Signature"] = fields.Signature;
        return request;
    }
}
