namespace KeyPairAuth.Signatures;

/// <summary>The signature base cannot be built: the message says which component and why.</summary>
public sealed class SignatureBaseException : FormatException
{
    /// <summary>Initializes a new instance of the <see cref="SignatureBaseException"/> class.</summary>
    public SignatureBaseException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SignatureBaseException"/> class.</summary>
    /// <param name="message">The message.</param>
    public SignatureBaseException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SignatureBaseException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public SignatureBaseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
