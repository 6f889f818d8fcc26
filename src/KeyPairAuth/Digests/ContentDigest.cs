namespace KeyPairAuth.Digests;

/// <summary>RFC 9530 <c>Content-Digest</c>: computing the field value for a body.</summary>
public static class ContentDigest
{
    /// <summary>The field name, <c>Content-Digest</c>.</summary>
    public const string FieldName = "Content-Digest";

    /// <summary>Computes the field value for <paramref name="content"/>, e.g. <c>sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:</c>.</summary>
    /// <param name="content">The body bytes.</param>
    /// <param name="algorithm">The algorithm.</param>
    /// <returns>The field value.</returns>
    public static string Compute(ReadOnlySpan<byte> content, ContentDigestAlgorithm algorithm = ContentDigestAlgorithm.Sha256) =>
        throw new NotImplementedException();

    /// <summary>Computes the field value by streaming <paramref name="content"/> through the hash (bounded memory).</summary>
    /// <param name="content">The body stream; read to its end.</param>
    /// <param name="algorithm">The algorithm.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The field value.</returns>
    public static Task<string> ComputeAsync(Stream content, ContentDigestAlgorithm algorithm = ContentDigestAlgorithm.Sha256, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}
