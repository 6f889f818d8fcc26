using System.Globalization;
using System.Text;

namespace KeyPairAuth.StructuredFields.Internal;

/// <summary>RFC 9651 §4.1 serialisation into a <see cref="StringBuilder"/>. Values that cannot be serialised throw <see cref="ArgumentException"/>.</summary>
internal static class SfWriter
{
    private const long MaxDecimalIntegerPart = 999_999_999_999;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    internal static void WriteDictionary(SfDictionary dictionary, StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(dictionary.Members, nameof(dictionary));
        IReadOnlyList<KeyValuePair<string, SfMember>> members = dictionary.Members;
        for (int i = 0; i < members.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            KeyValuePair<string, SfMember> entry = members[i];
            WriteKey(entry.Key, builder);
            SfMember member = entry.Value ?? throw new ArgumentException("A dictionary member is null.", nameof(dictionary));

            // A member whose value is Boolean true is serialised as its key and parameters only (§4.1.2).
            if (member.Item is { } item && item.Value.Type == SfBareItemType.Boolean && item.Value.Boolean)
            {
                WriteParameters(item.Parameters, builder);
            }
            else
            {
                builder.Append('=');
                WriteMember(member, builder);
            }
        }
    }

    internal static void WriteList(SfList list, StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(list.Members, nameof(list));
        IReadOnlyList<SfMember> members = list.Members;
        for (int i = 0; i < members.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            WriteMember(members[i] ?? throw new ArgumentException("A list member is null.", nameof(list)), builder);
        }
    }

    internal static void WriteMember(SfMember member, StringBuilder builder)
    {
        if (member.InnerList is { } innerList)
        {
            WriteInnerList(innerList, builder);
        }
        else
        {
            WriteItem(member.Item!, builder);
        }
    }

    internal static void WriteInnerList(SfInnerList innerList, StringBuilder builder)
    {
        IReadOnlyList<SfItem> items = innerList.Items ?? throw new ArgumentException("The inner list has no items collection.", nameof(innerList));
        builder.Append('(');
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(' ');
            }

