using KeyPairAuth.Signatures;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>A verification policy and the verifier that enforces it.</summary>
internal sealed class VerificationPolicy(SignatureVerificationOptions options, HttpMessageVerifier verifier)
{
    public SignatureVerificationOptions Options { get; } = options;

    public HttpMessageVerifier Verifier { get; } = verifier;
}
