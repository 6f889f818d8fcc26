using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using KeyPairAuth.Replay;
using KeyPairAuth.Stores;
using KeyPairAuth.StructuredFields;
using KeyPairAuth.StructuredFields.Internal;
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

    // Stands in for an unknown key id so that "unknown key" costs one Ed25519 verification, exactly like "bad
    // signature": the answers are identical, and so is the time they take (no key-existence timing oracle).
    private static readonly PublicKey DecoyKey = CreateDecoyKey();

    /// <summary>Gets how many decoy verifications ran on this thread (a test seam: time itself is not asserted).</summary>
    [ThreadStatic]
    internal static int DecoyVerifications;

    private readonly PublicKeyCache _keys;
    private readonly IReplayCache _replayCache;
    private readonly SignatureVerificationOptions _options;
    private readonly TimeProvider _timeProvider;
    private CappedLimits? _cappedLimits;

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

    /// <summary>Gets or sets whether the allocation-free reading of the common field shape is used (tests turn it off to compare with the generic path).</summary>
    internal bool FastPathEnabled { get; set; } = true;

    /// <summary>Verifies the request's signatures. The body digest itself is checked by the caller with <c>ContentDigestVerifier</c> (it streams).</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels store and replay-cache calls.</param>
    /// <returns>The result.</returns>
    public ValueTask<SignatureVerificationResult> VerifyAsync(IHttpRequestView request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        SignatureVerificationOptions options = _options;
        StringValues inputValues = request.GetFieldValues(SignatureFields.SignatureInputFieldName);
        StringValues signatureValues = request.GetFieldValues(SignatureFields.SignatureFieldName);

        // The common shape (one signature, plain components) is read without building the generic parse result; anything
        // else, valid or not, goes through the generic parser, so both paths give the same answer.
        if (FastPathEnabled
            && inputValues.Count == 1
            && signatureValues.Count == 1
            && options.MaxSignatures >= 1
            && FastSignatureFields.TryRead(inputValues[0], signatureValues[0], options.FieldLimits, out FastSignatureFields fields))
        {
            return VerifyFast(request, in fields, options, cancellationToken);
        }

        return TryParseFields(inputValues, signatureValues, options, out SfDictionary? inputs, out SfDictionary? signatures, out SignatureVerificationResult? failure)
            ? VerifySignaturesAsync(request, inputs, signatures, options, cancellationToken)
            : new ValueTask<SignatureVerificationResult>(failure);
    }

    private bool TryParseFields(
        StringValues inputValues,
        StringValues signatureValues,
        SignatureVerificationOptions options,
        [NotNullWhen(true)] out SfDictionary? inputs,
        [NotNullWhen(true)] out SfDictionary? signatures,
        [NotNullWhen(false)] out SignatureVerificationResult? failure)
    {
        inputs = signatures = null;
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

        // More than MaxSignatures members is refused anyway, so the parse stops after MaxSignatures + 1 of them: a
        // hostile 8 KB field of many members costs a few members' work, not the whole field's.
        StructuredFieldLimits limits = ParseLimits(options, out bool capped);
        inputs = TryParseDictionary(inputValues, limits, capped, out bool tooManyInputs);
        bool tooManySignatures = false;
        if (inputs is not null || tooManyInputs)
        {
            signatures = TryParseDictionary(signatureValues, limits, capped, out tooManySignatures);
        }

        if ((inputs is null && !tooManyInputs) || (signatures is null && !tooManySignatures))
        {
            failure = Failures.Unparsable;
            return false;
        }

        if (inputs is null || signatures is null || inputs.Members.Count > options.MaxSignatures || signatures.Members.Count > options.MaxSignatures)
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
            failure = paired ? Failures.Missing : Failures.Unpaired;
            return false;
        }

        failure = null;
        return true;
    }

    /// <summary>The field limits with <see cref="StructuredFieldLimits.MaxMembers"/> lowered to <c>MaxSignatures + 1</c> (cached).</summary>
    private StructuredFieldLimits ParseLimits(SignatureVerificationOptions options, out bool capped)
    {
        StructuredFieldLimits limits = options.FieldLimits;
        if ((long)options.MaxSignatures + 1 >= limits.MaxMembers)
        {
            capped = false;
            return limits;
        }

        capped = true;
        CappedLimits? cached = _cappedLimits;
        if (cached is null || !ReferenceEquals(cached.Source, limits) || cached.MaxSignatures != options.MaxSignatures)
        {
            cached = new CappedLimits(limits, options.MaxSignatures);
            _cappedLimits = cached;
        }

        return cached.Limits;
    }

    private static SfDictionary? TryParseDictionary(StringValues values, StructuredFieldLimits limits, bool capped, out bool tooManyMembers)
    {
        tooManyMembers = false;
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

        var reader = new SfReader(value, limits);
        if (reader.TryParseDictionary(out SfDictionary? dictionary))
        {
            return dictionary;
        }

        // Only the lowered limit means "too many signatures"; the configured MaxMembers still fails the field.
        tooManyMembers = capped && reader.MemberLimitExceeded;
        return null;
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
                if (!VerifySignature(key, writer.WrittenSpan, candidate.Signature.Span))
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
            if (KeyStateFailure(key, now) is { } keyState)
            {
                Record(ref best, ref bestStage, keyState, Stage.Verified);
                continue;
            }

            DateTimeOffset created = DateTimeOffset.FromUnixTimeSeconds(candidate.Created);
            if (candidate.Nonce is not null && !WasAcceptedForThisRequest(request as IRequestNonceRecord, candidate.KeyId, candidate.Nonce))
            {
                ReplayCheckResult replay = await _replayCache.TryAddAsync(candidate.KeyId!, candidate.Nonce, RememberUntil(created, options), cancellationToken).ConfigureAwait(false);
                if (replay != ReplayCheckResult.Accepted)
                {
                    Record(ref best, ref bestStage, ReplayFailure(replay, key), Stage.Verified);
                    continue;
                }

                (request as IRequestNonceRecord)?.RecordAccepted(candidate.KeyId.AsMemory(), candidate.Nonce.AsMemory());
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

    private static DateTimeOffset RememberUntil(DateTimeOffset created, SignatureVerificationOptions options) =>
        AddSaturating(AddSaturating(created, options.MaxSignatureAge), options.MaxFutureSkew);

    private static SignatureVerificationResult? KeyStateFailure(PublicKeyRecord key, DateTimeOffset now) =>
        key.IsRevoked ? SignatureVerificationResult.Fail(KeyPairFailureReason.KeyRevoked, "The key has been revoked.", key)
        : key.IsExpiredAt(now) ? SignatureVerificationResult.Fail(KeyPairFailureReason.KeyExpired, "The key has expired.", key)
        : null;

    private static SignatureVerificationResult ReplayFailure(ReplayCheckResult replay, PublicKeyRecord key) => replay switch
    {
        ReplayCheckResult.Replayed => SignatureVerificationResult.Fail(KeyPairFailureReason.ReplayedNonce, "The nonce has already been used.", key),
        ReplayCheckResult.RateLimited => SignatureVerificationResult.Fail(KeyPairFailureReason.RateLimited, "This key has sent too many requests within the freshness window; retry later.", key),
        ReplayCheckResult.Unavailable => SignatureVerificationResult.Fail(KeyPairFailureReason.ReplayCacheUnavailable, "The replay cache is unavailable; retry later.", key),
        _ => SignatureVerificationResult.Fail(KeyPairFailureReason.ReplayCacheFull, "The nonce could not be recorded; retry later.", key),
    };

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
        var p = default(SignatureParameters);
        SfParameters signatureParameters = innerList.Parameters;
        for (int i = 0; i < signatureParameters.Count; i++)
        {
            KeyValuePair<string, SfBareItem> parameter = signatureParameters[i];
            SfBareItem value = parameter.Value;
            bool isInteger = value.Type == SfBareItemType.Integer;
            bool isString = value.Type == SfBareItemType.String;
            if (!p.Accept(parameter.Key, isInteger, isInteger ? value.Integer : 0, isString, isString ? value.String.AsMemory() : default))
            {
                return Candidate.Fail(Failures.BadParameterType, Stage.Parsed);
            }
        }

        // Covered components (design.md policy table).
        IReadOnlyList<SfItem> items = innerList.Items;
        for (int i = 0; i < items.Count; i++)
        {
            SfItem item = items[i];
            if (item.Value.Type == SfBareItemType.String && item.Parameters.Count == 0)
            {
                p.Cover(item.Value.String);
            }
        }

        IList<string> additional = options.AdditionalRequiredComponents;
        p.CoversAdditional = true;
        for (int r = 0; p.CoversAdditional && r < additional.Count; r++)
        {
            bool found = false;
            for (int i = 0; !found && i < items.Count; i++)
            {
                found = SignatureBase.IsPlain(items[i], additional[r]);
            }

            p.CoversAdditional = found;
        }

        if (CheckPolicy(request, in p, options, now, out Stage stage) is { } failure)
        {
            return Candidate.Fail(failure, stage);
        }

        // An Ed25519 signature is 64 bytes; anything else cannot verify (reported like any bad signature, before the key lookup).
        ReadOnlyMemory<byte> signature = signatureItem.Value.Bytes;
        if (signature.Length != Keys.SigningKey.SignatureSize)
        {
            return Candidate.Fail(Failures.Invalid, Stage.Crypto);
        }

        return new Candidate(null, Stage.None, innerList, p.KeyId.ToString(), p.HasNonce ? p.Nonce.ToString() : null, p.Created, signature, p.ContentDigest);
    }

    /// <summary>The checks on parameters, coverage and time that both the generic and the fast path apply, in this order.</summary>
    private static SignatureVerificationResult? CheckPolicy(IHttpRequestView request, in SignatureParameters p, SignatureVerificationOptions options, DateTimeOffset now, out Stage stage)
    {
        stage = Stage.Parsed;
        if (p.HasKeyId && (p.KeyId.Length == 0 || p.KeyId.Length > MaxKeyIdLength))
        {
            return Failures.BadKeyId;
        }

        if (p.HasNonce && (p.Nonce.Length == 0 || p.Nonce.Length > options.MaxNonceLength))
        {
            return Failures.BadNonce;
        }

        stage = Stage.Policy;
        if (p.HasAlg && !p.Alg.Span.SequenceEqual(HttpMessageSigner.Algorithm))
        {
            return Failures.UnsupportedAlgorithm;
        }

        if (!p.HasCreated)
        {
            return Failures.NoCreated;
        }

        if (!p.HasKeyId)
        {
            return Failures.NoKeyId;
        }

        if (!p.HasNonce && options.RequireNonce)
        {
            return Failures.NoNonce;
        }

        if (!p.HasAlg && options.RequireAlgorithmParameter)
        {
            return Failures.NoAlg;
        }

        if (options.RequiredTag is not null && !(p.HasTag && p.Tag.Span.SequenceEqual(options.RequiredTag)))
        {
            return Failures.WrongTag;
        }

        if (!p.Method || !((p.Authority && p.Path && p.Query) || (p.TargetUri && options.AllowTargetUri)))
        {
            return options.AllowTargetUri ? Failures.CoverageRequest : Failures.CoverageRequestNoTargetUri;
        }

        if (request.HasContent && options.RequireContentDigestForContent && !p.ContentDigest)
        {
            return Failures.CoverageDigest;
        }

        if (!p.CoversAdditional)
        {
            return Failures.CoverageAdditional;
        }

        // @target-uri carries the scheme too, so it binds it just as well.
        if (options.RequireScheme && !p.Scheme && !p.TargetUri)
        {
            return Failures.CoverageScheme;
        }

        // Timestamps, in milliseconds: |created| ≤ 999,999,999,999,999 so ×1000 cannot overflow a long.
        stage = Stage.Time;
        long nowMs = now.ToUnixTimeMilliseconds();
        if (p.HasExpires && p.Expires * 1000 <= nowMs)
        {
            return Failures.Expired;
        }

        long ageMs = nowMs - (p.Created * 1000);
        if (ageMs > (long)options.MaxSignatureAge.TotalMilliseconds)
        {
            return Failures.Stale;
        }

        if (-ageMs > (long)options.MaxFutureSkew.TotalMilliseconds)
        {
            return Failures.Future;
        }

        // Only reachable with extreme options (an age window of millennia): keep DateTimeOffset arithmetic in range.
        if (p.Created < MinUnixSeconds || p.Created > MaxUnixSeconds)
        {
            return p.Created < MinUnixSeconds ? Failures.Stale : Failures.Future;
        }

        stage = Stage.None;
        return null;
    }

    private ValueTask<SignatureVerificationResult> VerifyFast(IHttpRequestView request, in FastSignatureFields fields, SignatureVerificationOptions options, CancellationToken cancellationToken)
    {
        // One signature: its failure is the result. The order of checks is the generic path's.
        if (options.RequiredLabel is not null && !fields.LabelSpan.SequenceEqual(options.RequiredLabel))
        {
            return new ValueTask<SignatureVerificationResult>(Failures.NoLabel);
        }

        DateTimeOffset now = _timeProvider.GetUtcNow();
        var p = default(SignatureParameters);
        for (int i = 0; i < fields.ParameterCount; i++)
        {
            FastParameter parameter = fields.Parameter(i);
            if (!p.Accept(fields.Slice(parameter.Key), !parameter.IsString, parameter.Integer, parameter.IsString, parameter.IsString ? fields.SliceMemory(parameter.Text) : default))
            {
                return new ValueTask<SignatureVerificationResult>(Failures.BadParameterType);
            }
        }

        for (int i = 0; i < fields.ItemCount; i++)
        {
            p.Cover(fields.Item(i));
        }

        IList<string> additional = options.AdditionalRequiredComponents;
        p.CoversAdditional = true;
        for (int r = 0; p.CoversAdditional && r < additional.Count; r++)
        {
            bool found = false;
            for (int i = 0; !found && i < fields.ItemCount; i++)
            {
                found = fields.Item(i).SequenceEqual(additional[r]);
            }

            p.CoversAdditional = found;
        }

        if (CheckPolicy(request, in p, options, now, out _) is { } failure)
        {
            return new ValueTask<SignatureVerificationResult>(failure);
        }

        SignatureBaseWriter writer;
        try
        {
            writer = SignatureBase.BuildPooled(request, in fields);
        }
        catch (SignatureBaseException)
        {
            return new ValueTask<SignatureVerificationResult>(Failures.BaseFailed);
        }

        ReadOnlyMemory<char> label = fields.SliceMemory(fields.Label);
        bool handedOver = false;
        PublicKeyRecord? key;
        try
        {
            if (!_keys.TryGetFresh(p.KeyId.Span, out key))
            {
                ValueTask<PublicKeyRecord?> find = _keys.FindAsync(p.KeyId.ToString(), cancellationToken);
                if (!find.IsCompletedSuccessfully)
                {
                    handedOver = true;
                    return VerifyAfterLookupAsync(find, writer, fields.Signature.ToArray(), label, p, options, now, request as IRequestNonceRecord, cancellationToken);
                }

                key = find.Result;
            }

            if (!VerifySignature(key, writer.WrittenSpan, fields.Signature))
            {
                return new ValueTask<SignatureVerificationResult>(Failures.Invalid);
            }
        }
        finally
        {
            if (!handedOver)
            {
                writer.Dispose();
            }
        }

        return FinishFast(key, label, in p, options, now, request as IRequestNonceRecord, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<SignatureVerificationResult> VerifyAfterLookupAsync(
        ValueTask<PublicKeyRecord?> find,
        SignatureBaseWriter writer,
        byte[] signature,
        ReadOnlyMemory<char> label,
        SignatureParameters p,
        SignatureVerificationOptions options,
        DateTimeOffset now,
        IRequestNonceRecord? nonceRecord,
        CancellationToken cancellationToken)
    {
        PublicKeyRecord? key;
        try
        {
            key = await find.ConfigureAwait(false);
            if (!VerifySignature(key, writer.WrittenSpan, signature))
            {
                return Failures.Invalid;
            }
        }
        finally
        {
            writer.Dispose();
        }

        return await FinishFast(key, label, in p, options, now, nonceRecord, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Key state and replay for a verified fast-path signature; synchronous with <see cref="InMemoryReplayCache"/>.</summary>
    private ValueTask<SignatureVerificationResult> FinishFast(
        PublicKeyRecord key, ReadOnlyMemory<char> label, in SignatureParameters p, SignatureVerificationOptions options, DateTimeOffset now, IRequestNonceRecord? nonceRecord, CancellationToken cancellationToken)
    {
        if (KeyStateFailure(key, now) is { } keyState)
        {
            return new ValueTask<SignatureVerificationResult>(keyState);
        }

        DateTimeOffset created = DateTimeOffset.FromUnixTimeSeconds(p.Created);
        if (p.HasNonce && !WasAcceptedForThisRequest(nonceRecord, p.KeyId.Span, p.Nonce.Span))
        {
            DateTimeOffset rememberUntil = RememberUntil(created, options);
            ReplayCheckResult replay;
            if (_replayCache is InMemoryReplayCache memory)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return ValueTask.FromCanceled<SignatureVerificationResult>(cancellationToken);
                }

                replay = memory.TryAdd(p.KeyId.Span, p.Nonce.Span, rememberUntil);
            }
            else
            {
                ValueTask<ReplayCheckResult> pending = _replayCache.TryAddAsync(p.KeyId.ToString(), p.Nonce.ToString(), rememberUntil, cancellationToken);
                if (!pending.IsCompletedSuccessfully)
                {
                    return FinishAfterReplayAsync(pending, key, LabelString(label.Span), created, p.ContentDigest, nonceRecord, p.KeyId, p.Nonce);
                }

                replay = pending.Result;
            }

            if (replay != ReplayCheckResult.Accepted)
            {
                return new ValueTask<SignatureVerificationResult>(ReplayFailure(replay, key));
            }

            nonceRecord?.RecordAccepted(p.KeyId, p.Nonce);
        }

        return new ValueTask<SignatureVerificationResult>(SignatureVerificationResult.Success(key, LabelString(label.Span), created, p.ContentDigest));
    }

    private static async ValueTask<SignatureVerificationResult> FinishAfterReplayAsync(
        ValueTask<ReplayCheckResult> pending,
        PublicKeyRecord key,
        string label,
        DateTimeOffset created,
        bool coversContentDigest,
        IRequestNonceRecord? nonceRecord,
        ReadOnlyMemory<char> keyId,
        ReadOnlyMemory<char> nonce)
    {
        ReplayCheckResult replay = await pending.ConfigureAwait(false);
        if (replay != ReplayCheckResult.Accepted)
        {
            return ReplayFailure(replay, key);
        }

        nonceRecord?.RecordAccepted(keyId, nonce);
        return SignatureVerificationResult.Success(key, label, created, coversContentDigest);
    }

    /// <summary>
    /// Several authentication schemes may verify the same request: a (key id, nonce) pair the replay cache already
    /// accepted for this very request is not a replay of it (see <see cref="IRequestNonceRecord"/>). Only the replay
    /// step is satisfied this way; everything before it ran for this verification.
    /// </summary>
    private static bool WasAcceptedForThisRequest(IRequestNonceRecord? nonceRecord, ReadOnlySpan<char> keyId, ReadOnlySpan<char> nonce) =>
        nonceRecord is not null && nonceRecord.WasAccepted(keyId, nonce);

    /// <summary>The label for the result: the usual ones without allocating.</summary>
    private static string LabelString(ReadOnlySpan<char> label) => label switch
    {
        "sig1" => "sig1",
        "sig2" => "sig2",
        "sig" => "sig",
        _ => label.ToString(),
    };

    /// <summary>A signature's parameters and plain covered components, as both paths read them.</summary>
    private struct SignatureParameters
    {
        public bool HasCreated;
        public bool HasExpires;
        public bool HasKeyId;
        public bool HasNonce;
        public bool HasAlg;
        public bool HasTag;
        public long Created;
        public long Expires;
        public ReadOnlyMemory<char> KeyId;
        public ReadOnlyMemory<char> Nonce;
        public ReadOnlyMemory<char> Alg;
        public ReadOnlyMemory<char> Tag;
        public bool Method;
        public bool Authority;
        public bool Path;
        public bool Query;
        public bool TargetUri;
        public bool ContentDigest;
        public bool Scheme;
        public bool CoversAdditional;

        /// <summary>Takes one parameter (later duplicates already resolved by the parser); false when a known one has the wrong type.</summary>
        public bool Accept(ReadOnlySpan<char> key, bool isInteger, long integer, bool isString, ReadOnlyMemory<char> text)
        {
            switch (key)
            {
                case "created":
                    HasCreated = isInteger;
                    Created = integer;
                    return isInteger;
                case "expires":
                    HasExpires = isInteger;
                    Expires = integer;
                    return isInteger;
                case "keyid":
                    HasKeyId = isString;
                    KeyId = text;
                    return isString;
                case "nonce":
                    HasNonce = isString;
                    Nonce = text;
                    return isString;
                case "alg":
                    HasAlg = isString;
                    Alg = text;
                    return isString;
                case "tag":
                    HasTag = isString;
                    Tag = text;
                    return isString;
                default:
                    return true;
            }
        }

        /// <summary>Records a covered component that is a bare name.</summary>
        public void Cover(ReadOnlySpan<char> name)
        {
            switch (name)
            {
                case "@method": Method = true; break;
                case "@authority": Authority = true; break;
                case "@path": Path = true; break;
                case "@query": Query = true; break;
                case "@target-uri": TargetUri = true; break;
                case "content-digest": ContentDigest = true; break;
                case "@scheme": Scheme = true; break;
            }
        }
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
    /// <summary>The configured field limits with the member limit lowered to one more than the signatures examined.</summary>
    private sealed class CappedLimits(StructuredFieldLimits source, int maxSignatures)
    {
        public StructuredFieldLimits Source { get; } = source;

        public int MaxSignatures { get; } = maxSignatures;

        public StructuredFieldLimits Limits { get; } = new()
        {
            MaxFieldLength = source.MaxFieldLength,
            MaxMembers = maxSignatures + 1,
            MaxInnerListItems = source.MaxInnerListItems,
            MaxParameters = source.MaxParameters,
        };
    }

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
        public static readonly SignatureVerificationResult CoverageScheme = Fail(KeyPairFailureReason.InsufficientCoverage, "The signature must cover @scheme (or @target-uri).");
        public static readonly SignatureVerificationResult CoverageAdditional = Fail(KeyPairFailureReason.InsufficientCoverage, "The signature does not cover every component this endpoint requires.");
        public static readonly SignatureVerificationResult Expired = Fail(KeyPairFailureReason.SignatureExpired, "The signature's expires time has passed.");
        public static readonly SignatureVerificationResult Stale = Fail(KeyPairFailureReason.StaleTimestamp, "The signature's created time is too old.");
        public static readonly SignatureVerificationResult Future = Fail(KeyPairFailureReason.FutureTimestamp, "The signature's created time is too far in the future.");
        public static readonly SignatureVerificationResult BaseFailed = Fail(KeyPairFailureReason.MalformedSignature, "The signature base cannot be built: a covered component is unsupported, duplicated, not applicable to a request, or absent.");
        public static readonly SignatureVerificationResult Invalid = Fail(KeyPairFailureReason.InvalidSignature, InvalidSignatureDetail);

        private static SignatureVerificationResult Fail(KeyPairFailureReason reason, string detail) => SignatureVerificationResult.Fail(reason, detail);
    }

    /// <summary>Verifies with the stored key, or burns one verification against a decoy when the key id is unknown.</summary>
    private static bool VerifySignature([NotNullWhen(true)] PublicKeyRecord? key, ReadOnlySpan<byte> signatureBase, ReadOnlySpan<byte> signature)
    {
        if (key is null)
        {
            _ = SignatureAlgorithm.Ed25519.Verify(DecoyKey, signatureBase, signature);
            DecoyVerifications++;
            return false;
        }

        return SignatureAlgorithm.Ed25519.Verify(key.PublicKey.NSecKey, signatureBase, signature);
    }

    private static PublicKey CreateDecoyKey()
    {
        using Key key = Key.Create(SignatureAlgorithm.Ed25519);
        return key.PublicKey;
    }
}
