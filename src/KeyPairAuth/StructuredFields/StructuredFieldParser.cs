namespace KeyPairAuth.StructuredFields;

/// <summary>
/// Strict RFC 9651 (RFC 8941) parser for the field types HTTP Message Signatures use. Any failure fails the whole
/// field with a <see cref="StructuredFieldException"/>; work is linear in the input and bounded by <see cref="StructuredFieldLimits"/>.
/// </summary>
public static class StructuredFieldParser
{
    /// <summary>Parses a Dictionary field value (e.g. <c>Signature-Input</c>, <c>Signature</c>, <c>Content-Digest</c>).</summary>
    /// <param name="value">The field value (several field lines already combined with <c>", "</c>).</param>
    /// <param name="limits">The limits, or <see langword="null"/> for <see cref="StructuredFieldLimits.Default"/>.</param>
    /// <returns>The dictionary.</returns>
    /// <exception cref="StructuredFieldException">The value is not a valid Dictionary or exceeds a limit.</exception>
    public static SfDictionary ParseDictionary(string value, StructuredFieldLimits? limits = null) =>
        throw new NotImplementedException();

    /// <summary>Parses a List field value.</summary>
    /// <param name="value">The field value.</param>
    /// <param name="limits">The limits, or <see langword="null"/> for the defaults.</param>
    /// <returns>The list.</returns>
    /// <exception cref="StructuredFieldException">The value is not a valid List or exceeds a limit.</exception>
    public static SfList ParseList(string value, StructuredFieldLimits? limits = null) =>
        throw new NotImplementedException();

    /// <summary>Parses an Item field value.</summary>
    /// <param name="value">The field value.</param>
    /// <param name="limits">The limits, or <see langword="null"/> for the defaults.</param>
    /// <returns>The item.</returns>
    /// <exception cref="StructuredFieldException">The value is not a valid Item or exceeds a limit.</exception>
    public static SfItem ParseItem(string value, StructuredFieldLimits? limits = null) =>
        throw new NotImplementedException();
}
