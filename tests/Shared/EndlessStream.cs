namespace KeyPairAuth.Testing;

/// <summary>
/// A read-only stream that never ends (every read fills the whole buffer with 'A'), counting what it handed out; a
/// reader that must stop at a limit shows whether it did. Past <c>failAfter</c> bytes a read throws, so a reader that
/// does not stop fails the test instead of hanging it.
/// </summary>
internal sealed class EndlessStream(long failAfter = long.MaxValue) : Stream
{
    /// <summary>Gets how many bytes were handed out.</summary>
    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (BytesRead >= failAfter)
        {
            throw new InvalidOperationException($"Read past {failAfter} bytes of an endless input.");
        }

        buffer.AsSpan(offset, count).Fill((byte)'A');
        BytesRead += count;
        return count;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
