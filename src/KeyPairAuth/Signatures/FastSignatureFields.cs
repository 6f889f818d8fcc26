using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using KeyPairAuth.StructuredFields;
using KeyPairAuth.StructuredFields.Internal;

namespace KeyPairAuth.Signatures;

/// <summary>A run of characters inside the field value it was read from.</summary>
internal readonly record struct Segment(int Start, int Length);

/// <summary>One signature parameter read by <see cref="FastSignatureFields"/>: an Integer or a String without escapes.</summary>
internal readonly record struct FastParameter(Segment Key, bool IsString, long Integer, Segment Text);

/// <summary>
/// The verifier's allocation-free reading of the common shape of <c>Signature-Input</c> and <c>Signature</c>: one field
/// line each, one member each with the same label, covered components that are plain Strings (no parameters, no escapes),
/// signature parameters that are Integers or Strings without escapes and without duplicated keys, and a 64-byte signature.
/// </summary>
/// <remarks>
/// <para>This is a fast path, never a second grammar: <see cref="TryRead"/> either reads a value that
/// <see cref="StructuredFieldParser"/> accepts, with the same components and parameters, or returns <see langword="false"/>,
/// and the verifier then uses the generic parser (which accepts or rejects it). It never rejects anything itself, so the
/// verifier is exactly as strict as the generic parser; a differential fuzz test holds the two together.</para>
/// <para>Strings are <see cref="Segment"/>s into the field values; nothing is allocated. The fixed capacities below
/// only decide when to fall back.</para>
/// </remarks>
internal struct FastSignatureFields : ICoveredComponents
{
    /// <summary>The most covered components the fast path holds.</summary>
    public const int MaxItems = 16;

    /// <summary>The most signature parameters the fast path holds.</summary>
    public const int MaxParameters = 12;

    private const int SignatureLength = 64;

    private ItemBuffer _items;
    private ParameterBuffer _parameters;
    private SignatureBuffer _signature;

    /// <summary>Gets the <c>Signature-Input</c> value the segments point into.</summary>
    public string Input { get; private set; }

    /// <summary>Gets the label of the single member.</summary>
    public Segment Label { get; private set; }

    /// <summary>Gets the number of covered components.</summary>
    public int ItemCount { get; private set; }

    /// <summary>Gets the number of signature parameters.</summary>
    public int ParameterCount { get; private set; }

    /// <summary>Gets the decoded signature.</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<byte> Signature => _signature;

    /// <summary>Gets the label's characters.</summary>
    public readonly ReadOnlySpan<char> LabelSpan => Slice(Label);

    /// <summary>Gets the characters of a segment of <see cref="Input"/>.</summary>
    /// <param name="segment">The segment.</param>
    /// <returns>The characters.</returns>
    public readonly ReadOnlySpan<char> Slice(Segment segment) => Input.AsSpan(segment.Start, segment.Length);

    /// <summary>Gets a segment of <see cref="Input"/> as memory (no allocation).</summary>
    /// <param name="segment">The segment.</param>
    /// <returns>The characters.</returns>
    public readonly ReadOnlyMemory<char> SliceMemory(Segment segment) => Input.AsMemory(segment.Start, segment.Length);

    /// <summary>Gets the name of a covered component (the String's content).</summary>
    /// <param name="index">The component's index.</param>
    /// <returns>The name.</returns>
    public readonly ReadOnlySpan<char> Item(int index) => Slice(_items[index]);

    /// <summary>Gets a signature parameter.</summary>
    /// <param name="index">The parameter's index.</param>
    /// <returns>The parameter.</returns>
    public readonly FastParameter Parameter(int index) => _parameters[index];

    /// <inheritdoc />
    public readonly int ComponentCount => ItemCount;

    /// <inheritdoc />
    public readonly bool TryGetComponent(int index, out ReadOnlySpan<char> name, out SfParameters parameters)
    {
        name = Item(index);
        parameters = SfParameters.Empty;
        return true;
    }

    /// <summary>Gets a covered field's name as a string: the usual ones without allocating.</summary>
    /// <param name="index">The component's index.</param>
    /// <returns>The field name.</returns>
    public readonly string GetFieldName(int index) => Item(index) switch
    {
        "content-digest" => "content-digest",
        "content-type" => "content-type",
        "content-length" => "content-length",
        "date" => "date",
        "host" => "host",
        "authorization" => "authorization",
        var name => name.ToString(),
    };

    /// <inheritdoc />
    public readonly void WriteSignatureParams(ref SignatureBaseWriter writer) => SignatureBase.WriteSignatureParams(in this, ref writer);

    /// <summary>Reads the two field values when they have the common shape; otherwise returns <see langword="false"/> (use the generic parser).</summary>
    /// <param name="input">The single <c>Signature-Input</c> field line.</param>
    /// <param name="signature">The single <c>Signature</c> field line.</param>
    /// <param name="limits">The generic parser's limits: anything near them is left to it.</param>
    /// <param name="fields">The result, when <see langword="true"/>.</param>
    /// <returns><see langword="true"/> when read; <see langword="false"/> means "not this shape", not "invalid".</returns>
    public static bool TryRead(string? input, string? signature, StructuredFieldLimits limits, out FastSignatureFields fields)
    {
        fields = default;
        fields.Input = input!;
        return input is not null
            && signature is not null
            && input.Length <= limits.MaxFieldLength
            && signature.Length <= limits.MaxFieldLength
            && limits.MaxMembers >= 1
            && fields.TryReadInput(input, limits)
            && fields.TryReadSignature(signature);
    }

    private static int SkipSp(string s, int p)
    {
        while (p < s.Length && s[p] == ' ')
        {
            p++;
        }

        return p;
    }

