namespace KeyPairAuth.Signatures;

/// <summary>
/// The closed set of reasons a signed request is refused. The same value is used by the verifier's result,
/// the ASP.NET Core scheme's response body, logs, metrics and events.
/// </summary>
/// <remarks>
/// Only the reasons for which <see cref="KeyPairFailureReasonExtensions.IsDisclosedBeforeVerification"/> returns
/// <see langword="true"/> can be learned by a caller whose signature has not verified. An unknown key and a bad
/// signature both surface as <see cref="InvalidSignature"/>, so probing does not reveal which key ids exist.
/// </remarks>
public enum KeyPairFailureReason
{
    /// <summary>The request carries no <c>Signature</c> / <c>Signature-Input</c> fields.</summary>
    MissingSignature = 1,

    /// <summary>A signature-related field (<c>Signature-Input</c>, <c>Signature</c>, <c>Content-Digest</c>) is not well formed, is too large, or names a component that cannot apply to a request.</summary>
    MalformedSignature,

    /// <summary>More signatures than the verifier examines are present.</summary>
    TooManySignatures,

    /// <summary>No signature covers the components and parameters the policy requires.</summary>
    InsufficientCoverage,

    /// <summary>The <c>alg</c> parameter names an algorithm other than <c>ed25519</c>.</summary>
    UnsupportedAlgorithm,

    /// <summary>The <c>created</c> timestamp is older than the allowed signature age.</summary>
    StaleTimestamp,

    /// <summary>The <c>created</c> timestamp is further in the future than the allowed clock skew.</summary>
    FutureTimestamp,

    /// <summary>The <c>expires</c> parameter lies in the past.</summary>
    SignatureExpired,

    /// <summary>The signature does not verify, or the key id is unknown (deliberately indistinguishable).</summary>
    InvalidSignature,

    /// <summary>The signature verified, but the (key id, nonce) pair was already accepted within the freshness window.</summary>
    ReplayedNonce,

    /// <summary>The signature verified, but the key has been revoked.</summary>
    KeyRevoked,

    /// <summary>The signature verified, but the key has expired.</summary>
    KeyExpired,

    /// <summary>The body does not match the covered <c>Content-Digest</c>, or no digest algorithm we support was offered.</summary>
    DigestMismatch,

    /// <summary>The body is larger than the configured limit.</summary>
    BodyTooLarge,

    /// <summary>The request authenticated, but the key lacks a scope the endpoint requires.</summary>
    ScopeMissing,

    /// <summary>
    /// The signature verified, but the replay cache is at its hard capacity and could not remember the nonce.
    /// The request is refused (fail closed) rather than silently re-opening replay.
    /// </summary>
    ReplayCacheFull,

    /// <summary>
    /// The signature verified, but this key has used its share of the replay cache within the freshness window.
    /// Only this key is slowed down (429 with <c>Retry-After</c>); other keys keep working.
    /// </summary>
    RateLimited,

    /// <summary>
    /// The replay cache could not be reached (for example a distributed cache is down or timed out). The request
    /// is refused (fail closed) rather than accepted without a replay check.
    /// </summary>
    ReplayCacheUnavailable,

    /// <summary>
    /// The request target cannot be bound to what the application routes on (for example an absolute-form target
    /// whose path the server's URI parser would rewrite, or a signed <c>@path</c> that differs from the path the
    /// application sees).
    /// </summary>
    UnsupportedRequestTarget,

    /// <summary>
    /// A component that the signature covered (method, scheme, authority, path base or target) was changed by
    /// middleware that ran after authentication, so the request the application is about to run is not the one
    /// that was signed.
    /// </summary>
    RequestAlteredAfterAuthentication,

    /// <summary>
    /// The body reached authentication already decoded (for example request decompression ran first), so its
    /// bytes are not the ones the client's <c>Content-Digest</c> covers.
    /// </summary>
    BodyDecodedBeforeAuthentication,

    /// <summary>An application event handler refused the request.</summary>
    RejectedByApplication,
}
