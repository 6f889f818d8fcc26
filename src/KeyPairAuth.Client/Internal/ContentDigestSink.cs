using System.Security.Cryptography;
using KeyPairAuth.Digests;

namespace KeyPairAuth.Client.Internal;

/// <summary>
/// A write-only stream that hashes what is written to it: <see cref="HttpContent.CopyToAsync(Stream, CancellationToken)"/>
/// into it hashes exactly the bytes the transport sends (it copies the content the same way), whatever state the
/// content's cached read stream was left in by an earlier reader.
/// </summary>
internal sealed class ContentDigestSink : Stream
{
    private readonly IncrementalHash _hash;
    private readonly ContentDigestAlgorithm _algorithm;
    private long _written;

    public ContentDigestSink(ContentDigestAlgorithm algorithm)
    {
        _algorithm = algorithm;
        _hash = IncrementalHash.CreateHash(ContentDigest.ToHashAlgorithmName(algorithm));
    }

    /// <summary>Gets how many bytes were hashed.</summary>
    public long Written => _written;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>The <c>Content-Digest</c> field value (RFC 9530 §2) of everything written.</summary>
    public string GetFieldValue() => ContentDigest.Format(_algorithm, _hash.GetHashAndReset());

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _hash.AppendData(buffer);
        _written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
