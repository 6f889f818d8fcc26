using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using KeyPairAuth.Digests;
using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;
using KeyPairAuth.Testing;

namespace KeyPairAuth.Tests.Digests;

/// <summary><see cref="ContentDigestVerifier.VerifyAsync"/>: the body check every caller of the verifier runs, over a stream.</summary>
public sealed class ContentDigestVerifierStreamTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"amount\": 10}");

    [Theory]
    [InlineData(ContentDigestAlgorithm.Sha256)]
    [InlineData(ContentDigestAlgorithm.Sha512)]
    public async Task VerifyAsync_MatchingBody_ReturnsNull(ContentDigestAlgorithm algorithm)
    {
        Assert.Null(await ContentDigestVerifier.VerifyAsync(ContentDigest.Compute(Body, algorithm), new MemoryStream(Body), 1024));
    }

    [Fact]
    public async Task VerifyAsync_BodyAlteredAfterSigning_FailsWithDigestMismatch()
    {
        byte[] altered = Encoding.UTF8.GetBytes("{\"amount\": 99}");

        Assert.Equal(KeyPairFailureReason.DigestMismatch, await ContentDigestVerifier.VerifyAsync(ContentDigest.Compute(Body), new MemoryStream(altered), 1024, declaredLength: altered.Length));
    }

    [Theory]
    [InlineData(40)]
    [InlineData(8)]
    public async Task VerifyAsync_BodyOfAnotherLengthThanDeclared_FailsWithBodyDecodedBeforeAuthentication(long declared)
    {
        // A transport delivers exactly Content-Length bytes: another count means the body was replaced on the way.
        byte[] sent = new byte[declared];

        Assert.Equal(KeyPairFailureReason.BodyDecodedBeforeAuthentication, await ContentDigestVerifier.VerifyAsync(ContentDigest.Compute(sent), new MemoryStream(Body), 1024, declaredLength: declared));
    }

    [Fact]
    public async Task VerifyAsync_OtherLengthWithoutDeclaredLength_FailsWithDigestMismatch()
    {
        Assert.Equal(KeyPairFailureReason.DigestMismatch, await ContentDigestVerifier.VerifyAsync(ContentDigest.Compute(new byte[40]), new MemoryStream(Body), 1024));
    }

    [Fact]
    public async Task VerifyAsync_OtherLengthMatchingItsDigest_ReturnsNull()
    {
        // A digest over the bytes received holds whatever the declared length said.
        Assert.Null(await ContentDigestVerifier.VerifyAsync(ContentDigest.Compute(Body), new MemoryStream(Body), 1024, declaredLength: 40));
    }

    [Fact]
    public async Task VerifyAsync_BodyExactlyAtTheLimit_ReturnsNull()
    {
        Assert.Null(await ContentDigestVerifier.VerifyAsync(ContentDigest.Compute(Body), new MemoryStream(Body), Body.Length));
    }

    [Fact]
    public async Task VerifyAsync_BodyOneBytePastTheLimit_FailsWithBodyTooLarge()
    {
        Assert.Equal(KeyPairFailureReason.BodyTooLarge, await ContentDigestVerifier.VerifyAsync(ContentDigest.Compute(Body), new MemoryStream(Body), Body.Length - 1));
    }

    [Fact]
    public async Task VerifyAsync_EndlessBody_StopsReadingOneBytePastTheLimit()
    {
        var endless = new EndlessStream();

        KeyPairFailureReason? failure = await ContentDigestVerifier.VerifyAsync(ContentDigest.Compute(Body), endless, 100_000);

        Assert.Equal(KeyPairFailureReason.BodyTooLarge, failure);
        Assert.Equal(100_001, endless.BytesRead);
    }

    [Theory]
    [InlineData("sha-256=not a byte sequence")]
    [InlineData("sha-256=:AAAA:")]
    [InlineData("=")]
    public async Task VerifyAsync_UnusableField_FailsWithMalformedSignatureWithoutReading(string field)
    {
        var endless = new EndlessStream();

        Assert.Equal(KeyPairFailureReason.MalformedSignature, await ContentDigestVerifier.VerifyAsync(field, endless, 1024));
        Assert.Equal(0, endless.BytesRead);
    }

    [Fact]
    public async Task VerifyAsync_OnlyUnknownAlgorithms_FailsWithDigestMismatch()
    {
        Assert.Equal(KeyPairFailureReason.DigestMismatch, await ContentDigestVerifier.VerifyAsync("md5=:AAAA:", new MemoryStream(Body), 1024));
    }

    [Fact]
    public async Task VerifyAsync_FieldLongerThanTheLimits_FailsWithMalformedSignature()
    {
        string field = ContentDigest.Compute(Body) + ", x-padding=:" + new string('A', 200) + ":";

        Assert.Null(await ContentDigestVerifier.VerifyAsync(field, new MemoryStream(Body), 1024));
        Assert.Equal(KeyPairFailureReason.MalformedSignature, await ContentDigestVerifier.VerifyAsync(field, new MemoryStream(Body), 1024, limits: new StructuredFieldLimits { MaxFieldLength = 100 }));
    }

    [Fact]
    public async Task VerifyAsync_ReadsFromTheCurrentPositionAndDoesNotRewind()
    {
        var stream = new MemoryStream([.. "prefix"u8, .. Body]) { Position = 6 };

        Assert.Null(await ContentDigestVerifier.VerifyAsync(ContentDigest.Compute(Body), stream, 1024));
        Assert.Equal(stream.Length, stream.Position);
    }

    [Fact]
    public async Task VerifyAsync_StreamFails_ExceptionPropagates()
    {
        await Assert.ThrowsAsync<IOException>(async () => await ContentDigestVerifier.VerifyAsync(ContentDigest.Compute(Body), new FailingStream(), 1024));
    }

    [Fact]
    public async Task VerifyAsync_NullBody_ThrowsArgumentNull()
    {
        ArgumentNullException ex = await Assert.ThrowsAsync<ArgumentNullException>(async () => await ContentDigestVerifier.VerifyAsync(ContentDigest.Compute(Body), null!, 1024));
        Assert.Equal("body", ex.ParamName);
    }

    [Fact]
    public async Task VerifyAsync_NegativeMaxBodySize_ThrowsArgumentOutOfRangeWithoutReading()
    {
        var endless = new EndlessStream();

        ArgumentOutOfRangeException ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await ContentDigestVerifier.VerifyAsync(ContentDigest.Compute([]), endless, -1));
        Assert.Equal("maxBodySize", ex.ParamName);
        Assert.Equal(0, endless.BytesRead);
    }

    [Fact]
    public async Task VerifyAsync_ReadBuffer_IsReturnedToTheSharedPool()
    {
        // The body is read through one 16 KB buffer rented from ArrayPool<byte>.Shared: once the check is done the
        // same thread's next rent of that size gets it back, so a body check leaves no buffer behind.
        var stream = new BufferRecordingStream(Body);

        Assert.Null(await ContentDigestVerifier.VerifyAsync(ContentDigest.Compute(Body), stream, 1024));

        byte[] buffer = Assert.IsType<byte[]>(stream.Buffer);
        byte[] next = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            Assert.Same(buffer, next);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(next);
        }
    }

    [Fact]
    public async Task VerifyAsync_ReadCompletingLater_DoesNotResumeOnTheCallersSynchronizationContext()
    {
        // A library await that captured the caller's context would deadlock a caller blocking on it from that context.
        var stream = new PendingFirstReadStream(Body);
        var context = new CountingSynchronizationContext();
        SynchronizationContext? previous = SynchronizationContext.Current;
        ValueTask<KeyPairFailureReason?> pending;
        SynchronizationContext.SetSynchronizationContext(context);
        try
        {
            pending = ContentDigestVerifier.VerifyAsync(ContentDigest.Compute(Body), stream, 1024);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        Assert.False(pending.IsCompleted);
        stream.CompleteFirstRead();

        Assert.Null(await pending);
        Assert.Equal(0, context.Posts);
    }

    private sealed class FailingStream : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<int>(new IOException("The connection ended."));
    }

    /// <summary>Serves the content in one read and remembers the array it was handed.</summary>
    private sealed class BufferRecordingStream(byte[] content) : MemoryStream(content)
    {
        public byte[]? Buffer { get; private set; }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (MemoryMarshal.TryGetArray((ReadOnlyMemory<byte>)buffer, out ArraySegment<byte> segment))
            {
                Buffer = segment.Array;
            }

            return base.ReadAsync(buffer, cancellationToken);
        }
    }

    /// <summary>Leaves the first read pending until the test completes it; later reads report the end of the body.</summary>
    private sealed class PendingFirstReadStream(byte[] content) : MemoryStream
    {
        private readonly TaskCompletionSource<int> _firstRead = new();
        private Memory<byte> _buffer;
        private bool _started;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_started)
            {
                return ValueTask.FromResult(0);
            }

            _started = true;
            _buffer = buffer;
            return new ValueTask<int>(_firstRead.Task);
        }

        public void CompleteFirstRead()
        {
            content.CopyTo(_buffer);
            _firstRead.SetResult(content.Length);
        }
    }

    private sealed class CountingSynchronizationContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            base.Post(d, state);
        }
    }
}
