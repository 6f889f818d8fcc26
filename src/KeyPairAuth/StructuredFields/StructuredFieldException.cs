namespace KeyPairAuth.StructuredFields;

/// <summary>
/// The one exception the structured-field parser throws: the whole field is invalid (RFC 9651 says a parse failure
/// fails the field). The message names what was wrong and where, and never echoes the field's content.
/// </summary>
internal sealed class StructuredFieldException : FormatException
{
    /// <summary>Initializes a new instance of the <see cref="StructuredFieldException"/> class.</summary>
    public StructuredFieldException()
        : this("The structured field is malformed.", -1)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="StructuredFieldException"/> class.</summary>
    /// <param name="message">The message.</param>
    public StructuredFieldException(string message)
        : this(message, -1)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="StructuredFieldException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public StructuredFieldException(string message, Exception innerException)
        : base(message, innerException)
    {
        Position = -1;
    }

    /// <summary>Initializes a new instance of the <see cref="StructuredFieldException"/> class.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="position">The character offset where parsing failed, or -1.</param>
    public StructuredFieldException(string message, int position)
        : base(message)
    {
        Position = position;
    }

    /// <summary>Gets the character offset at which parsing failed, or -1 when not applicable.</summary>
    public int Position { get; }
}
