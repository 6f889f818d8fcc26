namespace KeyPairAuth.Keys;

/// <summary>
/// The one exception thrown when a key, secret string, PEM or JWK cannot be read.
/// The message says precisely what was wrong and never contains secret material.
/// </summary>
public sealed class KeyFormatException : FormatException
{
    /// <summary>Initializes a new instance of the <see cref="KeyFormatException"/> class.</summary>
    public KeyFormatException()
        : this(KeyFormatError.Malformed, "The key is malformed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="KeyFormatException"/> class.</summary>
    /// <param name="message">The message.</param>
    public KeyFormatException(string message)
        : this(KeyFormatError.Malformed, message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="KeyFormatException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public KeyFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = KeyFormatError.Malformed;
    }

    /// <summary>Initializes a new instance of the <see cref="KeyFormatException"/> class.</summary>
    /// <param name="error">What was wrong.</param>
    /// <param name="message">The message; must not contain secret material.</param>
    public KeyFormatException(KeyFormatError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>Gets what was wrong with the input.</summary>
    public KeyFormatError Error { get; }
}
