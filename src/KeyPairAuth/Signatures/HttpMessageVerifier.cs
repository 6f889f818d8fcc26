using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using KeyPairAuth.Replay;
using KeyPairAuth.Stores;
using KeyPairAuth.StructuredFields;
using Microsoft.Extensions.Primitives;
using NSec.Cryptography;

namespace KeyPairAuth.Signatures;

/// <summary>
/// Verifies RFC 9421 signatures on a request against the stored public keys, enforcing the policy in
/// <see cref="SignatureVerificationOptions"/>. Never throws for bad input: every refusal is a result with a
/// <see cref="KeyPairFailureReason"/>. Store failures propagate as exceptions (they are not the caller's fault).
/// </summary>
/// <remarks>
/// <para>Checks run cheapest first: field parsing and label pairing, then per signature its parameters, covered components
/// and timestamps, then the signature base, then the key lookup and the Ed25519 verification. Key revocation and expiry,
/// and the replay check, run only after the signature verified, so a caller who does not hold the private key learns
/// nothing about stored keys (an unknown key and a bad signature give the same result).</para>
/// <para>With several signatures the request authenticates with the first (in <c>Signature-Input</c> order) that satisfies the
/// whole policy. When none does, the failure reported is that of the signature that got furthest through the checks
/// (parsing, parameters and coverage, timestamps, signature base, cryptographic verification, key state and replay); on a tie, the first.</para>
/// </remarks>
public sealed class HttpMessageVerifier
{
    /// <summary>The longest <c>keyid</c> that is looked up; longer ones are malformed.</summary>
    public const int MaxKeyIdLength = 256;

    private const long MinUnixSeconds = -62_135_596_800; // DateTimeOffset.MinValue
    private const long MaxUnixSeconds = 253_402_300_799; // DateTimeOffset.MaxValue

    private const string InvalidSignatureDetail = "The signature does not verify.";