            WriteItem(items[i] ?? throw new ArgumentException("An inner-list item is null.", nameof(innerList)), builder);
        }

        builder.Append(')');
        WriteParameters(innerList.Parameters, builder);
    }

    internal static void WriteItem(SfItem item, StringBuilder builder)
    {
        WriteBareItem(item.Value, builder);
        WriteParameters(item.Parameters, builder);
    }

    internal static void WriteParameters(SfParameters? parameters, StringBuilder builder)
    {
        if (parameters is null)
        {
            return;
        }

        for (int i = 0; i < parameters.Count; i++)
        {
            KeyValuePair<string, SfBareItem> parameter = parameters[i];
            builder.Append(';');
            WriteKey(parameter.Key, builder);

            // Boolean true is serialised as the bare key (§4.1.1.2).
            if (parameter.Value.Type != SfBareItemType.Boolean || !parameter.Value.Boolean)
            {
                builder.Append('=');
                WriteBareItem(parameter.Value, builder);
            }
        }
    }

    internal static void WriteKey(string key, StringBuilder builder)
    {
        if (string.IsNullOrEmpty(key) || !SfReader.IsKeyStart(key[0]))
        {
            throw new ArgumentException("A structured-field key must start with a lowercase letter or '*'.", nameof(key));
        }

        for (int i = 1; i < key.Length; i++)
        {
            if (!SfReader.IsKeyChar(key[i]))
            {
                throw new ArgumentException("A structured-field key may contain only lowercase letters, digits, '_', '-', '.' and '*'.", nameof(key));
            }
        }

        builder.Append(key);
    }

    internal static void WriteBareItem(SfBareItem value, StringBuilder builder)
    {
        switch (value.Type)
        {
            case SfBareItemType.Integer:
                WriteInteger(value.Integer, builder);
                break;
            case SfBareItemType.Decimal:
                WriteDecimal(value.Decimal, builder);
                break;
            case SfBareItemType.String:
                WriteString(value.String, builder);
                break;
            case SfBareItemType.Token:
                WriteToken(value.String, builder);
                break;
            case SfBareItemType.ByteSequence:
                WriteBytes(value.Bytes.Span, builder);
                break;
            case SfBareItemType.Boolean:
                builder.Append(value.Boolean ? "?1" : "?0");
                break;
            case SfBareItemType.Date:
                builder.Append('@');
                WriteInteger(value.Date, builder);
                break;
            case SfBareItemType.DisplayString:
                WriteDisplayString(value.DisplayString, builder);
                break;
            default:
                throw new ArgumentException("The bare item has no type (default value).", nameof(value));
        }
    }

    private static void WriteInteger(long value, StringBuilder builder)
    {
        if (value is < -SfReader.MaxInteger or > SfReader.MaxInteger)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "A structured-field integer must be within ±999,999,999,999,999.");
        }

        builder.Append(CultureInfo.InvariantCulture, $"{value}");
    }

    private static void WriteDecimal(decimal value, StringBuilder builder)
    {
        // §4.1.5: round to three fractional digits, half to even; at most 12 integer digits; at least one fractional digit.
        decimal rounded = Math.Round(value, 3, MidpointRounding.ToEven);
        if (Math.Abs(decimal.Truncate(rounded)) > MaxDecimalIntegerPart)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "A structured-field decimal must have at most 12 integer digits.");
        }

        if (rounded == 0)
        {
            rounded = 0m; // no "-0.0"
        }

        builder.Append(rounded.ToString("0.0##", CultureInfo.InvariantCulture));
    }

    private static void WriteString(string value, StringBuilder builder)
    {
        builder.Append('"');
        int runStart = 0;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c is < ' ' or > '~')
            {
                throw new ArgumentException("A structured-field string may contain only printable ASCII (0x20-0x7E).", nameof(value));
            }

            if (c is '"' or '\\')
            {
                builder.Append(value, runStart, i - runStart).Append('\\').Append(c);
                runStart = i + 1;
            }
        }

        builder.Append(value, runStart, value.Length - runStart).Append('"');
    }

    private static void WriteToken(string value, StringBuilder builder)
    {
        if (value.Length == 0 || !SfReader.IsTokenStart(value[0]))
        {
            throw new ArgumentException("A structured-field token must start with a letter or '*'.", nameof(value));
        }

        for (int i = 1; i < value.Length; i++)
        {
            if (!SfReader.IsTokenChar(value[i]))
            {
                throw new ArgumentException("A structured-field token may contain only tchar, ':' and '/'.", nameof(value));
            }
        }

        builder.Append(value);
    }

    private static void WriteBytes(ReadOnlySpan<byte> bytes, StringBuilder builder)
    {
        int length = ((bytes.Length + 2) / 3) * 4;
        builder.Append(':');
        if (length <= 512)
        {
            Span<char> chars = stackalloc char[512];
            Convert.TryToBase64Chars(bytes, chars, out int written);
            builder.Append(chars[..written]);
        }
        else
        {
            builder.Append(Convert.ToBase64String(bytes));
        }

        builder.Append(':');
    }

    private static void WriteDisplayString(string value, StringBuilder builder)
    {
        // §4.1.11: UTF-8 encode, percent-encode "%", DQUOTE and every byte outside 0x20-0x7E with lowercase hex.
        // StrictUtf8 throws (an ArgumentException) on lone surrogates rather than substituting U+FFFD.
        byte[] utf8 = StrictUtf8.GetBytes(value);
        builder.Append("%\"");
        foreach (byte b in utf8)
        {
            if (b is (byte)'%' or (byte)'"' or < 0x20 or > 0x7E)
            {
                builder.Append('%').Append("0123456789abcdef"[b >> 4]).Append("0123456789abcdef"[b & 0xF]);
            }
            else
            {
                builder.Append((char)b);
            }
        }

        builder.Append('"');
    }
}
