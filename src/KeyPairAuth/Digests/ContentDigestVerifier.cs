using KeyPairAuth.Signatures;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.Digests;

/// <summary>
/// Checks a body against a received <c>Content-Digest</c> field while the body streams past: append chunks, then
/// <see cref="Verify"/> compares in constant time. Unknown algorithms in the field are ignored; the strongest known one is used.
/// </summary>
public sealed class ContentDigestVerifier : IDisposable
{
    private ContentDigestVerifier()
    {
    }

    /// <summary>Gets the algorithm chosen from the field.</summary>
    public ContentDigestAlgorithm Algorithm { get; private set; }

    /// <summary>Creates a verifier for a received field.</summary>
    /// <param name="contentDigestField">The <c>Content-Digest</c> field values.</param>
    /// <param name="verifier">The verifier, when the field names a supported algorithm.</param>
    /// <param name="failure"><see cref="KeyPairFailureReason.MalformedSignature"/> for an unparsable field, <see cref="KeyPairFailureReason.DigestMismatch"/> when no supported algorithm is offered.</param>
    /// <returns><see langword="true"/> when a verifier was created.</returns>
    public static bool TryCreate(StringValues contentDigestField, out ContentDigestVerifier? verifier, out KeyPairFailureReason failure) =>
        throw new NotImplementedException();

    /// <summary>Feeds the next chunk of the body.</summary>
    /// <param name="data">The chunk.</param>
    public void Append(ReadOnlySpan<byte> data) => throw new NotImplementedException();

    /// <summary>Finishes the hash and compares it, in constant time, with the expected digest.</summary>
    /// <returns><see langword="true"/> when the body matches.</returns>
    public bool Verify() => throw new NotImplementedException();

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}
