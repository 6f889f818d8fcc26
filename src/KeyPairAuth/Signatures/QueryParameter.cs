using System.Text;

namespace KeyPairAuth.Signatures;

/// <summary>
/// <c>@query-param</c> (RFC 9421 §2.2.8): WHATWG application/x-www-form-urlencoded parsing of the raw query, then
/// "percent-encode after encoding" of the name and value, leaving only <c>A-Z a-z 0-9 * - . _</c> unescaped and
/// writing a space as <c>%20</c> (as the RFC's own example does, not <c>+</c>).
/// </summary>
internal static class QueryParameter
{
    /// <summary>Finds the single parameter whose re-encoded name equals <paramref name="encodedName"/> and returns its re-encoded value.</summary>
    /// <exception cref="SignatureBaseException">The parameter is absent or occurs more than once.</exception>
    public static string GetEncodedValue(ReadOnlySpan<char> query, string encodedName)
    {
        if (!query.IsEmpty && query[0] == '?')
        {
            query = query[1..];
        }

        string? found = null;
        while (!query.IsEmpty)
        {
            int amp = query.IndexOf('&');
            ReadOnlySpan<char> pair = amp < 0 ? query : query[..amp];
            query = amp < 0 ? ReadOnlySpan<char>.Empty : query[(amp + 1)..];
            if (pair.IsEmpty)
            {
                continue;
            }

            int eq = pair.IndexOf('=');
            ReadOnlySpan<char> name = eq < 0 ? pair : pair[..eq];
            ReadOnlySpan<char> value = eq < 0 ? ReadOnlySpan<char>.Empty : pair[(eq + 1)..];
            if (!string.Equals(Reencode(name), encodedName, StringComparison.Ordinal))
            {
                continue;
            }

            if (found is not null)
            {
                throw new SignatureBaseException("The @query-param component names a query parameter that occurs more than once; cover @query instead (RFC 9421 §2.2.8).");
            }

            found = Reencode(value);
        }

        return found ?? throw new SignatureBaseException("The @query-param component names a query parameter that is absent from the request (RFC 9421 §2.2.8).");
    }

    /// <summary>Decodes (<c>+</c> as space, <c>%XX</c>, UTF-8 with replacement) and re-encodes one name or value.</summary>
    internal static string Reencode(ReadOnlySpan<char> raw)
    {
        var bytes = new List<byte>(raw.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < raw.Length; i++)
        {
            char c = raw[i];
            if (c == '+')
            {
                bytes.Add((byte)' ');
            }
            else if (c == '%' && i + 2 < raw.Length && IsHex(raw[i + 1]) && IsHex(raw[i + 2]))
            {
                bytes.Add((byte)((HexValue(raw[i + 1]) << 4) | HexValue(raw[i + 2])));
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes.Add((byte)c);
            }
            else
            {
                int count = Encoding.UTF8.GetBytes(raw.Slice(i, char.IsHighSurrogate(c) && i + 1 < raw.Length ? 2 : 1), utf8);
                for (int k = 0; k < count; k++)
                {
                    bytes.Add(utf8[k]);
                }

                if (char.IsHighSurrogate(c) && i + 1 < raw.Length)
                {
                    i++;
                }
            }
        }

        // WHATWG: the decoded bytes are read as UTF-8 (invalid sequences become U+FFFD), then encoded back to UTF-8.
        byte[] normalised = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString([.. bytes]));
        var builder = new StringBuilder(normalised.Length * 3);
        foreach (byte b in normalised)
        {
            if (b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'*' or (byte)'-' or (byte)'.' or (byte)'_')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(HexUpper[b >> 4]).Append(HexUpper[b & 0xF]);
            }
        }

        return builder.ToString();
    }

    private const string HexUpper = "0123456789ABCDEF";

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
