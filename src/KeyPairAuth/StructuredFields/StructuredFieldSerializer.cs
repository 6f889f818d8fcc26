using System.Text;
using KeyPairAuth.StructuredFields.Internal;

namespace KeyPairAuth.StructuredFields;

/// <summary>RFC 9651 §4.1 serialisation: the canonical form used in signature bases (e.g. <c>@signature-params</c>).</summary>
/// <remarks>
/// Values that RFC 9651 cannot represent (a key or token with characters outside its grammar, an integer beyond
/// ±999,999,999,999,999, a decimal with more than 12 integer digits, a string with characters outside printable ASCII,
/// a display string with lone surrogates, a default <see cref="SfBareItem"/>) throw an <see cref="ArgumentException"/>
/// (or a subtype such as <see cref="ArgumentOutOfRangeException"/>). Decimals are rounded half-to-even to three fractional digits.
/// </remarks>
internal static class StructuredFieldSerializer
{
    /// <summary>Serialises a Dictionary.</summary>
    /// <param name="dictionary">The dictionary.</param>
    /// <returns>The canonical text.</returns>
    /// <exception cref="ArgumentException">A value cannot be represented in RFC 9651.</exception>
    public static string Serialize(SfDictionary dictionary)
    {
        ArgumentNullException.ThrowIfNull(dictionary);
        var builder = new StringBuilder(64);
        SfWriter.WriteDictionary(dictionary, builder);
        return builder.ToString();
    }

    /// <summary>Serialises a List.</summary>
    /// <param name="list">The list.</param>
    /// <returns>The canonical text.</returns>
    /// <exception cref="ArgumentException">A value cannot be represented in RFC 9651.</exception>
    public static string Serialize(SfList list)
    {
        ArgumentNullException.ThrowIfNull(list);
        var builder = new StringBuilder(64);
        SfWriter.WriteList(list, builder);
        return builder.ToString();
    }

    /// <summary>Serialises an Item.</summary>
    /// <param name="item">The item.</param>
    /// <returns>The canonical text.</returns>
    /// <exception cref="ArgumentException">A value cannot be represented in RFC 9651.</exception>
    public static string Serialize(SfItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var builder = new StringBuilder(32);
        SfWriter.WriteItem(item, builder);
        return builder.ToString();
    }

    /// <summary>Serialises an inner list with its parameters (the form of <c>@signature-params</c>).</summary>
    /// <param name="innerList">The inner list.</param>
    /// <returns>The canonical text.</returns>
    /// <exception cref="ArgumentException">A value cannot be represented in RFC 9651.</exception>
    public static string Serialize(SfInnerList innerList)
    {
        ArgumentNullException.ThrowIfNull(innerList);
        var builder = new StringBuilder(128);
        SfWriter.WriteInnerList(innerList, builder);
        return builder.ToString();
    }

    /// <summary>Appends the serialisation of an inner list to <paramref name="builder"/>.</summary>
    /// <param name="innerList">The inner list.</param>
    /// <param name="builder">The destination.</param>
    /// <exception cref="ArgumentException">A value cannot be represented in RFC 9651; the builder may hold a partial serialisation.</exception>
    public static void Append(SfInnerList innerList, StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(innerList);
        ArgumentNullException.ThrowIfNull(builder);
        SfWriter.WriteInnerList(innerList, builder);
    }

    /// <summary>Appends the serialisation of a bare item with parameters to <paramref name="builder"/>.</summary>
    /// <param name="item">The item.</param>
    /// <param name="builder">The destination.</param>
    /// <exception cref="ArgumentException">A value cannot be represented in RFC 9651; the builder may hold a partial serialisation.</exception>
    public static void Append(SfItem item, StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(builder);
        SfWriter.WriteItem(item, builder);
    }
}
