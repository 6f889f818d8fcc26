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

/// <summary>What was wrong with a key, secret string, PEM or JWK.</summary>
public enum KeyFormatError
{
    /// <summary>The input is not in any format we read.</summary>
    Malformed = 1,

    /// <summary>A secret string does not start with the KeyPairAuth prefix.</summary>
    WrongPrefix,

    /// <summary>The input has the wrong length (for example a truncated secret, or a 31-byte key).</summary>
    WrongLength,

    /// <summary>The input contains characters outside its encoding's alphabet.</summary>
    BadEncoding,

    /// <summary>The checksum does not match: the secret was mistyped or truncated.</summary>
    ChecksumMismatch,

    /// <summary>The key is of another algorithm (RSA, P-256, ...), not Ed25519.</summary>
    UnsupportedAlgorithm,

    /// <summary>The bytes decode but are not a valid Ed25519 key.</summary>
    InvalidKey,

    /// <summary>A key id is not in the KeyPairAuth key-id format.</summary>
    InvalidKeyId,
}