    private static int SkipOws(string s, int p)
    {
        while (p < s.Length && s[p] is ' ' or '\t')
        {
            p++;
        }

        return p;
    }

    /// <summary>A key (RFC 9651 §4.2.3.3) at <paramref name="p"/>; its length, or 0 when there is none.</summary>
    private static int KeyLength(string s, int p)
    {
        if (p >= s.Length || !SfReader.IsKeyStart(s[p]))
        {
            return 0;
        }

        ReadOnlySpan<char> rest = s.AsSpan(p + 1);
        int length = rest.IndexOfAnyExcept(SfReader.KeyChars);
        return (length < 0 ? rest.Length : length) + 1;
    }

    /// <summary>A String without escapes at <paramref name="p"/> (on its opening quote): its content, or false.</summary>
    private static bool TryPlainString(string s, ref int p, out Segment content)
    {
        content = default;
        ReadOnlySpan<char> rest = s.AsSpan(p + 1);
        int stop = rest.IndexOfAnyExcept(SfReader.StringPlainChars);
        if (stop < 0 || rest[stop] != '"')
        {
            return false;
        }

        content = new Segment(p + 1, stop);
        p += stop + 2;
        return true;
    }

    /// <summary>An Integer at <paramref name="p"/>, exactly as the generic parser reads it; false for anything else (decimals too).</summary>
    private static bool TryInteger(string s, ref int p, out long value)
    {
        value = 0;
        int i = p;
        bool negative = s[i] == '-';
        if (negative)
        {
            i++;
        }

        int digitsStart = i;
        long mantissa = 0;
        while (i < s.Length && (uint)(s[i] - '0') <= 9)
        {
            mantissa = (mantissa * 10) + (s[i] - '0');
            i++;
            if (i - digitsStart > 15)
            {
                return false;
            }
        }

        if (i == digitsStart || (i < s.Length && s[i] == '.'))
        {
            return false;
        }

        value = negative ? -mantissa : mantissa;
        p = i;
        return true;
    }

    private bool TryReadInput(string s, StructuredFieldLimits limits)
    {
        int p = SkipSp(s, 0);
        int keyLength = KeyLength(s, p);
        if (keyLength == 0)
        {
            return false;
        }

        Label = new Segment(p, keyLength);
        p += keyLength;
        if (p + 1 >= s.Length || s[p] != '=' || s[p + 1] != '(')
        {
            return false;
        }

        p += 2;
        int itemLimit = Math.Min(MaxItems, limits.MaxInnerListItems);
        int items = 0;
        while (true)
        {
            p = SkipSp(s, p);
            if (p >= s.Length)
            {
                return false;
            }

            if (s[p] == ')')
            {
                p++;
                break;
            }

            if (s[p] != '"' || items >= itemLimit || !TryPlainString(s, ref p, out Segment item))
            {
                return false;
            }

            // Item parameters are left to the generic parser; so is anything but a space or ')' after an item.
            if (p >= s.Length || s[p] is not (' ' or ')'))
            {
                return false;
            }

            _items[items++] = item;
        }

        ItemCount = items;

        int parameterLimit = Math.Min(MaxParameters, limits.MaxParameters);
        int parameters = 0;
        while (p < s.Length && s[p] == ';')
        {
            p = SkipSp(s, p + 1);
            int length = KeyLength(s, p);
            if (length == 0 || parameters >= parameterLimit)
            {
                return false;
            }

            var key = new Segment(p, length);
            ReadOnlySpan<char> keySpan = s.AsSpan(p, length);
            for (int i = 0; i < parameters; i++)
            {
                if (keySpan.SequenceEqual(Slice(_parameters[i].Key)))
                {
                    return false; // duplicates: the generic parser's overwrite-in-place rule applies
                }
            }

            p += length;
            if (p + 1 >= s.Length || s[p] != '=')
            {
                return false; // Boolean true (a bare key) or nothing after '=': generic parser
            }

            p++;
            char c = s[p];
            if (c == '"')
            {
                if (!TryPlainString(s, ref p, out Segment text))
                {
                    return false;
                }

                _parameters[parameters++] = new FastParameter(key, true, 0, text);
            }
            else if (c == '-' || (uint)(c - '0') <= 9)
            {
                if (!TryInteger(s, ref p, out long value))
                {
                    return false;
                }

                _parameters[parameters++] = new FastParameter(key, false, value, default);
            }
            else
            {
                return false;
            }
        }

        ParameterCount = parameters;
        return SkipOws(s, p) == s.Length;
    }

    private bool TryReadSignature(string s)
    {
        int p = SkipSp(s, 0);
        int keyLength = KeyLength(s, p);
        if (keyLength == 0 || !s.AsSpan(p, keyLength).SequenceEqual(LabelSpan))
        {
            return false;
        }

        p += keyLength;
        if (p + 1 >= s.Length || s[p] != '=' || s[p + 1] != ':')
        {
            return false;
        }

        p += 2;
        int end = s.IndexOf(':', p);
        if (end < 0)
        {
            return false;
        }

        ReadOnlySpan<char> text = s.AsSpan(p, end - p);
        if (!Base64Codec.TryGetDecodedLength(text, out int decodedLength, out _, out _) || decodedLength != SignatureLength)
        {
            return false;
        }

        Base64Codec.DecodeValidated(text, _signature);
        return SkipOws(s, end + 1) == s.Length;
    }

    [InlineArray(MaxItems)]
    private struct ItemBuffer
    {
        private Segment _element;
    }

    [InlineArray(MaxParameters)]
    private struct ParameterBuffer
    {
        private FastParameter _element;
    }

    [InlineArray(SignatureLength)]
    private struct SignatureBuffer
    {
        private byte _element;
    }
}
