namespace KeyPairAuth.Signatures;

/// <summary>Stable wire codes and disclosure rules for <see cref="KeyPairFailureReason"/>.</summary>
public static class KeyPairFailureReasonExtensions
{
    /// <summary>Gets the stable, lower-case error code used in problem responses, logs and metrics (for example <c>invalid_signature</c>).</summary>
    /// <param name="reason">The reason.</param>
    /// <returns>The error code.</returns>
    public static string ToErrorCode(this KeyPairFailureReason reason) => reason switch
    {
        KeyPairFailureReason.MissingSignature => "missing_signature",
        KeyPairFailureReason.MalformedSignature => "malformed_signature",
        KeyPairFailureReason.TooManySignatures => "too_many_signatures",
        KeyPairFailureReason.InsufficientCoverage => "insufficient_coverage",
        KeyPairFailureReason.UnsupportedAlgorithm => "unsupported_algorithm",
        KeyPairFailureReason.StaleTimestamp => "stale_timestamp",
        KeyPairFailureReason.FutureTimestamp => "future_timestamp",
        KeyPairFailureReason.SignatureExpired => "signature_expired",
        KeyPairFailureReason.InvalidSignature => "invalid_signature",
        KeyPairFailureReason.ReplayedNonce => "replayed_nonce",
        KeyPairFailureReason.KeyRevoked => "key_revoked",
        KeyPairFailureReason.KeyExpired => "key_expired",
        KeyPairFailureReason.DigestMismatch => "digest_mismatch",
        KeyPairFailureReason.BodyTooLarge => "body_too_large",
        KeyPairFailureReason.ScopeMissing => "scope_missing",
        KeyPairFailureReason.ReplayCacheFull => "replay_cache_full",
        KeyPairFailureReason.RateLimited => "rate_limited",
        KeyPairFailureReason.ReplayCacheUnavailable => "replay_cache_unavailable",
        KeyPairFailureReason.UnsupportedRequestTarget => "unsupported_request_target",
        KeyPairFailureReason.RequestAlteredAfterAuthentication => "request_altered_after_authentication",
        KeyPairFailureReason.BodyDecodedBeforeAuthentication => "body_decoded_before_authentication",
        KeyPairFailureReason.RejectedByApplication => "rejected_by_application",
        _ => "unknown",
    };

    /// <summary>
    /// Gets whether the reason may be reported to a caller whose signature has not (yet) verified.
    /// Revocation, expiry, replay and scope are only reported once the private-key holder is proven.
    /// </summary>
    /// <param name="reason">The reason.</param>
    /// <returns><see langword="true"/> when the reason reveals nothing about stored keys.</returns>
    internal static bool IsDisclosedBeforeVerification(this KeyPairFailureReason reason) => reason switch
    {
        KeyPairFailureReason.ReplayedNonce or KeyPairFailureReason.KeyRevoked or KeyPairFailureReason.KeyExpired
            or KeyPairFailureReason.ScopeMissing or KeyPairFailureReason.ReplayCacheFull
            or KeyPairFailureReason.RateLimited or KeyPairFailureReason.RejectedByApplication => false,
        _ => true,
    };
}
