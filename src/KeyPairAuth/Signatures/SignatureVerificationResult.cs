using KeyPairAuth.Stores;

namespace KeyPairAuth.Signatures;

/// <summary>The outcome of <see cref="HttpMessageVerifier.VerifyAsync"/>.</summary>
public sealed class SignatureVerificationResult
{
    private SignatureVerificationResult()
    {
    }

    /// <summary>Gets whether a signature satisfied the whole policy.</summary>
    /// <remarks>
    /// <b>Security: this says nothing about the body.</b> <see cref="HttpMessageVerifier.VerifyAsync"/> verifies the
    /// signature over the <c>Content-Digest</c> field, not the bytes: when <see cref="CoversContentDigest"/> is
    /// <see langword="true"/> the caller must check the body with
    /// <see cref="Digests.ContentDigestVerifier.VerifyAsync(Microsoft.Extensions.Primitives.StringValues, Stream, long, long?, StructuredFields.StructuredFieldLimits?, CancellationToken)"/>
    /// before trusting it. ASP.NET Core callers use the authentication scheme, or <c>HttpMessageVerifier.VerifyAsync(HttpContext, ...)</c>
    /// from KeyPairAuth.AspNetCore, which check both and succeed only then.
    /// </remarks>
    public bool Succeeded => Failure is null;

    /// <summary>Gets why the request was refused, or <see langword="null"/> on success.</summary>
    public KeyPairFailureReason? Failure { get; private init; }

    /// <summary>Gets a short explanation safe to return to the caller (never secret material, never whether a key id exists before the signature verified).</summary>
    public string? FailureDetail { get; private init; }

    /// <summary>Gets the key that signed, on success (and for failures disclosed only after verification).</summary>
    public PublicKeyRecord? Key { get; private init; }

    /// <summary>Gets the label of the signature that verified.</summary>
    public string? Label { get; private init; }

    /// <summary>Gets the <c>created</c> time of the verified signature.</summary>
    public DateTimeOffset? Created { get; private init; }

    /// <summary>
    /// Gets whether the verified signature covers <c>content-digest</c>. <b>When <see langword="true"/>, the caller MUST
    /// check the body</b> against the field with
    /// <see cref="Digests.ContentDigestVerifier.VerifyAsync(Microsoft.Extensions.Primitives.StringValues, Stream, long, long?, StructuredFields.StructuredFieldLimits?, CancellationToken)"/>
    /// before using it: until then an attacker who replays the signed fields can send any body.
    /// </summary>
    public bool CoversContentDigest { get; private init; }

    /// <summary>Creates a success.</summary>
    /// <param name="key">The key.</param>
    /// <param name="label">The label.</param>
    /// <param name="created">The created time.</param>
    /// <param name="coversContentDigest">Whether <c>content-digest</c> is covered.</param>
    /// <returns>The result.</returns>
    internal static SignatureVerificationResult Success(PublicKeyRecord key, string label, DateTimeOffset created, bool coversContentDigest) =>
        new() { Key = key, Label = label, Created = created, CoversContentDigest = coversContentDigest };

    /// <summary>Creates a failure.</summary>
    /// <param name="reason">The reason.</param>
    /// <param name="detail">A caller-safe detail.</param>
    /// <param name="key">The key, only for reasons disclosed after verification.</param>
    /// <returns>The result.</returns>
    internal static SignatureVerificationResult Fail(KeyPairFailureReason reason, string detail, PublicKeyRecord? key = null) =>
        new() { Failure = reason, FailureDetail = detail, Key = key };
}
