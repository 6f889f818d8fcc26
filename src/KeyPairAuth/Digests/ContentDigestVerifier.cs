using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.Digests;

/// <summary>
/// Checks a body against a received <c>Content-Digest</c> field while the body streams past: append chunks, then
/// <see cref="Verify"/> compares in constant time; or check a whole stream in one call with
/// <see cref="VerifyAsync(StringValues, Stream, long, long?, StructuredFieldLimits?, CancellationToken)"/>. Unknown algorithms in the field are ignored; the strongest known one is used.
/// </summary>
/// <remarks>
/// <c>sha-512</c> is preferred over <c>sha-256</c> when both are offered. Deprecated algorithms (<c>md5</c>, <c>sha</c>, ...)
/// are ignored like any unknown key (RFC 9530 §5), so a field offering only those fails with
/// <see cref="KeyPairFailureReason.DigestMismatch"/>.
/// </remarks>
public sealed class ContentDigestVerifier : IDisposable
{
    private const int ChunkSize = 16 * 1024;

    private readonly IncrementalHash _hash;
    private readonly byte[] _expected;
    private bool _verified;

    private ContentDigestVerifier(ContentDigestAlgorithm algorithm, byte[] expected)
    {
        Algorithm = algorithm;
        _expected = expected;
        _hash = IncrementalHash.CreateHash(ContentDigest.ToHashAlgorithmName(algorithm));
    }

    /// <summary>Gets the algorithm chosen from the field.</summary>
    public ContentDigestAlgorithm Algorithm { get; }

    /// <summary>Creates a verifier for a received field.</summary>
    /// <param name="contentDigestField">The <c>Content-Digest</c> field values.</param>
    /// <param name="verifier">The verifier, when the field names a supported algorithm.</param>
    /// <param name="failure"><see cref="KeyPairFailureReason.MalformedSignature"/> for an unparsable field, <see cref="KeyPairFailureReason.DigestMismatch"/> when no supported algorithm is offered.</param>
    /// <returns><see langword="true"/> when a verifier was created.</returns>
    public static bool TryCreate(StringValues contentDigestField, [NotNullWhen(true)] out ContentDigestVerifier? verifier, out KeyPairFailureReason failure) =>
        TryCreate(contentDigestField, null, out verifier, out failure);

    /// <summary>Creates a verifier for a received field, parsing within <paramref name="limits"/>.</summary>
    /// <param name="contentDigestField">The <c>Content-Digest</c> field values.</param>
    /// <param name="limits">The parsing limits, or <see langword="null"/> for <see cref="StructuredFieldLimits.Default"/>.</param>
    /// <param name="verifier">The verifier, when the field names a supported algorithm.</param>
    /// <param name="failure"><see cref="KeyPairFailureReason.MalformedSignature"/> for an unparsable field (or a known algorithm whose value is not a byte sequence of the right length), <see cref="KeyPairFailureReason.DigestMismatch"/> when no supported algorithm is offered.</param>
    /// <returns><see langword="true"/> when a verifier was created.</returns>
    public static bool TryCreate(StringValues contentDigestField, StructuredFieldLimits? limits, [NotNullWhen(true)] out ContentDigestVerifier? verifier, out KeyPairFailureReason failure)
    {
        verifier = null;
        limits ??= StructuredFieldLimits.Default;
        string joined = contentDigestField.Count switch
        {
            0 => string.Empty,
            1 => contentDigestField[0] ?? string.Empty,
            _ => string.Join(", ", contentDigestField.ToArray()),
        };

        if (joined.Length > limits.MaxFieldLength)
        {
            failure = KeyPairFailureReason.MalformedSignature;
            return false;
        }

        SfDictionary dictionary;
        try
        {
            dictionary = StructuredFieldParser.ParseDictionary(joined, limits);
        }
        catch (StructuredFieldException)
        {
            failure = KeyPairFailureReason.MalformedSignature;
            return false;
        }

        ContentDigestAlgorithm? best = null;
        ReadOnlyMemory<byte> expected = default;
        foreach (KeyValuePair<string, SfMember> member in dictionary.Members)
        {
            ContentDigestAlgorithm algorithm;
            if (member.Key == "sha-512")
            {
                algorithm = ContentDigestAlgorithm.Sha512;
            }
            else if (member.Key == "sha-256")
            {
                algorithm = ContentDigestAlgorithm.Sha256;
            }
            else
            {
                continue; // RFC 9530 §2: unknown (and deprecated) algorithms are ignored.
            }

            SfItem? item = member.Value.Item;
            if (item is null || item.Value.Type != SfBareItemType.ByteSequence || item.Value.Bytes.Length != ContentDigest.HashSize(algorithm))
            {
                failure = KeyPairFailureReason.MalformedSignature;
                return false;
            }

            if (best is null || algorithm == ContentDigestAlgorithm.Sha512)
            {
                best = algorithm;
                expected = item.Value.Bytes;
            }
        }

        if (best is null)
        {
            failure = KeyPairFailureReason.DigestMismatch;
            return false;
        }

        verifier = new ContentDigestVerifier(best.Value, expected.ToArray());
        failure = default;
        return true;
    }

