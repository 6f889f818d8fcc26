using System.Diagnostics.CodeAnalysis;
using KeyPairAuth.StructuredFields.Internal;

namespace KeyPairAuth.StructuredFields;

/// <summary>
/// Strict RFC 9651 (RFC 8941) parser for the field types HTTP Message Signatures use. Any failure fails the whole
/// field with a <see cref="StructuredFieldException"/>; work is linear in the input and bounded by <see cref="StructuredFieldLimits"/>.
/// </summary>
internal static class StructuredFieldParser
{
    /// <summary>Parses a Dictionary field value (e.g. <c>Signature-Input</c>, <c>Signature</c>, <c>Content-Digest</c>).</summary>
    /// <param name="value">The field value (several field lines already combined with <c>", "</c>).</param>
    /// <param name="limits">The limits, or <see langword="null"/> for <see cref="StructuredFieldLimits.Default"/>.</param>
    /// <returns>The dictionary.</returns>
    /// <exception cref="StructuredFieldException">The value is not a valid Dictionary or exceeds a limit.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    public static SfDictionary ParseDictionary(string value, StructuredFieldLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        var reader = new SfReader(value, limits ?? StructuredFieldLimits.Default);
        return reader.TryParseDictionary(out SfDictionary? result) ? result! : throw Failure(reader);
    }

    /// <summary>Parses a List field value.</summary>
    /// <param name="value">The field value.</param>
    /// <param name="limits">The limits, or <see langword="null"/> for the defaults.</param>
    /// <returns>The list.</returns>
    /// <exception cref="StructuredFieldException">The value is not a valid List or exceeds a limit.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    public static SfList ParseList(string value, StructuredFieldLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        var reader = new SfReader(value, limits ?? StructuredFieldLimits.Default);
        return reader.TryParseList(out SfList? result) ? result! : throw Failure(reader);
    }

    /// <summary>Parses an Item field value.</summary>
    /// <param name="value">The field value.</param>
    /// <param name="limits">The limits, or <see langword="null"/> for the defaults.</param>
    /// <returns>The item.</returns>
    /// <exception cref="StructuredFieldException">The value is not a valid Item or exceeds a limit.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    public static SfItem ParseItem(string value, StructuredFieldLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        var reader = new SfReader(value, limits ?? StructuredFieldLimits.Default);
        return reader.TryParseItem(out SfItem? result) ? result! : throw Failure(reader);
    }

    /// <summary>
    /// Parses a Dictionary field value without throwing on malformed input (cheaper than catching
    /// <see cref="StructuredFieldException"/> when input is hostile). A <see langword="null"/> value fails.
    /// </summary>
    /// <param name="value">The field value.</param>
    /// <param name="limits">The limits, or <see langword="null"/> for the defaults.</param>
    /// <param name="dictionary">The dictionary, when the value is valid.</param>
    /// <returns><see langword="true"/> when the value is a valid Dictionary within the limits.</returns>
    public static bool TryParseDictionary([NotNullWhen(true)] string? value, StructuredFieldLimits? limits, [NotNullWhen(true)] out SfDictionary? dictionary)
    {
        dictionary = null;
        if (value is null)
        {
            return false;
        }

        var reader = new SfReader(value, limits ?? StructuredFieldLimits.Default);
        return reader.TryParseDictionary(out dictionary);
    }

    /// <summary>Parses a List field value without throwing on malformed input. A <see langword="null"/> value fails.</summary>
    /// <param name="value">The field value.</param>
    /// <param name="limits">The limits, or <see langword="null"/> for the defaults.</param>
    /// <param name="list">The list, when the value is valid.</param>
    /// <returns><see langword="true"/> when the value is a valid List within the limits.</returns>
    public static bool TryParseList([NotNullWhen(true)] string? value, StructuredFieldLimits? limits, [NotNullWhen(true)] out SfList? list)
    {
        list = null;
        if (value is null)
        {
            return false;
        }

        var reader = new SfReader(value, limits ?? StructuredFieldLimits.Default);
        return reader.TryParseList(out list);
    }

    /// <summary>Parses an Item field value without throwing on malformed input. A <see langword="null"/> value fails.</summary>
    /// <param name="value">The field value.</param>
    /// <param name="limits">The limits, or <see langword="null"/> for the defaults.</param>
    /// <param name="item">The item, when the value is valid.</param>
    /// <returns><see langword="true"/> when the value is a valid Item within the limits.</returns>
    public static bool TryParseItem([NotNullWhen(true)] string? value, StructuredFieldLimits? limits, [NotNullWhen(true)] out SfItem? item)
    {
        item = null;
        if (value is null)
        {
            return false;
        }

        var reader = new SfReader(value, limits ?? StructuredFieldLimits.Default);
        return reader.TryParseItem(out item);
    }

    private static StructuredFieldException Failure(in SfReader reader) =>
        new($"{reader.Error} (at offset {reader.ErrorPosition}).", reader.ErrorPosition);
}
