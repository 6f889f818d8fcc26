using System.Globalization;
using System.Text;
using KeyPairAuth.StructuredFields;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.Signatures;

/// <summary>
/// The one canonicalisation (RFC 9421 §2.5): builds the signature base from a request and the covered components.
/// Used by both <see cref="HttpMessageSigner"/> and <see cref="HttpMessageVerifier"/>, so client and server cannot drift.
/// </summary>
/// <remarks>
/// Supported: the derived components <c>@method</c>, <c>@target-uri</c>, <c>@authority</c>, <c>@scheme</c>,
/// <c>@request-target</c>, <c>@path</c>, <c>@query</c>, <c>@query-param;name="..."</c>, and header fields with the
/// <c>sf</c>, <c>key="..."</c> and <c>bs</c> parameters. <c>@status</c>, <c>req</c> and <c>tr</c> never apply to a request
/// and fail the base, as do unknown derived components or parameters, duplicated identifiers and absent components.
/// <c>@path</c>, <c>@query</c> and <c>@query-param</c> are taken from <see cref="IHttpRequestView.RequestTarget"/> as sent.
/// </remarks>
public static class SignatureBase
{
    private const int InitialCapacity = 512;

    [ThreadStatic]
    private static StringBuilder? t_builder;

    /// <summary>Builds the signature base for one member of the request's <c>Signature-Input</c>.</summary>
    /// <param name="request">The request.</param>
    /// <param name="input">The member (see <see cref="SignatureInput.TryParse"/>).</param>
    /// <returns>The signature base, without a trailing newline.</returns>
    /// <exception cref="SignatureBaseException">The member is not an inner list, or a component is unsupported, does not apply to a request, is duplicated, or is absent from the request.</exception>
    public static string Build(IHttpRequestView request, SignatureInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Build(request, input.Parameters ?? throw new SignatureBaseException("The Signature-Input member is not an inner list."));
    }

