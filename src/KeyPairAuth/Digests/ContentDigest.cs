using System.Buffers;
using System.Security.Cryptography;

namespace KeyPairAuth.Digests;

/// <summary>RFC 9530 <c>Content-Digest</c>: computing the field value for a body.</summary>
public static class ContentDigest
{
    /// <summary>The field name, <c>Content-Digest</c>.</summary>
    public const string FieldName = "Content-Digest";

    private const int StreamBufferSize = 16 * 1024;

    /// <summary>Computes the field value for <paramref name="content"/>, e.g. <c>sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:</c>.</summary>
    /// <param name="content">The body bytes.</param>
    /// <param name="algorithm">The algorithm.</param>
    /// <returns>The field value.</returns>
    public static string Compute(ReadOnlySpan<byte> content, ContentDigestAlgorithm algorithm = ContentDigestAlgorithm.Sha256)
    {
        Span<byte> hash = stackalloc byte[SHA512.HashSizeInBytes];
        int length = algorithm switch
        {
            ContentDigestAlgorithm.Sha256 => SHA256.HashData(content, hash),
            ContentDigestAlgorithm.Sha512 => SHA512.HashData(content, hash),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unsupported digest algorithm."),
        };
        return Format(algorithm, hash[..length]);
    }

    /// <summary>Computes the field value by streaming <paramref name="content"/> through the hash (bounded memory).</summary>
    /// <param name="content">The body stream; read to its end.</param>
    /// <param name="algorithm">The algorithm.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The field value.</returns>
    public static async Task<string> ComputeAsync(Stream content, ContentDigestAlgorithm algorithm = ContentDigestAlgorithm.Sha256, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        using IncrementalHash hash = IncrementalHash.CreateHash(ToHashAlgorithmName(algorithm));
        byte[] buffer = ArrayPool<byte>.Shared.Rent(StreamBufferSize);
        try
        {
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, StreamBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return Format(algorithm, hash.GetHashAndReset());
    }

    /// <summary>Gets the RFC 9530 algorithm key (<c>sha-256</c> / <c>sha-512</c>).</summary>
    /// <param name="algorithm">The algorithm.</param>
    /// <returns>The key used in the field.</returns>
    public static string GetAlgorithmKey(ContentDigestAlgorithm algorithm) => algorithm switch
    {
        ContentDigestAlgorithm.Sha256 => "sha-256",
        ContentDigestAlgorithm.Sha512 => "sha-512",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unsupported digest algorithm."),
    };

    internal static HashAlgorithmName ToHashAlgorithmName(ContentDigestAlgorithm algorithm) => algorithm switch
    {
        ContentDigestAlgorithm.Sha256 => HashAlgorithmName.SHA256,
        ContentDigestAlgorithm.Sha512 => HashAlgorithmName.SHA512,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unsupported digest algorithm."),
    };

    internal static int HashSize(ContentDigestAlgorithm algorithm) =>
        algorithm == ContentDigestAlgorithm.Sha512 ? SHA512.HashSizeInBytes : SHA256.HashSizeInBytes;

    internal static string Format(ContentDigestAlgorithm algorithm, ReadOnlySpan<byte> hash) =>
        string.Concat(GetAlgorithmKey(algorithm), "=:", Convert.ToBase64String(hash), ":");
}
