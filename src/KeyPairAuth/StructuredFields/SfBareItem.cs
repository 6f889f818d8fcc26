namespace KeyPairAuth.StructuredFields;

/// <summary>The type of a Structured Field bare item (RFC 9651 §3.3).</summary>
internal enum SfBareItemType
{
    /// <summary>An integer in the range ±999,999,999,999,999.</summary>
    Integer = 1,

    /// <summary>A decimal with at most 12 integer and 3 fractional digits.</summary>
    Decimal,

    /// <summary>A string of printable ASCII.</summary>
    String,

    /// <summary>A token (unquoted identifier such as <c>sha-256</c>).</summary>
    Token,

    /// <summary>A byte sequence, serialised as <c>:base64:</c>.</summary>
    ByteSequence,

    /// <summary>A boolean, serialised as <c>?1</c> / <c>?0</c>.</summary>
    Boolean,

    /// <summary>A date (RFC 9651 §3.3.7): integer seconds since the Unix epoch, serialised as <c>@1659578233</c>.</summary>
    Date,

    /// <summary>A display string (RFC 9651 §3.3.8): Unicode text, serialised as <c>%"percent-encoded UTF-8"</c>.</summary>
    DisplayString,
}

/// <summary>A Structured Field bare item: an integer, decimal, string, token, byte sequence, boolean, date or display string.</summary>
internal readonly struct SfBareItem : IEquatable<SfBareItem>
{
    private readonly long _integer;
    private readonly decimal _decimal;
    private readonly object? _reference;

    private SfBareItem(SfBareItemType type, long integer, decimal dec, object? reference)
    {
        Type = type;
        _integer = integer;
        _decimal = dec;
        _reference = reference;
    }

    /// <summary>Gets the item's type.</summary>
    public SfBareItemType Type { get; }

    /// <summary>Gets the integer value (or the boolean as 0/1).</summary>
    /// <exception cref="InvalidOperationException">The item is not an integer.</exception>
    public long Integer => Type == SfBareItemType.Integer ? _integer : throw WrongType(SfBareItemType.Integer);

    /// <summary>Gets the decimal value.</summary>
    /// <exception cref="InvalidOperationException">The item is not a decimal.</exception>
    public decimal Decimal => Type == SfBareItemType.Decimal ? _decimal : throw WrongType(SfBareItemType.Decimal);

    /// <summary>Gets the string value (for strings and tokens).</summary>
    /// <exception cref="InvalidOperationException">The item is not a string or token.</exception>
    public string String => Type is SfBareItemType.String or SfBareItemType.Token ? (string)_reference! : throw WrongType(SfBareItemType.String);

    /// <summary>Gets the bytes of a byte sequence.</summary>
    /// <exception cref="InvalidOperationException">The item is not a byte sequence.</exception>
    public ReadOnlyMemory<byte> Bytes => Type == SfBareItemType.ByteSequence ? (byte[])_reference! : throw WrongType(SfBareItemType.ByteSequence);

    /// <summary>Gets the boolean value.</summary>
    /// <exception cref="InvalidOperationException">The item is not a boolean.</exception>
    public bool Boolean => Type == SfBareItemType.Boolean ? _integer != 0 : throw WrongType(SfBareItemType.Boolean);

    /// <summary>Gets the date as integer seconds since the Unix epoch (1970-01-01T00:00:00Z).</summary>
    /// <exception cref="InvalidOperationException">The item is not a date.</exception>
    public long Date => Type == SfBareItemType.Date ? _integer : throw WrongType(SfBareItemType.Date);

    /// <summary>Gets the (decoded, Unicode) value of a display string.</summary>
    /// <exception cref="InvalidOperationException">The item is not a display string.</exception>
    public string DisplayString => Type == SfBareItemType.DisplayString ? (string)_reference! : throw WrongType(SfBareItemType.DisplayString);

    /// <summary>Gets the boolean <see langword="true"/> item (the value of a bare dictionary key or parameter).</summary>
    internal static SfBareItem True { get; } = FromBoolean(true);

    /// <summary>Creates a date item.</summary>
    /// <param name="unixSeconds">Seconds since the Unix epoch; serialisable within ±999,999,999,999,999.</param>
    /// <returns>The item.</returns>
    public static SfBareItem FromDate(long unixSeconds) => new(SfBareItemType.Date, unixSeconds, 0, null);

    /// <summary>Creates a display-string item.</summary>
    /// <param name="value">The Unicode text (must be well-formed UTF-16 to be serialisable).</param>
    /// <returns>The item.</returns>
    public static SfBareItem FromDisplayString(string value) => new(SfBareItemType.DisplayString, 0, 0, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>Creates an integer item.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The item.</returns>
    public static SfBareItem FromInteger(long value) => new(SfBareItemType.Integer, value, 0, null);

    /// <summary>Creates a decimal item.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The item.</returns>
    public static SfBareItem FromDecimal(decimal value) => new(SfBareItemType.Decimal, 0, value, null);

    /// <summary>Creates a string item.</summary>
    /// <param name="value">The value (printable ASCII).</param>
    /// <returns>The item.</returns>
    public static SfBareItem FromString(string value) => new(SfBareItemType.String, 0, 0, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>Creates a token item.</summary>
    /// <param name="value">The token.</param>
    /// <returns>The item.</returns>
    public static SfBareItem FromToken(string value) => new(SfBareItemType.Token, 0, 0, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>Creates a byte-sequence item. The array is not copied.</summary>
    /// <param name="value">The bytes.</param>
    /// <returns>The item.</returns>
    public static SfBareItem FromBytes(byte[] value) => new(SfBareItemType.ByteSequence, 0, 0, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>Creates a boolean item.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The item.</returns>
    public static SfBareItem FromBoolean(bool value) => new(SfBareItemType.Boolean, value ? 1 : 0, 0, null);

    /// <inheritdoc/>
    public bool Equals(SfBareItem other)
    {
        if (Type != other.Type)
        {
            return false;
        }

        return Type switch
        {
            SfBareItemType.Integer or SfBareItemType.Boolean or SfBareItemType.Date => _integer == other._integer,
            SfBareItemType.Decimal => _decimal == other._decimal,
            SfBareItemType.String or SfBareItemType.Token or SfBareItemType.DisplayString => string.Equals((string)_reference!, (string)other._reference!, StringComparison.Ordinal),
            SfBareItemType.ByteSequence => ((byte[])_reference!).AsSpan().SequenceEqual((byte[])other._reference!),
            _ => false,
        };
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SfBareItem other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Type, _integer, _decimal, _reference is string s ? s.GetHashCode(StringComparison.Ordinal) : 0);

    /// <summary>Compares two items for equality.</summary>
    /// <param name="left">The first item.</param>
    /// <param name="right">The second item.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public static bool operator ==(SfBareItem left, SfBareItem right) => left.Equals(right);

    /// <summary>Compares two items for inequality.</summary>
    /// <param name="left">The first item.</param>
    /// <param name="right">The second item.</param>
    /// <returns><see langword="true"/> when not equal.</returns>
    public static bool operator !=(SfBareItem left, SfBareItem right) => !left.Equals(right);

    private InvalidOperationException WrongType(SfBareItemType wanted) =>
        new($"The structured field item is a {Type}, not a {wanted}.");
}