    private readonly PublicKeyCache _keys;
    private readonly IReplayCache _replayCache;
    private readonly SignatureVerificationOptions _options;
    private readonly TimeProvider _timeProvider;

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
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxSignatures, 1, "options.MaxSignatures");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxNonceLength, 1, "options.MaxNonceLength");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.MaxSignatureAge, TimeSpan.Zero, "options.MaxSignatureAge");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxFutureSkew, TimeSpan.Zero, "options.MaxFutureSkew");
        ArgumentNullException.ThrowIfNull(options.FieldLimits, "options.FieldLimits");
        _keys = keys;
        _replayCache = replayCache;
        _options = options;
        _timeProvider = timeProvider;
    }

    /// <summary>Verifies the request's signatures. The body digest itself is checked by the caller with <c>ContentDigestVerifier</c> (it streams).</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels store and replay-cache calls.</param>
    /// <returns>The result.</returns>
    public ValueTask<SignatureVerificationResult> VerifyAsync(IHttpRequestView request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        SignatureVerificationOptions options = _options;
        return TryParseFields(request, options, out SfDictionary? inputs, out SfDictionary? signatures, out SignatureVerificationResult? failure)
            ? VerifySignaturesAsync(request, inputs, signatures, options, cancellationToken)
            : new ValueTask<SignatureVerificationResult>(failure);
    }

    private static bool TryParseFields(
        IHttpRequestView request,
        SignatureVerificationOptions options,
        [NotNullWhen(true)] out SfDictionary? inputs,
        [NotNullWhen(true)] out SfDictionary? signatures,
        [NotNullWhen(false)] out SignatureVerificationResult? failure)
    {
        inputs = signatures = null;
        StringValues inputValues = request.GetFieldValues(SignatureFields.SignatureInputFieldName);
        StringValues signatureValues = request.GetFieldValues(SignatureFields.SignatureFieldName);
        if (inputValues.Count == 0 && signatureValues.Count == 0)
        {
            failure = Failures.Missing;
            return false;
        }

        if (inputValues.Count == 0 || signatureValues.Count == 0)
        {
            failure = Failures.OneFieldMissing;
            return false;
        }

        StructuredFieldLimits limits = options.FieldLimits;
        inputs = TryParseDictionary(inputValues, limits);
        signatures = inputs is null ? null : TryParseDictionary(signatureValues, limits);
        if (inputs is null || signatures is null)
        {
            failure = Failures.Unparsable;
            return false;
        }

        if (inputs.Members.Count > options.MaxSignatures || signatures.Members.Count > options.MaxSignatures)
        {
            failure = Failures.TooMany;
            return false;
        }

        // RFC 9421 §4: both fields carry the same labels; a label in one but not the other is an error.
        bool paired = inputs.Members.Count == signatures.Members.Count;
        for (int i = 0; paired && i < inputs.Members.Count; i++)
        {
            paired = FindMember(signatures, inputs.Members[i].Key) is not null;
        }

        if (!paired || inputs.Members.Count == 0)
        {
            failure = inputs.Members.Count == 0 ? Failures.Missing : Failures.Unpaired;
            return false;
        }

        failure = null;
        return true;
    }

    private static SfDictionary? TryParseDictionary(StringValues values, StructuredFieldLimits limits)
    {
        string value;
        if (values.Count == 1)
        {
            value = values[0] ?? string.Empty;
        }
        else
        {
            long total = 0;
            for (int i = 0; i < values.Count; i++)
            {
                total += (values[i]?.Length ?? 0) + 2;
            }

            if (total > limits.MaxFieldLength + 2)
            {
                return null;
            }

            value = string.Join(", ", values.ToArray());
        }

        if (value.Length > limits.MaxFieldLength)
        {
            return null;
        }

        try
        {
            return StructuredFieldParser.ParseDictionary(value, limits);
        }
        catch (StructuredFieldException)
        {
            return null;
        }
    }

    private static SfMember? FindMember(SfDictionary dictionary, string key)
    {
        IReadOnlyList<KeyValuePair<string, SfMember>> members = dictionary.Members;
        for (int i = 0; i < members.Count; i++)
        {
            if (string.Equals(members[i].Key, key, StringComparison.Ordinal))
            {
                return members[i].Value;
            }
        }

        return null;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<SignatureVerificationResult> VerifySignaturesAsync(
        IHttpRequestView request, SfDictionary inputs, SfDictionary signatures, SignatureVerificationOptions options, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _timeProvider.GetUtcNow();
        SignatureVerificationResult? best = null;
        Stage bestStage = Stage.None;
        bool anyExamined = false;

        for (int i = 0; i < inputs.Members.Count; i++)
        {
            string label = inputs.Members[i].Key;
            if (options.RequiredLabel is not null && !string.Equals(label, options.RequiredLabel, StringComparison.Ordinal))
            {
                continue;
            }

            anyExamined = true;
            SfMember signatureMember = FindMember(signatures, label)!;
            Candidate candidate = Check(request, inputs.Members[i].Value, signatureMember, options, now);
            if (candidate.Failure is not null)
            {
                Record(ref best, ref bestStage, candidate.Failure, candidate.Stage);
                continue;
            }

            SignatureBaseWriter writer;
            try
            {
                writer = SignatureBase.BuildPooled(request, candidate.Parameters!);
            }
            catch (SignatureBaseException)
            {
                Record(ref best, ref bestStage, Failures.BaseFailed, Stage.Base);
                continue;
            }

            PublicKeyRecord? key;
            try
            {
                key = await _keys.FindAsync(candidate.KeyId!, cancellationToken).ConfigureAwait(false);
                if (key is null || !SignatureAlgorithm.Ed25519.Verify(key.PublicKey.NSecKey, writer.WrittenSpan, candidate.Signature.Span))
                {
                    Record(ref best, ref bestStage, Failures.Invalid, Stage.Crypto);
                    continue;
                }
            }
            finally
            {
                writer.Dispose();
            }

            // Only now, with the private-key holder proven, may key state and replay be disclosed.
            if (key.IsRevoked)
            {
                Record(ref best, ref bestStage, SignatureVerificationResult.Fail(KeyPairFailureReason.KeyRevoked, "The key has been revoked.", key), Stage.Verified);
                continue;
            }

            if (key.IsExpiredAt(now))
            {
                Record(ref best, ref bestStage, SignatureVerificationResult.Fail(KeyPairFailureReason.KeyExpired, "The key has expired.", key), Stage.Verified);
                continue;
            }

            DateTimeOffset created = DateTimeOffset.FromUnixTimeSeconds(candidate.Created);
            if (candidate.Nonce is not null)
            {
                DateTimeOffset rememberUntil = AddSaturating(AddSaturating(created, options.MaxSignatureAge), options.MaxFutureSkew);
                ReplayCheckResult replay = await _replayCache.TryAddAsync(candidate.KeyId!, candidate.Nonce, rememberUntil, cancellationToken).ConfigureAwait(false);
                if (replay != ReplayCheckResult.Accepted)
                {
                    Record(
                        ref best,
                        ref bestStage,
                        replay == ReplayCheckResult.Replayed
                            ? SignatureVerificationResult.Fail(KeyPairFailureReason.ReplayedNonce, "The nonce has already been used.", key)
                            : SignatureVerificationResult.Fail(KeyPairFailureReason.ReplayCacheFull, "The nonce could not be recorded; retry later.", key),
                        Stage.Verified);
                    continue;
                }
            }

            return SignatureVerificationResult.Success(key, label, created, candidate.CoversContentDigest);
        }

        return anyExamined ? best! : Failures.NoLabel;
    }

    private static DateTimeOffset AddSaturating(DateTimeOffset value, TimeSpan add) =>
        DateTimeOffset.MaxValue - value <= add ? DateTimeOffset.MaxValue : value + add;

    private static void Record(ref SignatureVerificationResult? best, ref Stage bestStage, SignatureVerificationResult failure, Stage stage)
    {
        if (stage > bestStage)
        {
            best = failure;
            bestStage = stage;
        }
    }

    private static Candidate Check(IHttpRequestView request, SfMember input, SfMember signatureMember, SignatureVerificationOptions options, DateTimeOffset now)
    {
        if (input.InnerList is not { } innerList)
        {
            return Candidate.Fail(Failures.InputNotInnerList, Stage.Parsed);
        }

        if (signatureMember.Item is not { } signatureItem || signatureItem.Value.Type != SfBareItemType.ByteSequence)
        {
            return Candidate.Fail(Failures.SignatureNotBytes, Stage.Parsed);
        }

        // Signature parameters (RFC 9421 §2.3); unknown parameters are ignored.
        bool hasCreated = false, hasExpires = false;
        long created = 0, expires = 0;
        string? keyId = null, nonce = null, alg = null, tag = null;
        SfParameters signatureParameters = innerList.Parameters;
        for (int p = 0; p < signatureParameters.Count; p++)
        {
            KeyValuePair<string, SfBareItem> parameter = signatureParameters[p];
            SfBareItem value = parameter.Value;
            switch (parameter.Key)
            {
                case "created":
                    if (value.Type != SfBareItemType.Integer)
                    {
                        return Candidate.Fail(Failures.BadParameterType, Stage.Parsed);
                    }

                    hasCreated = true;
                    created = value.Integer;
                    break;
                case "expires":
                    if (value.Type != SfBareItemType.Integer)
                    {
                        return Candidate.Fail(Failures.BadParameterType, Stage.Parsed);
                    }

                    hasExpires = true;
                    expires = value.Integer;
                    break;
                case "keyid":
                case "nonce":
                case "alg":
                case "tag":
                    if (value.Type != SfBareItemType.String)
                    {
                        return Candidate.Fail(Failures.BadParameterType, Stage.Parsed);
                    }

                    string text = value.String;
                    switch (parameter.Key)
                    {
                        case "keyid": keyId = text; break;
                        case "nonce": nonce = text; break;
                        case "alg": alg = text; break;
                        default: tag = text; break;
                    }

                    break;
            }
        }

        if (keyId is not null && (keyId.Length == 0 || keyId.Length > MaxKeyIdLength))
        {
            return Candidate.Fail(Failures.BadKeyId, Stage.Parsed);
        }

        if (nonce is not null && (nonce.Length == 0 || nonce.Length > options.MaxNonceLength))
        {
            return Candidate.Fail(Failures.BadNonce, Stage.Parsed);
        }

        if (alg is not null && !string.Equals(alg, HttpMessageSigner.Algorithm, StringComparison.Ordinal))
        {
            return Candidate.Fail(Failures.UnsupportedAlgorithm, Stage.Policy);
        }

        if (!hasCreated)
        {
            return Candidate.Fail(Failures.NoCreated, Stage.Policy);
        }

        if (keyId is null)
        {
            return Candidate.Fail(Failures.NoKeyId, Stage.Policy);
        }

        if (nonce is null && options.RequireNonce)
        {
            return Candidate.Fail(Failures.NoNonce, Stage.Policy);
        }

        if (alg is null && options.RequireAlgorithmParameter)
        {
            return Candidate.Fail(Failures.NoAlg, Stage.Policy);
        }

        if (options.RequiredTag is not null && !string.Equals(tag, options.RequiredTag, StringComparison.Ordinal))
        {
            return Candidate.Fail(Failures.WrongTag, Stage.Policy);
        }

        // Covered components (design.md policy table).
        IReadOnlyList<SfItem> items = innerList.Items;
        bool method = false, authority = false, path = false, query = false, targetUri = false, contentDigest = false;
        for (int i = 0; i < items.Count; i++)
        {
            SfItem item = items[i];
            if (item.Value.Type != SfBareItemType.String || item.Parameters.Count != 0)
            {
                continue;
            }

            switch (item.Value.String)
            {
                case "@method": method = true; break;
                case "@authority": authority = true; break;
                case "@path": path = true; break;
                case "@query": query = true; break;
                case "@target-uri": targetUri = true; break;
                case "content-digest": contentDigest = true; break;
            }
        }

        if (!method || !((authority && path && query) || (targetUri && options.AllowTargetUri)))
        {
            return Candidate.Fail(options.AllowTargetUri ? Failures.CoverageRequest : Failures.CoverageRequestNoTargetUri, Stage.Policy);
        }

        if (request.HasContent && options.RequireContentDigestForContent && !contentDigest)
        {
            return Candidate.Fail(Failures.CoverageDigest, Stage.Policy);
        }

        IList<string> additional = options.AdditionalRequiredComponents;
        for (int r = 0; r < additional.Count; r++)
        {
            bool found = false;
            for (int i = 0; !found && i < items.Count; i++)
            {
                found = SignatureBase.IsPlain(items[i], additional[r]);
            }

            if (!found)
            {
                return Candidate.Fail(Failures.CoverageAdditional, Stage.Policy);
            }
        }

        // Timestamps, in milliseconds: |created| ≤ 999,999,999,999,999 so ×1000 cannot overflow a long.
        long nowMs = now.ToUnixTimeMilliseconds();
        if (hasExpires && expires * 1000 <= nowMs)
        {
            return Candidate.Fail(Failures.Expired, Stage.Time);
        }

        long ageMs = nowMs - (created * 1000);
        if (ageMs > (long)options.MaxSignatureAge.TotalMilliseconds)
        {
            return Candidate.Fail(Failures.Stale, Stage.Time);
        }

        if (-ageMs > (long)options.MaxFutureSkew.TotalMilliseconds)
        {
            return Candidate.Fail(Failures.Future, Stage.Time);
        }

        // Only reachable with extreme options (an age window of millennia): keep DateTimeOffset arithmetic in range.
        if (created < MinUnixSeconds || created > MaxUnixSeconds)
        {
            return Candidate.Fail(created < MinUnixSeconds ? Failures.Stale : Failures.Future, Stage.Time);
        }

        // An Ed25519 signature is 64 bytes; anything else cannot verify (reported like any bad signature, before the key lookup).
        ReadOnlyMemory<byte> signature = signatureItem.Value.Bytes;
        if (signature.Length != Keys.SigningKey.SignatureSize)
        {
            return Candidate.Fail(Failures.Invalid, Stage.Crypto);
        }

        return new Candidate(null, Stage.None, innerList, keyId, nonce, created, signature, contentDigest);
    }

    /// <summary>How far a signature got through the checks; the furthest failure is reported.</summary>
    private enum Stage
    {
        None = 0,
        Parsed = 1,
        Policy = 2,
        Time = 3,
        Base = 4,
        Crypto = 5,
        Verified = 6,
    }

    private readonly record struct Candidate(
        SignatureVerificationResult? Failure,
        Stage Stage,
        SfInnerList? Parameters,
        string? KeyId,
        string? Nonce,
        long Created,
        ReadOnlyMemory<byte> Signature,
        bool CoversContentDigest)
    {
        public static Candidate Fail(SignatureVerificationResult failure, Stage stage) => new(failure, stage, null, null, null, 0, default, false);
    }

    /// <summary>Pre-built failures: details are fixed text, never echo client input, and cost no allocation.</summary>
    private static class Failures
    {
        public static readonly SignatureVerificationResult Missing = Fail(KeyPairFailureReason.MissingSignature, "The request carries no Signature-Input and Signature fields.");
        public static readonly SignatureVerificationResult OneFieldMissing = Fail(KeyPairFailureReason.MalformedSignature, "Signature-Input and Signature must both be present.");
        public static readonly SignatureVerificationResult Unparsable = Fail(KeyPairFailureReason.MalformedSignature, "Signature-Input or Signature is not a valid structured-field dictionary, or is too large.");
        public static readonly SignatureVerificationResult TooMany = Fail(KeyPairFailureReason.TooManySignatures, "The request carries more signatures than are examined.");
        public static readonly SignatureVerificationResult Unpaired = Fail(KeyPairFailureReason.MalformedSignature, "Signature-Input and Signature do not carry the same labels.");
        public static readonly SignatureVerificationResult NoLabel = Fail(KeyPairFailureReason.InsufficientCoverage, "No signature carries the required label.");
        public static readonly SignatureVerificationResult InputNotInnerList = Fail(KeyPairFailureReason.MalformedSignature, "A Signature-Input member is not an inner list.");
        public static readonly SignatureVerificationResult SignatureNotBytes = Fail(KeyPairFailureReason.MalformedSignature, "A Signature member is not a byte sequence.");
        public static readonly SignatureVerificationResult BadParameterType = Fail(KeyPairFailureReason.MalformedSignature, "A signature parameter has the wrong type (created and expires are integers; keyid, nonce, alg and tag are strings).");
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
        public static readonly SignatureVerificationResult CoverageAdditional = Fail(KeyPairFailureReason.InsufficientCoverage, "The signature does not cover every component this endpoint requires.");
        public static readonly SignatureVerificationResult Expired = Fail(KeyPairFailureReason.SignatureExpired, "The signature's expires time has passed.");
        public static readonly SignatureVerificationResult Stale = Fail(KeyPairFailureReason.StaleTimestamp, "The signature's created time is too old.");
        public static readonly SignatureVerificationResult Future = Fail(KeyPairFailureReason.FutureTimestamp, "The signature's created time is too far in the future.");
        public static readonly SignatureVerificationResult BaseFailed = Fail(KeyPairFailureReason.MalformedSignature, "The signature base cannot be built: a covered component is unsupported, duplicated, not applicable to a request, or absent.");
        public static readonly SignatureVerificationResult Invalid = Fail(KeyPairFailureReason.InvalidSignature, InvalidSignatureDetail);

        private static SignatureVerificationResult Fail(KeyPairFailureReason reason, string detail) => SignatureVerificationResult.Fail(reason, detail);
    }
}
