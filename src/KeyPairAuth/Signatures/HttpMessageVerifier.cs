using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using KeyPairAuth.Keys;
using KeyPairAuth.Replay;
using KeyPairAuth.Stores;
using KeyPairAuth.StructuredFields;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using NSec.Cryptography;

namespace KeyPairAuth.Signatures;

/// <summary>
/// Verifies RFC 9421 signatures on a request against the stored public keys, enforcing the policy in
/// <see cref="SignatureVerificationOptions"/>. Never throws for bad input: every refusal is a result with a
/// <see cref="KeyPairFailureReason"/>. Store failures propagate as exceptions (they are not the caller's fault).
/// </summary>
/// <remarks>
/// <para>Each signature goes through one pipeline, cheapest checks first: its parameters, covered components and
/// timestamps, then the signature base, then the key lookup and the Ed25519 verification. Key revocation and expiry,
/// and the replay check, run only after the signature verified, so a caller who does not hold the private key learns
/// nothing about stored keys (an unknown key and a bad signature give the same result, in the same time).</para>
/// <para>With several signatures the request authenticates with the first (in <c>Signature-Input</c> order) that satisfies the
/// whole policy. When none does, the failure reported is that of the signature that got furthest through the checks
/// (parsing, parameters and coverage, timestamps, signature base, cryptographic verification, key state and replay); on a tie, the first.</para>
/// </remarks>
public sealed partial class HttpMessageVerifier
{
    // Stands in for an unknown key id so that "unknown key" costs one Ed25519 verification, exactly like "bad
    // signature": the answers are identical, and so is the time they take (no key-existence timing oracle).
    private static readonly PublicKey DecoyKey = CreateDecoyKey();

    /// <summary>Gets how many decoy verifications ran on this thread (a test seam: time itself is not asserted).</summary>
    [ThreadStatic]
    internal static int DecoyVerifications;

    private readonly PublicKeyCache _keys;
    private readonly IReplayCache _replayCache;
    private readonly ISpanReplayCache? _spanReplayCache;
    private readonly SignatureVerificationOptions _options;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance of the <see cref="HttpMessageVerifier"/> class over its own key cache.</summary>
    /// <param name="store">The key store; lookups go through a <see cref="PublicKeyCache"/> with the default <see cref="PublicKeyCacheOptions"/> that this verifier owns.</param>
    /// <param name="replayCache">The replay cache.</param>
    /// <param name="options">The policy.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <remarks>
    /// The ASP.NET Core scheme shares the application's key cache instead, which the issuer clears when it revokes a key.
    /// A key revoked elsewhere is refused by this verifier once its cached record expires (<see cref="PublicKeyCacheOptions.Duration"/>).
    /// </remarks>
    public HttpMessageVerifier(IPublicKeyStore store, IReplayCache replayCache, SignatureVerificationOptions options, TimeProvider timeProvider)
        : this(new PublicKeyCache(store ?? throw new ArgumentNullException(nameof(store)), timeProvider ?? throw new ArgumentNullException(nameof(timeProvider))), replayCache, options, timeProvider)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="HttpMessageVerifier"/> class over a shared key cache.</summary>
    /// <param name="keys">The cached key lookup.</param>
    /// <param name="replayCache">The replay cache; one that implements <see cref="ISpanReplayCache"/> is called without allocating strings.</param>
    /// <param name="options">The policy.</param>
    /// <param name="timeProvider">The clock.</param>
    internal HttpMessageVerifier(PublicKeyCache keys, IReplayCache replayCache, SignatureVerificationOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(replayCache);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);

