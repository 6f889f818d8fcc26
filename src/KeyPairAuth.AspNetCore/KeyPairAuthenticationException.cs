using KeyPairAuth.Signatures;

namespace KeyPairAuth.AspNetCore;

/// <summary>
/// The <see cref="Microsoft.AspNetCore.Authentication.AuthenticateResult.Failure"/> of a refused signed request:
/// carries the <see cref="KeyPairFailureReason"/> that the challenge response, logs and metrics report.
/// Its message is the caller-safe detail and never holds secret material.
/// </summary>
public sealed class KeyPairAuthenticationException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="KeyPairAuthenticationException"/> class.</summary>
    public KeyPairAuthenticationException()
        : this(KeyPairFailureReason.InvalidSignature, "The request signature was refused.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="KeyPairAuthenticationException"/> class.</summary>
    /// <param name="message">The caller-safe message.</param>
    public KeyPairAuthenticationException(string message)
        : this(KeyPairFailureReason.InvalidSignature, message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="KeyPairAuthenticationException"/> class.</summary>
    /// <param name="message">The caller-safe message.</param>
    /// <param name="innerException">The cause.</param>
    public KeyPairAuthenticationException(string message, Exception innerException)
        : base(message, innerException) => Reason = KeyPairFailureReason.InvalidSignature;

    /// <summary>Initializes a new instance of the <see cref="KeyPairAuthenticationException"/> class.</summary>
    /// <param name="reason">Why the request was refused.</param>
    /// <param name="message">The caller-safe message.</param>
    public KeyPairAuthenticationException(KeyPairFailureReason reason, string message)
        : base(message) => Reason = reason;

    /// <summary>Gets why the request was refused.</summary>
    public KeyPairFailureReason Reason { get; }
}
