namespace KeyPairAuth.Signatures;

/// <summary>
/// Optionally implemented by an <see cref="IHttpRequestView"/> whose request may be verified more than once, for example
/// by two authentication schemes with different policies in one application. It remembers the (key id, nonce) pairs the
/// replay cache accepted for this very request, so that a second verification of the same request is not refused as a
/// replay of the first one.
/// </summary>
/// <remarks>
/// Only the replay step is satisfied by the record: every verification still parses, checks its own policy (coverage,
/// parameters, freshness), verifies the Ed25519 signature and the key state. The record must be local to one request;
/// a record shared between requests would turn every replay into an accepted request.
/// </remarks>
public interface IRequestNonceRecord
{
    /// <summary>
    /// Gets whether the replay cache already accepted this (key id, nonce) pair for this same request. Asked by
    /// <see cref="HttpMessageVerifier"/> for a signature that verified, right before its replay check; when it answers
    /// <see langword="true"/>, the replay check is satisfied without a second check-and-set.
    /// </summary>
    /// <param name="keyId">The signature's <c>keyid</c>.</param>
    /// <param name="nonce">The signature's <c>nonce</c>.</param>
    /// <returns><see langword="true"/> when an earlier verification of this request had the pair accepted.</returns>
    bool WasAccepted(ReadOnlySpan<char> keyId, ReadOnlySpan<char> nonce);

    /// <summary>
    /// Records that the replay cache accepted the pair for this request. Called by <see cref="HttpMessageVerifier"/>
    /// right after the check-and-set succeeded. The memory stays valid for the request's lifetime (it slices the
    /// request's own field values), so it can be kept without copying.
    /// </summary>
    /// <param name="keyId">The signature's <c>keyid</c>.</param>
    /// <param name="nonce">The signature's <c>nonce</c>.</param>
    void RecordAccepted(ReadOnlyMemory<char> keyId, ReadOnlyMemory<char> nonce);
}
