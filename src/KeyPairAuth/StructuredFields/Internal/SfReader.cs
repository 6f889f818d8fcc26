using System.Buffers;
using System.Text;

namespace KeyPairAuth.StructuredFields.Internal;

/// <summary>
/// Single-pass RFC 9651 §4.2 parser over a string. Every method returns <see langword="false"/> on failure after
/// recording a reason and an offset, so both the throwing and the Try* entry points share one code path and a
/// failed parse costs no exception internally. Nesting is fixed by the grammar (dictionary/list → inner list → item),
/// so there is no recursion on input. Messages describe the problem, never the field's content.
/// </summary>
internal struct SfReader
{
    /// <summary>Largest magnitude of an Integer (RFC 9651 §3.3.1).</summary>
    internal const long MaxInteger = 999_999_999_999_999;

    /// <summary>Up to this many entries, duplicate-key detection scans linearly; beyond it, a hash index is used.</summary>
    private const int LinearScanThreshold = 8;

    // unescaped = %x20-21 / %x23-5B / %x5D-7E (everything printable except DQUOTE and backslash).
    internal static readonly SearchValues<char> StringPlainChars = SearchValues.Create(
        " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    // tchar (RFC 9110 §5.6.2) plus ":" and "/" (RFC 9651 §3.3.4).
    private static readonly SearchValues<char> TokenChars = SearchValues.Create(
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz:/");

    internal static readonly SearchValues<char> KeyChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789_-.*");

    private static readonly SfItem TrueItem = new(SfBareItem.True, SfParameters.Empty);

    [ThreadStatic]
    private static long t_workSteps;

    private readonly string _input;
    private readonly StructuredFieldLimits _limits;
    private int _pos;
    private long _steps;

    internal SfReader(string input, StructuredFieldLimits limits)
    {
        _input = input;
        _limits = limits;
        _pos = 0;
        _steps = 0;
        Error = null;
        ErrorPosition = -1;
        MemberLimitExceeded = false;
    }

    /// <summary>
    /// Gets or sets the number of work steps (characters examined, loop iterations) that parsers on this thread have
    /// performed. Tests reset it and assert the work is linear in the input length.
    /// </summary>
    internal static long WorkSteps
    {
        get => t_workSteps;
        set => t_workSteps = value;
    }

    /// <summary>Gets the reason of the failure, when a Try* method returned <see langword="false"/>.</summary>
    internal string? Error { get; private set; }

    /// <summary>Gets the offset of the failure.</summary>
    internal int ErrorPosition { get; private set; }

    /// <summary>
    /// Gets a value indicating whether the failure was a Dictionary with more members than <see cref="StructuredFieldLimits.MaxMembers"/>
    /// (everything before that member was well formed). The verifier reports this as too many signatures.
    /// </summary>
    internal bool MemberLimitExceeded { get; private set; }

    private readonly bool AtEnd => _pos >= _input.Length;

    internal static bool IsKeyStart(char c) => c is (>= 'a' and <= 'z') or '*';

    internal static bool IsKeyChar(char c) => KeyChars.Contains(c);

    internal static bool IsTokenStart(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '*';

    internal static bool IsTokenChar(char c) => TokenChars.Contains(c);

    internal bool TryParseDictionary(out SfDictionary? result)
    {
        result = null;
        try
        {
            if (!CheckLength())
            {
                return false;
            }

            SkipSp();
            var members = new List<KeyValuePair<string, SfMember>>(4);
            Dictionary<string, int>? index = null;
            int parsed = 0;
            while (!AtEnd)
            {
                _steps++;
                int memberStart = _pos;
                if (!TryParseKey(out string key))
                {
                    return false;
                }

                SfMember member;
                if (_pos < _input.Length && _input[_pos] == '=')
                {
                    _pos++;
                    if (!TryParseItemOrInnerList(out member!))
                    {
                        return false;
                    }
                }
                else
                {
                    // A bare key is Boolean true with parameters (RFC 9651 §4.2.2 step 2.3).
                    if (!TryParseParameters(out SfParameters parameters))
                    {
                        return false;
                    }

                    member = new SfMember(parameters.Count == 0 ? TrueItem : new SfItem(SfBareItem.True, parameters));
                }

                if (++parsed > _limits.MaxMembers)
                {
                    MemberLimitExceeded = true;
                    return Fail("The dictionary has more members than allowed", memberStart);
                }

                // Duplicate keys: the later value overwrites the earlier one in place (RFC 9651 §4.2.2 step 2.4).
                int existing = IndexOf(members, ref index, key);
                if (existing >= 0)
                {
                    members[existing] = new KeyValuePair<string, SfMember>(key, member);
                }
                else
                {
                    index?.Add(key, members.Count);
                    members.Add(new KeyValuePair<string, SfMember>(key, member));
                }

                if (!TryParseSeparator("dictionary"))
                {
                    return false;
                }
            }

            result = new SfDictionary(members);
            return true;
        }
        finally
        {
            t_workSteps += _steps;
        }
    }

    internal bool TryParseList(out SfList? result)
    {
        result = null;
        try
        {
            if (!CheckLength())
            {
                return false;
            }

            SkipSp();
            var members = new List<SfMember>(4);
            while (!AtEnd)
            {
                _steps++;
                int memberStart = _pos;
                if (!TryParseItemOrInnerList(out SfMember? member))
                {
                    return false;
                }

                if (members.Count >= _limits.MaxMembers)
                {
                    return Fail("The list has more members than allowed", memberStart);
                }

                members.Add(member!);
                if (!TryParseSeparator("list"))
                {
                    return false;
                }
            }

            result = new SfList(members);
            return true;
        }
        finally
        {
            t_workSteps += _steps;
        }
    }

    internal bool TryParseItem(out SfItem? result)
    {
        result = null;
        try
        {
            if (!CheckLength())
            {
                return false;
            }

            SkipSp();
            if (!TryParseItemCore(out result))
            {
                return false;
            }

            SkipSp();
            if (!AtEnd)
            {
                result = null;
                return Fail("Unexpected characters after the item");
            }

            return true;
        }
        finally
        {
            t_workSteps += _steps;
        }
    }

    private int IndexOf(List<KeyValuePair<string, SfMember>> members, ref Dictionary<string, int>? index, string key)
    {
        if (index is not null)
        {
            _steps++;
            return index.TryGetValue(key, out int i) ? i : -1;
        }

        for (int i = 0; i < members.Count; i++)
        {
            _steps++;
            if (string.Equals(members[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        if (members.Count >= LinearScanThreshold)
        {
            index = new Dictionary<string, int>(members.Count * 2, StringComparer.Ordinal);
            for (int i = 0; i < members.Count; i++)
            {
                index.Add(members[i].Key, i);
            }
        }

        return -1;
    }

    private int IndexOf(ref PooledList<KeyValuePair<string, SfBareItem>> entries, ref Dictionary<string, int>? index, string key)
    {
        if (index is not null)
        {
            _steps++;
            return index.TryGetValue(key, out int i) ? i : -1;
        }

        ReadOnlySpan<KeyValuePair<string, SfBareItem>> span = entries.AsSpan();
        for (int i = 0; i < span.Length; i++)
        {
            _steps++;
            if (string.Equals(span[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        if (span.Length >= LinearScanThreshold)
        {
            index = new Dictionary<string, int>(span.Length * 2, StringComparer.Ordinal);
            for (int i = 0; i < span.Length; i++)
            {
                index.Add(span[i].Key, i);
            }
        }

        return -1;
    }

    private static bool IsDigit(char c) => (uint)(c - '0') <= 9;

    private static string? KnownKey(ReadOnlySpan<char> key) => key switch
    {
        // The signature parameters and component parameters of RFC 9421 §2.1/§2.3, so parsing
        // Signature-Input does not allocate a string per key.
        "created" => "created",
        "expires" => "expires",
        "keyid" => "keyid",
        "nonce" => "nonce",
        "alg" => "alg",
        "tag" => "tag",
        "sf" => "sf",
        "key" => "key",
        "bs" => "bs",
        "req" => "req",
        "tr" => "tr",
        "name" => "name",
        "sig1" => "sig1",
        "sha-256" => "sha-256",
        "sha-512" => "sha-512",
        _ => null,
    };

    private bool CheckLength()
    {
        if (_input.Length > _limits.MaxFieldLength)
        {
            // Checked before anything else, so an oversized value costs no parsing work.
            return Fail("The field value is longer than allowed", _limits.MaxFieldLength);
        }

        return true;
    }

    private bool Fail(string message) => Fail(message, _pos);

    private bool Fail(string message, int position)
    {
        Error = message;
        ErrorPosition = position;
        return false;
    }

    private bool FailUnexpected(string expected)
    {
        if (AtEnd)
        {
            return Fail($"Expected {expected}, found the end of the field");
        }

        char c = _input[_pos];
        string found = c switch
        {
            > '\u007e' => "a non-ASCII character",
            < ' ' or '\u007f' => "a control character",
            ' ' => "a space",
            _ => "an unexpected character",
        };
        return Fail($"Expected {expected}, found {found}");
    }

    private void SkipSp()
    {
        while (_pos < _input.Length && _input[_pos] == ' ')
        {
            _pos++;
            _steps++;
        }
    }

    private void SkipOws()
    {
        while (_pos < _input.Length && _input[_pos] is ' ' or '\t')
        {
            _pos++;
            _steps++;
        }
    }

    /// <summary>After a List or Dictionary member: OWS, then end of input or "," OWS and another member.</summary>
    private bool TryParseSeparator(string what)
    {
        SkipOws();
        if (AtEnd)
        {
            return true;
        }

        if (_input[_pos] != ',')
        {
            return FailUnexpected($"',' between {what} members");
        }

        _pos++;
        SkipOws();
        if (AtEnd)
        {
            return Fail($"The {what} ends with a trailing comma");
        }

        return true;
    }

    private bool TryParseItemOrInnerList(out SfMember? member)
    {
        member = null;
        if (_pos < _input.Length && _input[_pos] == '(')
        {
            if (!TryParseInnerList(out SfInnerList? innerList))
            {
                return false;
            }

            member = new SfMember(innerList!);
            return true;
        }

        if (!TryParseItemCore(out SfItem? item))
        {
            return false;
        }

        member = new SfMember(item!);
        return true;
    }

    private bool TryParseInnerList(out SfInnerList? innerList)
    {
        innerList = null;
        int start = _pos;
        _pos++; // "("
        var items = default(PooledList<SfItem>);
        try
        {
            while (!AtEnd)
            {
                _steps++;
                SkipSp();
                if (AtEnd)
                {
                    break;
                }

                if (_input[_pos] == ')')
                {
                    _pos++;
                    if (!TryParseParameters(out SfParameters parameters))
                    {
                        return false;
                    }

                    innerList = new SfInnerList(items.ToArray(), parameters);
                    return true;
                }

                int itemStart = _pos;
                if (!TryParseItemCore(out SfItem? item))
                {
                    return false;
                }

                if (items.Count >= _limits.MaxInnerListItems)
                {
                    return Fail("The inner list has more items than allowed", itemStart);
                }

                items.Add(item!);
                if (!AtEnd && _input[_pos] is not (' ' or ')'))
                {
                    return FailUnexpected("a space or ')' after an inner-list item");
                }
            }

            return Fail("The inner list is not closed with ')'", start);
        }
        finally
        {
            items.Dispose();
        }
    }

    private bool TryParseItemCore(out SfItem? item)
    {
        item = null;
        if (!TryParseBareItem(out SfBareItem value) || !TryParseParameters(out SfParameters parameters))
        {
            return false;
        }

        item = new SfItem(value, parameters);
        return true;
    }

    private bool TryParseParameters(out SfParameters parameters)
    {
        parameters = SfParameters.Empty;
        if (AtEnd || _input[_pos] != ';')
        {
            return true;
        }

        var entries = default(PooledList<KeyValuePair<string, SfBareItem>>);
        Dictionary<string, int>? index = null;
        int parsed = 0;
        try
        {
            while (_pos < _input.Length && _input[_pos] == ';')
            {
                _steps++;
                int paramStart = _pos;
                _pos++;
                SkipSp();
                if (!TryParseKey(out string key))
                {
                    return false;
                }

                SfBareItem value = SfBareItem.True;
                if (_pos < _input.Length && _input[_pos] == '=')
                {
                    _pos++;
                    if (!TryParseBareItem(out value))
                    {
                        return false;
                    }
                }

                if (++parsed > _limits.MaxParameters)
                {
                    return Fail("There are more parameters than allowed", paramStart);
                }

                // Duplicate keys: the later value overwrites the earlier one in place (RFC 9651 §4.2.3.2 step 2.7).
                int existing = IndexOf(ref entries, ref index, key);
                if (existing >= 0)
                {
                    entries[existing] = new KeyValuePair<string, SfBareItem>(key, value);
                }
                else
                {
                    index?.Add(key, entries.Count);
                    entries.Add(new KeyValuePair<string, SfBareItem>(key, value));
                }
            }

            parameters = SfParameters.FromUnique(entries.ToArray());
            return true;
        }
        finally
        {
            entries.Dispose();
        }
    }

    private bool TryParseKey(out string key)
    {
        key = string.Empty;
        if (AtEnd || !IsKeyStart(_input[_pos]))
        {
            return FailUnexpected("a key (a lowercase letter or '*')");
        }

        ReadOnlySpan<char> rest = _input.AsSpan(_pos + 1);
        int length = rest.IndexOfAnyExcept(KeyChars);
        length = (length < 0 ? rest.Length : length) + 1;
        _steps += length;
        ReadOnlySpan<char> span = _input.AsSpan(_pos, length);
        key = KnownKey(span) ?? span.ToString();
        _pos += length;
        return true;
    }

    private bool TryParseBareItem(out SfBareItem value)
    {
        value = default;
        if (AtEnd)
        {
            return Fail("Expected an item, found the end of the field");
        }

        _steps++;
        char c = _input[_pos];
        switch (c)
        {
            case '-':
            case >= '0' and <= '9':
                return TryParseNumber(out value);
            case '"':
                return TryParseString(out value);
            case ':':
                return TryParseByteSequence(out value);
            case '?':
                return TryParseBoolean(out value);
            case '@':
                return TryParseDate(out value);
            case '%':
                return TryParseDisplayString(out value);
            default:
                if (IsTokenStart(c))
                {
                    return TryParseToken(out value);
                }

                return FailUnexpected("an item");
        }
    }

    private bool TryParseNumber(out SfBareItem value)
    {
        // RFC 9651 §4.2.4. Digits accumulate into a long (at most 15 digits, so no overflow); a decimal is built
        // exactly from its mantissa and scale, never through floating point.
        value = default;
        int start = _pos;
        bool negative = false;
        if (_input[_pos] == '-')
        {
            negative = true;
            _pos++;
        }

        if (AtEnd)
        {
            return Fail("The number has no digits", start);
        }

        if (!IsDigit(_input[_pos]))
        {
            return FailUnexpected("a digit");
        }

        long mantissa = 0;
        int digits = 0;
        int integerDigits = -1; // set when the "." is seen
        while (_pos < _input.Length)
        {
            _steps++;
            char c = _input[_pos];
            if (IsDigit(c))
            {
                mantissa = (mantissa * 10) + (c - '0');
                digits++;
            }
            else if (c == '.' && integerDigits < 0)
            {
                if (digits > 12)
                {
                    return Fail("The decimal has more than 12 integer digits", start);
                }

                integerDigits = digits;
            }
            else
            {
                break;
            }

            _pos++;
            if (integerDigits < 0 && digits > 15)
            {
                return Fail("The integer has more than 15 digits", start);
            }

            if (integerDigits >= 0 && digits - integerDigits > 3)
            {
                return Fail("The decimal has more than 3 fractional digits", start);
            }
        }

        if (integerDigits < 0)
        {
            value = SfBareItem.FromInteger(negative ? -mantissa : mantissa);
            return true;
        }

        int scale = digits - integerDigits;
        if (scale == 0)
        {
            return Fail("The decimal has no fractional digits", start);
        }

        value = SfBareItem.FromDecimal(new decimal((int)(mantissa & 0xFFFF_FFFF), (int)(mantissa >> 32), 0, negative && mantissa != 0, (byte)scale));
        return true;
    }

    private bool TryParseString(out SfBareItem value)
    {
        // RFC 9651 §4.2.5: printable ASCII; only \" and \\ are escapes.
        value = default;
        int start = _pos;
        _pos++;
        StringBuilder? builder = null;
        while (true)
        {
            ReadOnlySpan<char> rest = _input.AsSpan(_pos);
            int stop = rest.IndexOfAnyExcept(StringPlainChars);
            if (stop < 0)
            {
                _steps += rest.Length;
                _pos = _input.Length;
                return Fail("The string is not closed with '\"'", start);
            }

            _steps += stop + 1;
            char c = rest[stop];
            if (c == '"')
            {
                string text = builder is null ? rest[..stop].ToString() : builder.Append(rest[..stop]).ToString();
                _pos += stop + 1;
                value = SfBareItem.FromString(text);
                return true;
            }

            _pos += stop;
            if (c != '\\')
            {
                return Fail(c > '\u007e' ? "The string contains a non-ASCII character" : "The string contains a control character");
            }

            if (_pos + 1 >= _input.Length)
            {
                return Fail("The string ends inside an escape sequence");
            }

            char escaped = _input[_pos + 1];
            if (escaped is not ('"' or '\\'))
            {
                return Fail("The string contains an escape other than \\\" or \\\\");
            }

            builder ??= new StringBuilder(rest.Length);
            builder.Append(rest[..stop]).Append(escaped);
            _pos += 2;
        }
    }

    private bool TryParseToken(out SfBareItem value)
    {
        ReadOnlySpan<char> rest = _input.AsSpan(_pos + 1);
        int length = rest.IndexOfAnyExcept(TokenChars);
        length = (length < 0 ? rest.Length : length) + 1;
        _steps += length;
        ReadOnlySpan<char> span = _input.AsSpan(_pos, length);
        value = SfBareItem.FromToken(KnownKey(span) ?? span.ToString());
        _pos += length;
        return true;
    }

    private bool TryParseByteSequence(out SfBareItem value)
    {
        // RFC 9651 §4.2.7: base64 between colons; characters outside the alphabet fail; missing padding is accepted
        // (the RFC says parsers SHOULD NOT fail on it), wrong padding is not.
        value = default;
        int start = _pos;
        ReadOnlySpan<char> rest = _input.AsSpan(_pos + 1);
        int end = rest.IndexOf(':');
        if (end < 0)
        {
            _steps += rest.Length;
            return Fail("The byte sequence is not closed with ':'", start);
        }

        _steps += end + 1;
        if (!Base64Codec.TryDecode(rest[..end], out byte[]? bytes, out int badOffset, out string? reason))
        {
            return Fail(reason!, _pos + 1 + badOffset);
        }

        _pos += end + 2;
        value = SfBareItem.FromBytes(bytes!);
        return true;
    }

    private bool TryParseBoolean(out SfBareItem value)
    {
        value = default;
        _pos++;
        if (!AtEnd)
        {
            char c = _input[_pos];
            if (c is '0' or '1')
            {
                _pos++;
                value = SfBareItem.FromBoolean(c == '1');
                return true;
            }
        }

        return FailUnexpected("'0' or '1' after '?'");
    }

    private bool TryParseDate(out SfBareItem value)
    {
        // RFC 9651 §4.2.9: "@" then an Integer; a Decimal fails.
        value = default;
        int start = _pos;
        _pos++;
        if (AtEnd || !(IsDigit(_input[_pos]) || _input[_pos] == '-'))
        {
            return FailUnexpected("an integer after '@'");
        }

        if (!TryParseNumber(out SfBareItem number))
        {
            return false;
        }

        if (number.Type != SfBareItemType.Integer)
        {
            return Fail("The date is not an integer", start);
        }

        value = SfBareItem.FromDate(number.Integer);
        return true;
    }

    private bool TryParseDisplayString(out SfBareItem value)
    {
        // RFC 9651 §4.2.10: %"…" with printable ASCII and lowercase %xx escapes that decode to valid UTF-8.
        value = default;
        int start = _pos;
        _pos++;
        if (AtEnd || _input[_pos] != '"')
        {
            return FailUnexpected("'\"' after '%'");
        }

        _pos++;
        ReadOnlySpan<char> rest = _input.AsSpan(_pos);
        int end = rest.IndexOf('"');
        if (end < 0)
        {
            _steps += rest.Length;
            return Fail("The display string is not closed with '\"'", start);
        }

        _steps += end + 1;
        ReadOnlySpan<char> content = rest[..end];
        byte[]? rented = null;
        Span<byte> bytes = content.Length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(content.Length));
        try
        {
            int count = 0;
            for (int i = 0; i < content.Length; i++)
            {
                char c = content[i];
                if (c is < ' ' or > '\u007e')
                {
                    return Fail(c > '\u007e' ? "The display string contains a non-ASCII character" : "The display string contains a control character", _pos + i);
                }

                if (c == '%')
                {
                    if (i + 2 >= content.Length)
                    {
                        return Fail("The display string has a truncated percent-escape", _pos + i);
                    }

                    int hi = LowerHexValue(content[i + 1]);
                    int lo = LowerHexValue(content[i + 2]);
                    if (hi < 0 || lo < 0)
                    {
                        return Fail("The display string has a percent-escape that is not two lowercase hex digits", _pos + i);
                    }

                    bytes[count++] = (byte)((hi << 4) | lo);
                    i += 2;
                }
                else
                {
                    bytes[count++] = (byte)c;
                }
            }

            ReadOnlySpan<byte> utf8 = bytes[..count];
            if (!System.Text.Unicode.Utf8.IsValid(utf8))
            {
                return Fail("The display string is not valid UTF-8", start);
            }

            value = SfBareItem.FromDisplayString(Encoding.UTF8.GetString(utf8));
            _pos += end + 1;
            return true;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int LowerHexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };
}
