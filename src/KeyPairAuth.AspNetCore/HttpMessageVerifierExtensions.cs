using KeyPairAuth.Digests;
using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;
using Microsoft.AspNetCore.Http;

namespace KeyPairAuth.AspNetCore;

/// <summary>
/// Verifies an ASP.NET Core request outside the authentication scheme with the scheme's own rules:
/// <c>await verifier.VerifyAsync(httpContext, maxBodySize: 1 &lt;&lt; 20, bodyBufferThreshold: 64 &lt;&lt; 10)</c>.
/// </summary>
public static class HttpMessageVerifierExtensions
{
    private const string TooLargeDetail = "The request body is larger than the server accepts.";
    private const string UnsupportedTargetDetail = "The request target cannot be verified in this form; send it in origin form (/path?query).";
    private const string DigestMismatchDetail = "The request body does not match its Content-Digest.";
    private const string MalformedDigestDetail = "The Content-Digest field cannot be parsed.";
    private const string DecodedDetail = "The request body was replaced before authentication (it is not the Content-Length bytes received; for example request decompression ran first): place UseRequestDecompression after UseAuthentication.";

    /// <summary>
    /// Verifies the request's signature and then its body: the result <see cref="SignatureVerificationResult.Succeeded"/>
    /// only when both hold. This is what the KeyPair authentication scheme runs.
    /// </summary>
    /// <remarks>
    /// <para>The request is read through <see cref="HttpContextRequestView"/> (raw target as sent, <c>#</c> escaped,
    /// absolute-form targets refused with <see cref="KeyPairFailureReason.UnsupportedRequestTarget"/> unless they bind
    /// the routed path). A declared <c>Content-Length</c> above <paramref name="maxBodySize"/> is refused before any work.</para>
    /// <para>When the verified signature covers <c>content-digest</c> (or the request has content and a
    /// <c>Content-Digest</c> field) the body streams through the digest while it is buffered (memory up to
    /// <paramref name="bodyBufferThreshold"/>, then a temporary file), and is rewound, so the application reads it
    /// afterwards. A body of another length than its <c>Content-Length</c> (request decompression ran first) is refused
    /// with <see cref="KeyPairFailureReason.BodyDecodedBeforeAuthentication"/>.</para>
    /// <para>Once the signature verified, the accepted (key id, nonce) pair is recorded on the request, so a second
    /// verification of the same request (another KeyPair scheme) does not take it for a replay.</para>
    /// </remarks>
    /// <param name="verifier">The verifier (its policy applies).</param>
    /// <param name="context">The request's context; <see cref="HttpContext.RequestAborted"/> cancels the work.</param>
    /// <param name="maxBodySize">The largest body accepted, in bytes; larger is <see cref="KeyPairFailureReason.BodyTooLarge"/>.</param>
    /// <param name="bodyBufferThreshold">How many body bytes are buffered in memory before the buffer spills to a file.</param>
    /// <param name="fieldLimits">The parsing limits for <c>Content-Digest</c>, or <see langword="null"/> for <see cref="StructuredFieldLimits.Default"/>.</param>
    /// <returns>The result; on a body failure it carries the reason and the key that signed.</returns>
    public static ValueTask<SignatureVerificationResult> VerifyAsync(
        this HttpMessageVerifier verifier,
        HttpContext context,
        long maxBodySize,
        int bodyBufferThreshold,
        StructuredFieldLimits? fieldLimits = null)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBodySize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bodyBufferThreshold);
        return VerifyViewAsync(verifier, new HttpContextRequestView(context.Request), maxBodySize, bodyBufferThreshold, fieldLimits);
    }

    /// <summary>The one pipeline behind the public entry point and the authentication handler (which keeps the view).</summary>
    internal static async ValueTask<SignatureVerificationResult> VerifyViewAsync(
        HttpMessageVerifier verifier,
        HttpContextRequestView view,
        long maxBodySize,
        int bodyBufferThreshold,
        StructuredFieldLimits? fieldLimits)
    {
        HttpRequest request = view.Request;

        // Security: the path the signature binds must be the path the application routes on (absolute-form targets).
        if (!view.IsRequestTargetSupported)
        {
            return SignatureVerificationResult.Fail(KeyPairFailureReason.UnsupportedRequestTarget, UnsupportedTargetDetail);
        }

        // Security: refuse an over-limit declared body before any work; nothing is read.
        if (request.ContentLength > maxBodySize)
        {
            return SignatureVerificationResult.Fail(KeyPairFailureReason.BodyTooLarge, TooLargeDetail);
        }

        HttpContext context = request.HttpContext;
        SignatureVerificationResult result = await verifier.VerifyAsync(view, context.RequestAborted).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return result;
        }

        // From here the nonce is spent: another KeyPair verification of this request must find it (and, once the request
        // authenticated, authorization checks that what was verified is still what the application runs).
        view.Publish(context.Features);

        // The digest is checked against the bytes actually received, before the application sees them.
        if (result.CoversContentDigest || (view.HasContent && request.Headers.ContainsKey(ContentDigest.FieldName)))
        {
            KeyPairFailureReason? bodyFailure = await CheckBodyAsync(request, maxBodySize, bodyBufferThreshold, fieldLimits).ConfigureAwait(false);
            if (bodyFailure is { } reason)
            {
                string detail = reason switch
                {
                    KeyPairFailureReason.BodyTooLarge => TooLargeDetail,
                    KeyPairFailureReason.BodyDecodedBeforeAuthentication => DecodedDetail,
                    KeyPairFailureReason.MalformedSignature => MalformedDigestDetail,
                    _ => DigestMismatchDetail,
                };
                return SignatureVerificationResult.Fail(reason, detail, result.Key);
            }
        }

        return result;
    }

    /// <summary>
    /// Buffers the body (the buffer registers itself for disposal with the response), streams it through the core check
    /// and rewinds it for the application.
    /// </summary>
    internal static async ValueTask<KeyPairFailureReason?> CheckBodyAsync(HttpRequest request, long maxBodySize, int bufferThreshold, StructuredFieldLimits? limits)
    {
        request.EnableBuffering(bufferThreshold);
        Stream body = request.Body;
        body.Position = 0;

        // With Transfer-Encoding the length is not the framing (RFC 9112 §6.3), so nothing can be concluded from it.
        long? declared = request.Headers.TransferEncoding.Count == 0 ? request.ContentLength : null;
        KeyPairFailureReason? failure;
        try
        {
            failure = await ContentDigestVerifier.VerifyAsync(
                request.Headers[ContentDigest.FieldName], body, maxBodySize, declared, limits, request.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // The server's own request-size limit is lower than ours.
            return KeyPairFailureReason.BodyTooLarge;
        }
        catch (BadHttpRequestException)
        {
            // Security: the body did not arrive as framed (the connection ended before Content-Length, a malformed
            // chunk, a body slower than MinRequestBodyDataRate). That is the client's doing, not an infrastructure
            // failure to log at Error and answer 500: what was received cannot match the digest.
            return KeyPairFailureReason.DigestMismatch;
        }

        if (failure != KeyPairFailureReason.BodyTooLarge)
        {
            body.Position = 0;
        }

        return failure;
    }
}
