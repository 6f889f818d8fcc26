namespace KeyPairAuth.Signatures;

/// <summary>
/// The checks on a signature's parameters, coverage and timestamps (docs/protocol.md §2 and §3), before any key is involved:
/// they need only the request and <see cref="SignatureVerificationOptions"/>, and they run in this order.
/// </summary>
internal static class VerificationPolicy
{
    private const long MinUnixSeconds = -62_135_596_800; // DateTimeOffset.MinValue
    private const long MaxUnixSeconds = 253_402_300_799; // DateTimeOffset.MaxValue

    /// <summary>Checks the parameters, then the coverage, then the timestamps.</summary>
    /// <param name="request">The request (whether it has content decides whether <c>content-digest</c> is required).</param>
    /// <param name="p">The signature's parameters and coverage.</param>
    /// <param name="options">The policy.</param>
    /// <param name="now">The verification time.</param>
    /// <param name="stage">The stage of the failure, when there is one.</param>
    /// <returns>The failure, or <see langword="null"/> when the signature satisfies the policy.</returns>
    public static SignatureVerificationResult? Check(IHttpRequestView request, in SignatureParameters p, SignatureVerificationOptions options, DateTimeOffset now, out VerificationStage stage)
    {
        stage = VerificationStage.Parsed;
        if (p.HasKeyId && (p.KeyId.Length == 0 || p.KeyId.Length > SignatureProfile.MaxKeyIdLength))
        {
            return VerificationFailures.BadKeyId;
        }

        if (p.HasNonce && (p.Nonce.Length == 0 || p.Nonce.Length > options.MaxNonceLength))
        {
            return VerificationFailures.BadNonce;
        }

        stage = VerificationStage.Policy;
        if ((CheckParameters(in p, options) ?? CheckCoverage(request, in p, options)) is { } failure)
        {
            return failure;
        }

        stage = VerificationStage.Time;
        if (CheckTime(in p, options, now) is { } stale)
        {
            return stale;
        }

        stage = VerificationStage.None;
        return null;
    }

    /// <summary>When a verified pair may leave the replay cache: after it the signature is stale anyway.</summary>
    /// <param name="created">The signature's <c>created</c> time.</param>
    /// <param name="options">The policy.</param>
    /// <returns><c>created + MaxSignatureAge + MaxFutureSkew</c>, saturating.</returns>
    public static DateTimeOffset RememberUntil(DateTimeOffset created, SignatureVerificationOptions options) =>
        AddSaturating(AddSaturating(created, options.MaxSignatureAge), options.MaxFutureSkew);

    private static SignatureVerificationResult? CheckParameters(in SignatureParameters p, SignatureVerificationOptions options)
    {
        if (p.HasAlg && !p.Alg.Span.SequenceEqual(HttpMessageSigner.Algorithm))
        {
            return VerificationFailures.UnsupportedAlgorithm;
        }

        if (!p.HasCreated)
        {
            return VerificationFailures.NoCreated;
        }

        if (!p.HasKeyId)
        {
            return VerificationFailures.NoKeyId;
        }

        if (!p.HasNonce && options.RequireNonce)
        {
            return VerificationFailures.NoNonce;
        }

        if (!p.HasAlg && options.RequireAlgorithmParameter)
        {
            return VerificationFailures.NoAlg;
        }

        if (options.RequiredTag is not null && !(p.HasTag && p.Tag.Span.SequenceEqual(options.RequiredTag)))
        {
            return VerificationFailures.WrongTag;
        }

        return null;
    }

    private static SignatureVerificationResult? CheckCoverage(IHttpRequestView request, in SignatureParameters p, SignatureVerificationOptions options)
    {
        if (!p.Method || !((p.Authority && p.Path && p.Query) || (p.TargetUri && options.AllowTargetUri)))
        {
            return options.AllowTargetUri ? VerificationFailures.CoverageRequest : VerificationFailures.CoverageRequestNoTargetUri;
        }

        if (request.HasContent && options.RequireContentDigestForContent && !p.ContentDigest)
        {
            return VerificationFailures.CoverageDigest;
        }

        if (!p.CoversAdditional)
        {
            return VerificationFailures.CoverageAdditional;
        }

        // @target-uri carries the scheme too, so it binds it just as well.
        if (options.RequireScheme && !p.Scheme && !p.TargetUri)
        {
            return VerificationFailures.CoverageScheme;
        }

        return null;
    }

    private static SignatureVerificationResult? CheckTime(in SignatureParameters p, SignatureVerificationOptions options, DateTimeOffset now)
    {
        // In milliseconds: |created| ≤ 999,999,999,999,999 (the parser's Integer range) so ×1000 cannot overflow a long.
        long nowMs = now.ToUnixTimeMilliseconds();
        if (p.HasExpires && p.Expires * 1000 <= nowMs)
        {
            return VerificationFailures.Expired;
        }

        long ageMs = nowMs - (p.Created * 1000);
        if (ageMs > (long)options.MaxSignatureAge.TotalMilliseconds)
        {
            return VerificationFailures.Stale;
        }

        if (-ageMs > (long)options.MaxFutureSkew.TotalMilliseconds)
        {
            return VerificationFailures.Future;
        }

        // Only reachable with extreme options (an age window of millennia): keep DateTimeOffset arithmetic in range.
        if (p.Created < MinUnixSeconds || p.Created > MaxUnixSeconds)
        {
            return p.Created < MinUnixSeconds ? VerificationFailures.Stale : VerificationFailures.Future;
        }

        return null;
    }

    private static DateTimeOffset AddSaturating(DateTimeOffset value, TimeSpan add) =>
        DateTimeOffset.MaxValue - value <= add ? DateTimeOffset.MaxValue : value + add;
}