    /// <summary>
    /// Checks a whole body against a received <c>Content-Digest</c> field: reads <paramref name="body"/> from its current
    /// position to the end through the hash, never more than one byte past <paramref name="maxBodySize"/>, and compares
    /// in constant time. This is the body check every caller of <see cref="HttpMessageVerifier.VerifyAsync"/> must run
    /// when the result <see cref="SignatureVerificationResult.CoversContentDigest"/> (or the request has content and a
    /// <c>Content-Digest</c> field): the signature covers the field, only this check ties the field to the bytes.
    /// </summary>
    /// <remarks>
    /// The stream is not rewound and not disposed; a caller that hands the body on afterwards buffers it first.
    /// Exceptions from the stream (a connection that ended, a transport limit) propagate: the caller knows its transport.
    /// </remarks>
    /// <param name="contentDigestField">The <c>Content-Digest</c> field values.</param>
    /// <param name="body">The body as received.</param>
    /// <param name="maxBodySize">The most body bytes accepted; a longer body is <see cref="KeyPairFailureReason.BodyTooLarge"/>.</param>
    /// <param name="declaredLength">
    /// The <c>Content-Length</c> that framed the body, or <see langword="null"/> when none did (no field, or
    /// <c>Transfer-Encoding</c> framed it, RFC 9112 §6.3). A transport delivers exactly that many bytes, so a body of
    /// another length that does not match was replaced before this check (for example decompressed): that is reported
    /// as <see cref="KeyPairFailureReason.BodyDecodedBeforeAuthentication"/> rather than blamed on the client's digest.
    /// </param>
    /// <param name="limits">The parsing limits for the field, or <see langword="null"/> for <see cref="StructuredFieldLimits.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>
    /// <see langword="null"/> when the body matches; otherwise why not: <see cref="KeyPairFailureReason.MalformedSignature"/>
    /// (the field cannot be parsed), <see cref="KeyPairFailureReason.DigestMismatch"/> (no supported algorithm, or other
    /// bytes), <see cref="KeyPairFailureReason.BodyTooLarge"/> or <see cref="KeyPairFailureReason.BodyDecodedBeforeAuthentication"/>.
    /// </returns>
    public static async ValueTask<KeyPairFailureReason?> VerifyAsync(
        StringValues contentDigestField,
        Stream body,
        long maxBodySize,
        long? declaredLength = null,
        StructuredFieldLimits? limits = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBodySize);
        if (!TryCreate(contentDigestField, limits, out ContentDigestVerifier? verifier, out KeyPairFailureReason failure))
        {
            return failure;
        }

        using (verifier)
        {
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
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            if (verifier.Verify())
            {
                return null;
            }

            return declaredLength is { } declared && declared != total
                ? KeyPairFailureReason.BodyDecodedBeforeAuthentication
                : KeyPairFailureReason.DigestMismatch;
        }
    }

    /// <summary>Feeds the next chunk of the body.</summary>
    /// <param name="data">The chunk.</param>
    /// <exception cref="InvalidOperationException"><see cref="Verify"/> has already been called.</exception>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (_verified)
        {
            throw new InvalidOperationException("The digest has already been verified.");
        }

        _hash.AppendData(data);
    }

    /// <summary>Finishes the hash and compares it, in constant time, with the expected digest.</summary>
    /// <returns><see langword="true"/> when the body matches.</returns>
    /// <exception cref="InvalidOperationException"><see cref="Verify"/> has already been called.</exception>
    public bool Verify()
    {
        if (_verified)
        {
            throw new InvalidOperationException("The digest has already been verified.");
        }

        _verified = true;
        Span<byte> actual = stackalloc byte[64];
        int written = _hash.GetHashAndReset(actual);
        return CryptographicOperations.FixedTimeEquals(actual[..written], _expected);
    }

    /// <inheritdoc/>
    public void Dispose() => _hash.Dispose();
}
