using KeyPairAuth.Replay;
using KeyPairAuth.Stores;

namespace KeyPairAuth.Signatures;

/// <summary>
/// Every refusal <see cref="HttpMessageVerifier"/> can give. The details are fixed text that never echoes client input,
/// and the failures disclosed before verification are pre-built, so a refusal costs no allocation.
/// </summary>
internal static class VerificationFailures
{
    public const string InvalidSignatureDetail = "The signature does not verify.";

    // Reading the fields.
    public static readonly SignatureVerificationResult Missing = Fail(KeyPairFailureReason.MissingSignature, "The request carries no Signature-Input and Signature fields.");
    public static readonly SignatureVerificationResult OneFieldMissing = Fail(KeyPairFailureReason.MalformedSignature, "Signature-Input and Signature must both be present.");
    public static readonly SignatureVerificationResult Unparsable = Fail(KeyPairFailureReason.MalformedSignature, "Signature-Input or Signature is not a valid structured-field dictionary, or is too large.");
    public static readonly SignatureVerificationResult TooMany = Fail(KeyPairFailureReason.TooManySignatures, "The request carries more signatures than are examined.");
    public static readonly SignatureVerificationResult Unpaired = Fail(KeyPairFailureReason.MalformedSignature, "Signature-Input and Signature do not carry the same labels.");
    public static readonly SignatureVerificationResult NoLabel = Fail(KeyPairFailureReason.InsufficientCoverage, "No signature carries the required label.");
    public static readonly SignatureVerificationResult InputNotInnerList = Fail(KeyPairFailureReason.MalformedSignature, "A Signature-Input member is not an inner list.");
    public static readonly SignatureVerificationResult SignatureNotBytes = Fail(KeyPairFailureReason.MalformedSignature, "A Signature member is not a byte sequence.");
    public static readonly SignatureVerificationResult BadParameterType = Fail(KeyPairFailureReason.MalformedSignature, "A signature parameter has the wrong type (created and expires are integers; keyid, nonce, alg and tag are strings).");

    // Parameters and coverage (VerificationPolicy).
    public static readonly SignatureVerificationResult BadKeyId = Fail(KeyPairFailureReason.MalformedSignature, "The keyid parameter is empty or too long.");
    public static readonly SignatureVerificationResult BadNonce = Fail(KeyPairFailureReason.MalformedSignature, "The nonce parameter is empty or too long.");
    public static readonly SignatureVerificationResult UnsupportedAlgorithm = Fail(KeyPairFailureReason.UnsupportedAlgorithm, "Only the ed25519 algorithm is accepted.");
    public static readonly SignatureVerificationResult NoCreated = Fail(KeyPairFailureReason.InsufficientCoverage, "The created parameter is required.");
    public static readonly SignatureVerificationResult NoKeyId = Fail(KeyPairFailureReason.InsufficientCoverage, "The keyid parameter is required.");
    public static readonly SignatureVerificationResult NoNonce = Fail(KeyPairFailureReason.InsufficientCoverage, "The nonce parameter is required.");
    public static readonly SignatureVerificationResult NoAlg = Fail(KeyPairFailureReason.InsufficientCoverage, "The alg parameter is required.");
    public static readonly SignatureVerificationResult WrongTag = Fail(KeyPairFailureReason.InsufficientCoverage, "The signature does not carry the required tag.");
    public static readonly SignatureVerificationResult CoverageRequest = Fail(KeyPairFailureReason.InsufficientCoverage, "The signature must cover @method and either @authority, @path and @query, or @target-uri.");
    public static readonly SignatureVerificationResult CoverageRequestNoTargetUri = Fail(KeyPairFailureReason.InsufficientCoverage, "The signature must cover @method, @authority, @path and @query.");
    public static readonly SignatureVerificationResult CoverageDigest = Fail(KeyPairFailureReason.InsufficientCoverage, "The request has content, so the signature must cover content-digest.");
    public static readonly SignatureVerificationResult CoverageScheme = Fail(KeyPairFailureReason.InsufficientCoverage, "The signature must cover @scheme (or @target-uri).");
    public static readonly SignatureVerificationResult CoverageAdditional = Fail(KeyPairFailureReason.InsufficientCoverage, "The signature does not cover every component this endpoint requires.");

    // Freshness.
    public static readonly SignatureVerificationResult Expired = Fail(KeyPairFailureReason.SignatureExpired, "The signature's expires time has passed.");
    public static readonly SignatureVerificationResult Stale = Fail(KeyPairFailureReason.StaleTimestamp, "The signature's created time is too old.");
    public static readonly SignatureVerificationResult Future = Fail(KeyPairFailureReason.FutureTimestamp, "The signature's created time is too far in the future.");

    // The signature base and the signature itself.
    public static readonly SignatureVerificationResult BaseFailed = Fail(KeyPairFailureReason.MalformedSignature, "The signature base cannot be built: a covered component is unsupported, duplicated, not applicable to a request, or absent.");
    public static readonly SignatureVerificationResult Invalid = Fail(KeyPairFailureReason.InvalidSignature, InvalidSignatureDetail);

    /// <summary>The key's state, disclosed only once the signature verified with it (the result names the key).</summary>
    public static SignatureVerificationResult? KeyState(PublicKeyRecord key, DateTimeOffset now) =>
        key.IsRevoked ? SignatureVerificationResult.Fail(KeyPairFailureReason.KeyRevoked, "The key has been revoked.", key)
        : key.IsExpiredAt(now) ? SignatureVerificationResult.Fail(KeyPairFailureReason.KeyExpired, "The key has expired.", key)
        : null;

    /// <summary>A replay-cache refusal, disclosed only once the signature verified (the result names the key).</summary>
    public static SignatureVerificationResult Replay(ReplayCheckResult replay, PublicKeyRecord key) => replay switch
    {
        ReplayCheckResult.Replayed => SignatureVerificationResult.Fail(KeyPairFailureReason.ReplayedNonce, "The nonce has already been used.", key),
        ReplayCheckResult.RateLimited => SignatureVerificationResult.Fail(KeyPairFailureReason.RateLimited, "This key has sent too many requests within the freshness window; retry later.", key),
        ReplayCheckResult.Unavailable => SignatureVerificationResult.Fail(KeyPairFailureReason.ReplayCacheUnavailable, "The replay cache is unavailable; retry later.", key),
        _ => SignatureVerificationResult.Fail(KeyPairFailureReason.ReplayCacheFull, "The nonce could not be recorded; retry later.", key),
    };

    private static SignatureVerificationResult Fail(KeyPairFailureReason reason, string detail) => SignatureVerificationResult.Fail(reason, detail);
}

/// <summary>How far a signature got through the pipeline; with several signatures the furthest failure is reported.</summary>
internal enum VerificationStage
{
    None = 0,
    Parsed = 1,
    Policy = 2,
    Time = 3,
    Base = 4,
    Crypto = 5,
    Verified = 6,
}

/// <summary>What the pipeline concluded for one candidate: a success, or a failure and the stage it was found at.</summary>
/// <param name="Result">The result.</param>
/// <param name="Stage">The stage of a failure.</param>
internal readonly record struct CandidateOutcome(SignatureVerificationResult Result, VerificationStage Stage);
