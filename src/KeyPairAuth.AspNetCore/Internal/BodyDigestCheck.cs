using System.Buffers;
using KeyPairAuth.Digests;
using KeyPairAuth.Signatures;
using Microsoft.AspNetCore.Http;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>
/// Checks the received body against <c>Content-Digest</c> before the application runs: the body streams through the
/// hash while a <see cref="Microsoft.AspNetCore.WebUtilities.FileBufferingReadStream"/> keeps a copy (memory up to the
/// threshold, a temporary file above it), then the stream is rewound for the application.
/// </summary>
internal static class BodyDigestCheck
{
    private const int ChunkSize = 16 * 1024;

    /// <returns><see langword="null"/> when the body matches; otherwise why not.</returns>
    public static async ValueTask<KeyPairFailureReason?> VerifyAsync(HttpRequest request, long maxBodySize, int bufferThreshold, CancellationToken cancellationToken)
    {
        if (!ContentDigestVerifier.TryCreate(request.Headers[ContentDigest.FieldName], out ContentDigestVerifier? verifier, out KeyPairFailureReason failure) || verifier is null)
        {
            return failure;
        }

        using (verifier)
        {
            // Buffer so the application can read the body again; the buffer registers itself for disposal with the response.
            request.EnableBuffering(bufferThreshold);
            Stream body = request.Body;
            body.Position = 0;

            byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
            long total = 0;
            try
            {
                while (true)
                {
                    // Security: never ask for more than one byte past the limit, so an endless chunked body is cut off there.
                    int want = (int)Math.Min(chunk.Length, maxBodySize - total + 1);
                    int read = await body.ReadAsync(chunk.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    total += read;
                    if (total > maxBodySize)
                    {
                        return KeyPairFailureReason.BodyTooLarge;
                    }

                    verifier.Append(chunk.AsSpan(0, read));
                }
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
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            body.Position = 0;
            if (verifier.Verify())
            {
                return null;
            }

            // A server delivers exactly Content-Length bytes (or fails the read), so another count means the body was
            // replaced before authentication: request decompression ran first (it keeps Content-Length and removes
            // Content-Encoding), or a middleware consumed it. Say so rather than blame the client's digest. With
            // Transfer-Encoding the length is not the framing (RFC 9112 §6.3), so nothing can be concluded.
            return request.ContentLength is { } declared && declared != total && request.Headers.TransferEncoding.Count == 0
                ? KeyPairFailureReason.BodyDecodedBeforeAuthentication
                : KeyPairFailureReason.DigestMismatch;
        }
    }
}
