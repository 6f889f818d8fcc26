using KeyPairAuth.Signatures;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>A hand-written <see cref="IHttpRequestView"/>: field lines kept in order, names matched case-insensitively.</summary>
internal sealed class TestRequest : IHttpRequestView
{
    private readonly List<KeyValuePair<string, string>> _fields = [];

    public TestRequest(string method, string requestTarget, string authority = "example.com", string scheme = "https")
    {
        Method = method;
        RequestTarget = requestTarget;
        Authority = authority;
        Scheme = scheme;
    }

    public string Method { get; set; }

    public string Scheme { get; set; }

    public string Authority { get; set; }

    public string RequestTarget { get; set; }

    public bool HasContent { get; set; }

    /// <summary>The RFC 9421 B.2 test-request.</summary>
    public static TestRequest RfcTestRequest() =>
        new TestRequest("POST", "/foo?param=Value&Pet=dog", "example.com")
        {
            HasContent = true,
        }
        .With("Host", "example.com")
        .With("Date", "Tue, 20 Apr 2021 02:07:55 GMT")
        .With("Content-Type", "application/json")
        .With("Content-Digest", "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:")
        .With("Content-Length", "18");

    public TestRequest With(string name, string value)
    {
        _fields.Add(new(name, value));
        return this;
    }

    public TestRequest Without(string name)
    {
        _fields.RemoveAll(f => string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase));
        return this;
    }

    public TestRequest Replace(string name, string value) => Without(name).With(name, value);

    public StringValues GetFieldValues(string fieldName)
    {
        string[] values = [.. _fields.Where(f => string.Equals(f.Key, fieldName, StringComparison.OrdinalIgnoreCase)).Select(f => f.Value)];
        return values.Length switch
        {
            0 => StringValues.Empty,
            1 => new StringValues(values[0]),
            _ => new StringValues(values),
        };
    }
}