    /// <summary>Builds the signature base.</summary>
    /// <param name="request">The request.</param>
    /// <param name="signatureParams">The inner list of covered component identifiers with the signature parameters (the value of <c>@signature-params</c>).</param>
    /// <returns>The signature base, without a trailing newline.</returns>
    /// <exception cref="SignatureBaseException">A component is unsupported, does not apply to a request, is duplicated, or is absent from the request.</exception>
    internal static string Build(IHttpRequestView request, SfInnerList signatureParams)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(signatureParams);
        var components = new SfCoveredComponents(signatureParams);
        var writer = new SignatureBaseWriter(InitialCapacity);
        try
        {
            BuildInto(request, ref components, ref writer);
            return writer.ToString();
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>Builds the signature base as ASCII bytes into a pooled buffer (the allocation-light path the signer uses).</summary>
    /// <param name="request">The request.</param>
    /// <param name="signatureParams">The covered components and signature parameters.</param>
    /// <returns>A writer holding the base; the caller disposes it to return the buffer.</returns>
    /// <exception cref="SignatureBaseException">The base cannot be built.</exception>
    internal static SignatureBaseWriter BuildPooled(IHttpRequestView request, SfInnerList signatureParams)
    {
        var components = new SfCoveredComponents(signatureParams);
        return BuildPooled(request, ref components);
    }

    /// <summary>Builds the signature base as ASCII bytes into a pooled buffer, from either reading of the covered components.</summary>
    /// <typeparam name="TComponents">How the components were read (a struct, so each reading gets its own code, without boxing).</typeparam>
    /// <param name="request">The request.</param>
    /// <param name="components">The covered components and signature parameters.</param>
    /// <returns>A writer holding the base; the caller disposes it to return the buffer.</returns>
    /// <exception cref="SignatureBaseException">The base cannot be built.</exception>
    internal static SignatureBaseWriter BuildPooled<TComponents>(IHttpRequestView request, ref TComponents components)
        where TComponents : struct, ICoveredComponents
    {
        var writer = new SignatureBaseWriter(InitialCapacity);
        try
        {
            BuildInto(request, ref components, ref writer);
            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>Writes one line per covered component, then the <c>@signature-params</c> line (RFC 9421 §2.5).</summary>
    internal static void BuildInto<TComponents>(IHttpRequestView request, ref TComponents components, ref SignatureBaseWriter writer)
        where TComponents : struct, ICoveredComponents
    {
        int count = components.ComponentCount;
        for (int i = 0; i < count; i++)
        {
            if (!components.TryGetComponent(i, out ReadOnlySpan<char> name, out SfParameters parameters))
            {
                throw new SignatureBaseException("A covered component identifier is not a String (RFC 9421 §2.1).");
            }

            for (int j = 0; j < i; j++)
            {
                components.TryGetComponent(j, out ReadOnlySpan<char> otherName, out SfParameters otherParameters);
                if (name.SequenceEqual(otherName) && SameParameters(parameters, otherParameters))
                {
                    throw new SignatureBaseException("A component identifier is covered more than once (RFC 9421 §2.5).");
                }
            }

            if (name.Length > 0 && name[0] == '@')
            {
                AppendDerived(request, name, parameters, ref writer);
            }
            else
            {
                AppendField(request, components.GetFieldName(i), parameters, ref writer);
            }

            writer.WriteByte((byte)'\n');
        }

        writer.WriteRaw("\"@signature-params\": "u8);
        components.WriteSignatureParams(ref writer);
    }

    /// <summary>Serialises an inner list as the value of <c>@signature-params</c> (RFC 9651 §4.1.1.1).</summary>
    internal static void WriteSignatureParams(SfInnerList signatureParams, ref SignatureBaseWriter writer)
    {
        StringBuilder builder = t_builder ??= new StringBuilder(256);
        builder.Clear();
        StructuredFieldSerializer.Append(signatureParams, builder);
        foreach (ReadOnlyMemory<char> chunk in builder.GetChunks())
        {
            writer.WriteAscii(chunk.Span);
        }

        if (builder.Capacity > 4096)
        {
            t_builder = null;
        }
    }

    /// <summary>
    /// The value of <c>@signature-params</c>, serialised canonically (RFC 9651 §4.1.1.1) from what was read, never copied
    /// from the field: a Signature-Input with extra spaces or leading zeros still gets the base the signer built.
    /// </summary>
    internal static void WriteSignatureParams(in FastSignatureFields fields, ref SignatureBaseWriter writer)
    {
        int count = fields.ItemCount;
        writer.WriteByte((byte)'(');
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
            {
                writer.WriteByte((byte)' ');
            }

            writer.WriteByte((byte)'"');
            writer.WriteAscii(fields.Item(i));
            writer.WriteByte((byte)'"');
        }

        writer.WriteByte((byte)')');
        Span<char> digits = stackalloc char[24];
        for (int p = 0; p < fields.ParameterCount; p++)
        {
            FastParameter parameter = fields.Parameter(p);
            writer.WriteByte((byte)';');
            writer.WriteAscii(fields.Slice(parameter.Key));
            writer.WriteByte((byte)'=');
            if (parameter.IsString)
            {
                writer.WriteByte((byte)'"');
                writer.WriteAscii(fields.Slice(parameter.Text));
                writer.WriteByte((byte)'"');
            }
            else
            {
                parameter.Integer.TryFormat(digits, out int written, default, CultureInfo.InvariantCulture);
                writer.WriteAscii(digits[..written]);
            }
        }
    }

    private static bool SameParameters(SfParameters a, SfParameters b)
    {
        // RFC 9421 §2.5: identifiers differ when any parameter differs; parameter order is not significant.
        if (a.Count != b.Count)
        {
            return false;
        }

        for (int p = 0; p < a.Count; p++)
        {
            KeyValuePair<string, SfBareItem> parameter = a[p];
            if (!b.TryGetValue(parameter.Key, out SfBareItem other) || other != parameter.Value)
            {
                return false;
            }
        }

        return true;
    }

    private static void AppendDerived(IHttpRequestView request, ReadOnlySpan<char> name, SfParameters parameters, ref SignatureBaseWriter writer)
    {
        string? queryParamName = null;
        for (int p = 0; p < parameters.Count; p++)
        {
            KeyValuePair<string, SfBareItem> parameter = parameters[p];
            RejectResponseOnlyParameter(parameter.Key);
            if (parameter.Key == "name" && name.SequenceEqual("@query-param") && parameter.Value.Type == SfBareItemType.String)
            {
                queryParamName = parameter.Value.String;
                continue;
            }

            throw new SignatureBaseException($"The parameter '{SafeKey(parameter.Key)}' is not supported on the derived component {SafeName(name)} (RFC 9421 §2.2).");
        }

        switch (name)
        {
            case "@method":
                writer.WriteRaw("\"@method\": "u8);
                writer.WriteAscii(RequireValue(request.Method, "@method"));
                break;
            case "@authority":
                writer.WriteRaw("\"@authority\": "u8);
                WriteAuthority(request, ref writer);
                break;
            case "@scheme":
                writer.WriteRaw("\"@scheme\": "u8);
                writer.WriteLowerAscii(RequireValue(request.Scheme, "@scheme"));
                break;
            case "@target-uri":
                writer.WriteRaw("\"@target-uri\": "u8);
                WriteTargetUri(request, ref writer);
                break;
            case "@request-target":
                writer.WriteRaw("\"@request-target\": "u8);
                writer.WriteAscii(RequireValue(request.RequestTarget, "@request-target"));
                break;
            case "@path":
                writer.WriteRaw("\"@path\": "u8);
                ReadOnlySpan<char> path = GetPath(request.RequestTarget);
                writer.WriteAscii(path.IsEmpty ? "/" : path);
                break;
            case "@query":
                writer.WriteRaw("\"@query\": "u8);
                ReadOnlySpan<char> query = GetQuery(request.RequestTarget);
                writer.WriteAscii(query.IsEmpty ? "?" : query);
                break;
            case "@query-param":
                if (queryParamName is null)
                {
                    throw new SignatureBaseException("The @query-param component requires a String 'name' parameter (RFC 9421 §2.2.8).");
                }

                writer.WriteRaw("\"@query-param\";name="u8);
                WriteSfString(queryParamName, ref writer);
                writer.WriteRaw(": "u8);
                writer.WriteAscii(QueryParameter.GetEncodedValue(GetQuery(request.RequestTarget), queryParamName));
                break;
            case "@status":
                throw new SignatureBaseException("The @status component applies only to responses and cannot be covered in a request (RFC 9421 §2.2.9).");
            case "@signature-params":
                throw new SignatureBaseException("The @signature-params component must not be listed among the covered components (RFC 9421 §2.3).");
            default:
                throw new SignatureBaseException($"The derived component {SafeName(name)} is not supported (RFC 9421 §2.2).");
        }
    }

    private static void AppendField(IHttpRequestView request, string name, SfParameters parameters, ref SignatureBaseWriter writer)
    {
        if (!IsLowerCaseFieldName(name))
        {
            throw new SignatureBaseException("A covered field name is empty, not a token, or not lower case (RFC 9421 §2.1).");
        }

        bool sf = false, bs = false;
        string? key = null;
        foreach (KeyValuePair<string, SfBareItem> parameter in parameters)
        {
            RejectResponseOnlyParameter(parameter.Key);
            switch (parameter.Key)
            {
                case "sf" when IsTrue(parameter.Value):
                    sf = true;
                    break;
                case "bs" when IsTrue(parameter.Value):
                    bs = true;
                    break;
                case "key" when parameter.Value.Type == SfBareItemType.String:
                    key = parameter.Value.String;
                    break;
                default:
                    throw new SignatureBaseException($"The parameter '{SafeKey(parameter.Key)}' is not supported on a field component (RFC 9421 §2.1).");
            }
        }

        if (bs && (sf || key is not null))
        {
            throw new SignatureBaseException("The bs parameter cannot be combined with sf or key (RFC 9421 §2.1.3).");
        }

        StringValues values = request.GetFieldValues(name);
        if (!HasAnyValue(values))
        {
            throw new SignatureBaseException($"The covered field '{SafeName(name)}' is absent from the request (RFC 9421 §2.5).");
        }

        // Identifier: "name" then parameters in their original order.
        writer.WriteByte((byte)'"');
        writer.WriteAscii(name);
        writer.WriteByte((byte)'"');
        foreach (KeyValuePair<string, SfBareItem> parameter in parameters)
        {
            writer.WriteByte((byte)';');
            writer.WriteAscii(parameter.Key);
            if (parameter.Value.Type == SfBareItemType.String)
            {
                writer.WriteByte((byte)'=');
                WriteSfString(parameter.Value.String, ref writer);
            }
        }

        writer.WriteRaw(": "u8);

        if (bs)
        {
            WriteByteSequences(values, ref writer);
        }
        else if (key is not null)
        {
            SfDictionary dictionary = ParseStructured<SfDictionary>(values, name, static v => StructuredFieldParser.ParseDictionary(v));
            if (!dictionary.TryGetValue(key, out SfMember? member) || member is null)
            {
                throw new SignatureBaseException($"The dictionary field '{SafeName(name)}' has no member with the covered key (RFC 9421 §2.1.2).");
            }

            writer.WriteAscii(member.IsInnerList
                ? StructuredFieldSerializer.Serialize(member.InnerList!)
                : StructuredFieldSerializer.Serialize(member.Item!));
        }
        else if (sf)
        {
            string serialised = KnownStructuredType(name) switch
            {
                'd' => StructuredFieldSerializer.Serialize(ParseStructured(values, name, static v => StructuredFieldParser.ParseDictionary(v))),
                'l' => StructuredFieldSerializer.Serialize(ParseStructured(values, name, static v => StructuredFieldParser.ParseList(v))),
                _ => throw new SignatureBaseException($"The sf parameter is used on '{SafeName(name)}', which is not a known structured field (RFC 9421 §2.1.1)."),
            };
            writer.WriteAscii(serialised);
        }
        else
        {
            for (int i = 0; i < values.Count; i++)
            {
                if (i > 0)
                {
                    writer.WriteRaw(", "u8);
                }

                writer.WriteFieldLine(values[i]);
            }
        }
    }

    private static void WriteByteSequences(StringValues values, ref SignatureBaseWriter writer)
    {
        // RFC 9421 §2.1.3: each field line, trimmed and unfolded, becomes a Byte Sequence; the List is serialised.
        var line = new SignatureBaseWriter(256);
        try
        {
            for (int i = 0; i < values.Count; i++)
            {
                string value = values[i] ?? string.Empty;
                if (i > 0)
                {
                    writer.WriteRaw(", "u8);
                }

                ReadOnlySpan<char> trimmed = value.AsSpan().Trim(" \t");
                byte[] bytes = IsLatin1(trimmed) ? Encoding.Latin1.GetBytes(trimmed.ToArray()) : Encoding.UTF8.GetBytes(trimmed.ToArray());
                if (trimmed.IndexOfAny('\r', '\n') >= 0)
                {
                    line.Dispose();
                    line = new SignatureBaseWriter(256);
                    line.WriteFieldLine(trimmed);
                    bytes = line.WrittenSpan.ToArray();
                }

                writer.WriteByte((byte)':');
                writer.WriteAscii(Convert.ToBase64String(bytes));
                writer.WriteByte((byte)':');
            }
        }
        finally
        {
            line.Dispose();
        }
    }

    private static T ParseStructured<T>(StringValues values, string name, Func<string, T> parse)
    {
        try
        {
            return parse(values.Count == 1 ? values[0]! : string.Join(", ", values.ToArray()));
        }
        catch (StructuredFieldException exception)
        {
            throw new SignatureBaseException($"The covered field '{SafeName(name)}' is not a valid structured field: {exception.Message}", exception);
        }
    }

    /// <summary>'d' for Dictionary, 'l' for List: fields whose structured type we know (RFC 9421 §2.1.1 requires knowing it).</summary>
    private static char KnownStructuredType(string name) => name switch
    {
        "signature-input" or "signature" or "accept-signature" or "content-digest" or "repr-digest"
            or "want-content-digest" or "want-repr-digest" or "priority" => 'd',
        "cache-status" or "proxy-status" or "accept-ch" => 'l',
        _ => '\0',
    };

    private static void WriteAuthority(IHttpRequestView request, ref SignatureBaseWriter writer)
    {
        // RFC 9421 §2.2.3 / RFC 9110 §4.2.3: host lower-cased, default port omitted.
        ReadOnlySpan<char> authority = RequireValue(request.Authority, "@authority").AsSpan().Trim();
        int bracket = authority.LastIndexOf(']');
        int colon = authority.LastIndexOf(':');
        if (colon > bracket)
        {
            ReadOnlySpan<char> port = authority[(colon + 1)..];
            string scheme = request.Scheme ?? string.Empty;
            if (port.IsEmpty
                || (port.SequenceEqual("443") && scheme.Equals("https", StringComparison.OrdinalIgnoreCase))
                || (port.SequenceEqual("80") && scheme.Equals("http", StringComparison.OrdinalIgnoreCase)))
            {
                authority = authority[..colon];
            }
        }

        if (authority.IsEmpty)
        {
            throw new SignatureBaseException("The request has no authority (RFC 9421 §2.2.3).");
        }

        writer.WriteLowerAscii(authority);
    }

    private static void WriteTargetUri(IHttpRequestView request, ref SignatureBaseWriter writer)
    {
        string target = RequireValue(request.RequestTarget, "@target-uri");
        // RequireValue refused an empty target, so target[0] exists.
        if (target[0] != '/' && target != "*")
        {
            // Absolute form: already the target URI.
            writer.WriteAscii(target);
            return;
        }

        writer.WriteLowerAscii(RequireValue(request.Scheme, "@target-uri"));
        writer.WriteRaw("://"u8);
        WriteAuthority(request, ref writer);
        if (target != "*")
        {
            writer.WriteAscii(target);
        }
    }

    /// <summary>The path of the raw target (origin or absolute form), without query; empty when there is none.</summary>
    internal static ReadOnlySpan<char> GetPath(string? target)
    {
        ReadOnlySpan<char> span = target;
        if (span.IsEmpty)
        {
            throw new SignatureBaseException("The request target has no path (RFC 9421 §2.2.6).");
        }

        RejectFragment(span);

        // Not the origin form: the absolute form has a path after "://"; the asterisk ("*") and authority forms have
        // neither, and are refused here.
        if (span[0] != '/')
        {
            int scheme = span.IndexOf("://", StringComparison.Ordinal);
            if (scheme < 0)
            {
                throw new SignatureBaseException("The request target has no path (RFC 9421 §2.2.6).");
            }

            span = span[(scheme + 3)..];
            int pathStart = span.IndexOfAny('/', '?');
            span = pathStart < 0 ? [] : span[pathStart..];
        }

        int end = span.IndexOf('?');
        return end < 0 ? span : span[..end];
    }

    /// <summary>The query of the raw target including the leading <c>?</c>; empty when there is none.</summary>
    internal static ReadOnlySpan<char> GetQuery(string? target)
    {
        ReadOnlySpan<char> span = target;
        int start = span.IndexOf('?');
        if (start < 0)
        {
            return [];
        }

        RejectFragment(span);
        return span[start..];
    }

    // A request target never carries a fragment (RFC 9112 §3.2). Cutting the path or query at '#' would let an
    // unsigned suffix reach the application (a server that does not strip it sees "?x=1#&admin=true"), so a '#'
    // anywhere in the target fails the base instead.
    private static void RejectFragment(ReadOnlySpan<char> target)
    {
        if (target.Contains('#'))
        {
            throw new SignatureBaseException("The request target contains '#', which is not allowed in a request target (RFC 9112 §3.2).");
        }
    }

    private static void WriteSfString(string value, ref SignatureBaseWriter writer)
    {
        writer.WriteByte((byte)'"');
        foreach (char c in value)
        {
            if (c is '"' or '\\')
            {
                writer.WriteByte((byte)'\\');
            }

            writer.WriteAscii(new ReadOnlySpan<char>(in c));
        }

        writer.WriteByte((byte)'"');
    }

    private static void RejectResponseOnlyParameter(string key)
    {
        if (key == "req")
        {
            throw new SignatureBaseException("The req parameter applies only to signed responses and cannot be used in a request signature (RFC 9421 §2.4).");
        }

        if (key == "tr")
        {
            throw new SignatureBaseException("The tr parameter (trailer fields) is not supported (RFC 9421 §2.1.4).");
        }
    }

    private static bool IsTrue(SfBareItem value) => value.Type == SfBareItemType.Boolean && value.Boolean;

    private static bool HasAnyValue(StringValues values)
    {
        if (values.Count == 0)
        {
            return false;
        }

        for (int i = 0; i < values.Count; i++)
        {
            if (values[i] is not null)
            {
                return true;
            }
        }

        return false;
    }

    private static string RequireValue(string? value, string component) =>
        string.IsNullOrEmpty(value) ? throw new SignatureBaseException($"The request has no value for {component}.") : value;

    private static bool IsLowerCaseFieldName(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        foreach (char c in name)
        {
            bool ok = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLatin1(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (c > '\u00FF')
            {
                return false;
            }
        }

        return true;
    }

    // Names in messages come from the client: show them only when short and printable, never raw.
    private static string SafeName(string name) =>
        name.Length <= 40 && !name.AsSpan().ContainsAnyExceptInRange(' ', '~') ? name : "(an unrecognised name)";

    private static string SafeName(ReadOnlySpan<char> name) =>
        name.Length <= 40 && !name.ContainsAnyExceptInRange(' ', '~') ? name.ToString() : "(an unrecognised name)";

    private static string SafeKey(string key) => SafeName(key);
}
