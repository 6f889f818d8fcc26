using KeyPairAuth.Replay;
using KeyPairAuth.Stores;

namespace KeyPairAuth.Signatures;

/// <summary>
/// Verifies RFC 9421 signatures on a request against the stored public keys, enforcing the policy in
/// <see cref="SignatureVerificationOptions"/>. Never throws for bad input: every refusal is a result with a
/// <see cref="KeyPairFailureReason"/>. Store failures propagate as exceptions (they are not the caller's fault).
/// </summary>
public sealed class HttpMessageVerifier
{
    /// <summary>Initializes a new instance of the <see cref="HttpMessageVerifier"/> class.</summary>
    /// <param name="keys">The cached key lookup.</param>
    /// <param name="replayCache">The replay cache.</param>
    /// <param name="options">The policy.</param>
    /// <param name="timeProvider">The clock.</param>
    public HttpMessageVerifier(PublicKeyCache keys, IReplayCache replayCache, SignatureVerificationOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(replayCache);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        throw new NotImplementedException();
    }

    /// <summary>Verifies the request's signatures. The body digest itself is checked by the caller with <c>ContentDigestVerifier</c> (it streams).</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels store and replay-cache calls.</param>
    /// <returns>The result.</returns>
    public ValueTask<SignatureVerificationResult> VerifyAsync(IHttpRequestView request, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}