        // The same rules, and messages, as the options validator the host runs at start-up.
        ValidateOptionsResult validation = new SignatureVerificationOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(nameof(SignatureVerificationOptions), typeof(SignatureVerificationOptions), validation.Failures);
        }

        _keys = keys;
        _replayCache = replayCache;
        _spanReplayCache = replayCache as ISpanReplayCache;
        _options = options;
        _timeProvider = timeProvider;
    }

    /// <summary>Gets or sets whether the allocation-free reading of the common field shape is used (tests turn it off to compare the two readers).</summary>
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

        // The common shape (one signature, plain components) is read in place; anything else, valid or not, goes
        // through the general reader. Both produce the same candidates for the same pipeline.
        if (FastPathEnabled
            && inputValues.Count == 1
            && signatureValues.Count == 1
            && options.MaxSignatures >= 1
            && FastSignatureFields.TryRead(inputValues[0], signatureValues[0], options.FieldLimits, out FastSignatureFields fields))
        {
            return VerifySingle(request, ref fields, options, cancellationToken);
        }

        if (!TryParseFields(inputValues, signatureValues, options, out SfDictionary? inputs, out SfDictionary? signatures, out SignatureVerificationResult? failure))
        {
            return new ValueTask<SignatureVerificationResult>(failure);
        }

        return VerifyEach(request, inputs, signatures, 0, default, options, _timeProvider.GetUtcNow(), cancellationToken);
    }

    private ValueTask<SignatureVerificationResult> VerifySingle(IHttpRequestView request, ref FastSignatureFields fields, SignatureVerificationOptions options, CancellationToken cancellationToken)
    {
        // One signature: its failure is the result.
        if (options.RequiredLabel is not null && !fields.LabelSpan.SequenceEqual(options.RequiredLabel))
        {
            return new ValueTask<SignatureVerificationResult>(VerificationFailures.NoLabel);
        }

        SignatureCandidate candidate = SignatureCandidate.Read(ref fields, options.AdditionalRequiredComponents, out SignatureVerificationResult? unreadable);
        if (unreadable is not null)
        {
            return new ValueTask<SignatureVerificationResult>(unreadable);
        }

        ValueTask<CandidateOutcome> outcome = Check(request, ref candidate, options, _timeProvider.GetUtcNow(), cancellationToken);
        return outcome.IsCompletedSuccessfully
            ? new ValueTask<SignatureVerificationResult>(outcome.Result.Result)
            : ResultAsync(outcome);

        static async ValueTask<SignatureVerificationResult> ResultAsync(ValueTask<CandidateOutcome> pending) => (await pending.ConfigureAwait(false)).Result;
    }

    /// <summary>Checks the signatures from <paramref name="index"/> on, in <c>Signature-Input</c> order, until one succeeds.</summary>
    private ValueTask<SignatureVerificationResult> VerifyEach(
        IHttpRequestView request, SfDictionary inputs, SfDictionary signatures, int index, BestFailure best, SignatureVerificationOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (; index < inputs.Members.Count; index++)
        {
            string label = inputs.Members[index].Key;
            if (options.RequiredLabel is not null && !string.Equals(label, options.RequiredLabel, StringComparison.Ordinal))
            {
                continue;
            }

            SignatureCandidate candidate = SignatureCandidate.Read(
                label, inputs.Members[index].Value, FindMember(signatures, label)!, options.AdditionalRequiredComponents, out SignatureVerificationResult? unreadable);
            if (unreadable is not null)
            {
                best.Record(new CandidateOutcome(unreadable, VerificationStage.Parsed));
                continue;
            }

            ValueTask<CandidateOutcome> pending = Check(request, ref candidate, options, now, cancellationToken);
            if (!pending.IsCompletedSuccessfully)
            {
                return VerifyRestAsync(pending, request, inputs, signatures, index, best, options, now, cancellationToken);
            }

            CandidateOutcome outcome = pending.Result;
            if (outcome.Result.Succeeded)
            {
                return new ValueTask<SignatureVerificationResult>(outcome.Result);
            }

            best.Record(outcome);
        }

        return new ValueTask<SignatureVerificationResult>(best.Result ?? VerificationFailures.NoLabel);
    }

    private async ValueTask<SignatureVerificationResult> VerifyRestAsync(
        ValueTask<CandidateOutcome> pending, IHttpRequestView request, SfDictionary inputs, SfDictionary signatures, int index, BestFailure best, SignatureVerificationOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        CandidateOutcome outcome = await pending.ConfigureAwait(false);
        if (outcome.Result.Succeeded)
        {
            return outcome.Result;
        }

        best.Record(outcome);
        return await VerifyEach(request, inputs, signatures, index + 1, best, options, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The pipeline every signature goes through, whichever reader read it: parameters, coverage and timestamps; the
    /// signature base; the key lookup and the Ed25519 verification (against a decoy for an unknown key); then, with the
    /// private-key holder proven, the key's state and the replay check.
    /// </summary>
    private ValueTask<CandidateOutcome> Check(IHttpRequestView request, ref SignatureCandidate candidate, SignatureVerificationOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (VerificationPolicy.Check(request, in candidate.Parameters, options, now, out VerificationStage stage) is { } refused)
        {
            return Refuse(refused, stage);
        }

        // An Ed25519 signature is 64 bytes; anything else cannot verify (reported like any bad signature, before the key lookup).
        ReadOnlySpan<byte> signature = candidate.Signature;
        if (signature.Length != SigningKey.SignatureSize)
        {
            return Refuse(VerificationFailures.Invalid, VerificationStage.Crypto);
        }

        SignatureBaseWriter writer;
        try
        {
            writer = candidate.BuildBase(request);
        }
        catch (SignatureBaseException)
        {
            return Refuse(VerificationFailures.BaseFailed, VerificationStage.Base);
        }

        bool handedOver = false;
        PublicKeyRecord? key;
        try
        {
            ReadOnlyMemory<char> keyId = candidate.Parameters.KeyId;
            if (!_keys.TryGetFresh(keyId.Span, out key))
            {
                ValueTask<PublicKeyRecord?> find = _keys.FindAsync(keyId.ToString(), cancellationToken);
                if (!find.IsCompletedSuccessfully)
                {
                    handedOver = true;
                    return VerifyAfterLookupAsync(find, writer, signature.ToArray(), candidate.Parameters, options, now, request as IRequestNonceRecord, cancellationToken);
                }

                key = find.Result;
            }

            if (!VerifySignature(key, writer.WrittenSpan, signature))
            {
                return Refuse(VerificationFailures.Invalid, VerificationStage.Crypto);
            }
        }
        finally
        {
            if (!handedOver)
            {
                writer.Dispose();
            }
        }

        return Conclude(key, in candidate.Parameters, options, now, request as IRequestNonceRecord, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<CandidateOutcome> VerifyAfterLookupAsync(
        ValueTask<PublicKeyRecord?> find,
        SignatureBaseWriter writer,
        byte[] signature,
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
                return new CandidateOutcome(VerificationFailures.Invalid, VerificationStage.Crypto);
            }
        }
        finally
        {
            writer.Dispose();
        }

        return await Conclude(key, in p, options, now, nonceRecord, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The steps after the signature verified: the key's state, then the replay check (synchronous with an <see cref="ISpanReplayCache"/>).</summary>
    private ValueTask<CandidateOutcome> Conclude(
        PublicKeyRecord key, in SignatureParameters p, SignatureVerificationOptions options, DateTimeOffset now, IRequestNonceRecord? nonceRecord, CancellationToken cancellationToken)
    {
        if (VerificationFailures.KeyState(key, now) is { } keyState)
        {
            return Refuse(keyState, VerificationStage.Verified);
        }

        DateTimeOffset created = DateTimeOffset.FromUnixTimeSeconds(p.Created);
        if (p.HasNonce && !WasAcceptedForThisRequest(nonceRecord, p.KeyId.Span, p.Nonce.Span))
        {
            DateTimeOffset rememberUntil = VerificationPolicy.RememberUntil(created, options);
            ReplayCheckResult replay;
            if (_spanReplayCache is { } spanCache)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return ValueTask.FromCanceled<CandidateOutcome>(cancellationToken);
                }

                replay = spanCache.TryAdd(p.KeyId.Span, p.Nonce.Span, rememberUntil);
            }
            else
            {
                ValueTask<ReplayCheckResult> pending = _replayCache.TryAddAsync(p.KeyId.ToString(), p.Nonce.ToString(), rememberUntil, cancellationToken);
                if (!pending.IsCompletedSuccessfully)
                {
                    return ConcludeAfterReplayAsync(pending, key, p, created, nonceRecord);
                }

                replay = pending.Result;
            }

            if (replay != ReplayCheckResult.Accepted)
            {
                return Refuse(VerificationFailures.Replay(replay, key), VerificationStage.Verified);
            }

            nonceRecord?.RecordAccepted(p.KeyId, p.Nonce);
        }

        return new ValueTask<CandidateOutcome>(Succeed(key, in p, created));
    }

    private static async ValueTask<CandidateOutcome> ConcludeAfterReplayAsync(
        ValueTask<ReplayCheckResult> pending, PublicKeyRecord key, SignatureParameters p, DateTimeOffset created, IRequestNonceRecord? nonceRecord)
    {
        ReplayCheckResult replay = await pending.ConfigureAwait(false);
        if (replay != ReplayCheckResult.Accepted)
        {
            return new CandidateOutcome(VerificationFailures.Replay(replay, key), VerificationStage.Verified);
        }

        nonceRecord?.RecordAccepted(p.KeyId, p.Nonce);
        return Succeed(key, in p, created);
    }

    private static CandidateOutcome Succeed(PublicKeyRecord key, in SignatureParameters p, DateTimeOffset created) =>
        new(SignatureVerificationResult.Success(key, LabelString(p.Label), created, p.ContentDigest), VerificationStage.None);

    private static ValueTask<CandidateOutcome> Refuse(SignatureVerificationResult failure, VerificationStage stage) =>
        new(new CandidateOutcome(failure, stage));

    /// <summary>
    /// Several authentication schemes may verify the same request: a (key id, nonce) pair the replay cache already
    /// accepted for this very request is not a replay of it (see <see cref="IRequestNonceRecord"/>). Only the replay
    /// step is satisfied this way; everything before it ran for this verification.
    /// </summary>
    private static bool WasAcceptedForThisRequest(IRequestNonceRecord? nonceRecord, ReadOnlySpan<char> keyId, ReadOnlySpan<char> nonce) =>
        nonceRecord is not null && nonceRecord.WasAccepted(keyId, nonce);

    /// <summary>The label for the result: the usual ones, and a label the general reader already holds as a string, without allocating.</summary>
    private static string LabelString(ReadOnlyMemory<char> label) => label.Span switch
    {
        "sig1" => "sig1",
        "sig2" => "sig2",
        "sig" => "sig",
        _ => label.ToString(),
    };

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

    /// <summary>The failure of the signature that got furthest through the pipeline; on a tie, the first.</summary>
    private struct BestFailure
    {
        private VerificationStage _stage;

        public SignatureVerificationResult? Result { get; private set; }

        public void Record(CandidateOutcome outcome)
        {
            if (Result is null || outcome.Stage > _stage)
            {
                Result = outcome.Result;
                _stage = outcome.Stage;
            }
        }
    }
}
