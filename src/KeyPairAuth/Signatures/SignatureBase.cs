using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Signatures;

/// <summary>
/// The one canonicalisation (RFC 9421 §2.5): builds the signature base from a request and the covered components.
/// Used by both <see cref="HttpMessageSigner"/> and <see cref="HttpMessageVerifier"/>, so client and server cannot drift.
/// </summary>
public static class SignatureBase
{
    /// <summary>Builds the signature base.</summary>
    /// <param name="request">The request.</param>
    /// <param name="signatureParams">The inner list of covered component identifiers with the signature parameters (the value of <c>@signature-params</c>).</param>
    /// <returns>The signature base, without a trailing newline.</returns>
    /// <exception cref="SignatureBaseException">A component is unsupported, does not apply to a request, is duplicated, or is absent from the request.</exception>
    public static string Build(IHttpRequestView request, SfInnerList signatureParams) => throw new NotImplementedException();
}

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
