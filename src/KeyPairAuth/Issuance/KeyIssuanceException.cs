namespace KeyPairAuth.Issuance;

/// <summary>
/// Thrown by <see cref="IKeyPairIssuer"/> when a request is invalid or the owner is at the active-key limit.
/// <see cref="Error"/> says which; the message is precise and safe to show to the user.
/// </summary>
public sealed class KeyIssuanceException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="KeyIssuanceException"/> class.</summary>
    public KeyIssuanceException()
        : this(KeyIssuanceError.InvalidRequest, "The key request is invalid.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="KeyIssuanceException"/> class.</summary>
    /// <param name="message">The message.</param>
    public KeyIssuanceException(string message)
        : this(KeyIssuanceError.InvalidRequest, message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="KeyIssuanceException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public KeyIssuanceException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = KeyIssuanceError.InvalidRequest;
    }

    /// <summary>Initializes a new instance of the <see cref="KeyIssuanceException"/> class.</summary>
    /// <param name="error">What was wrong.</param>
    /// <param name="message">The message.</param>
    public KeyIssuanceException(KeyIssuanceError error, string message)
        : base(message)
    {
        Error = error;
    }

    /// <summary>Gets what was wrong.</summary>
    public KeyIssuanceError Error { get; }
}
