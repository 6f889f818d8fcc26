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
            try
            {
                long total = 0;
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
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            body.Position = 0;
            return verifier.Verify() ? null : KeyPairFailureReason.DigestMismatch;
        }
    }
}
