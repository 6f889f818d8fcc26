using System.Text;
using KeyPairAuth.Digests;
using KeyPairAuth.Signatures;
using Microsoft.AspNetCore.Http;

namespace KeyPairAuth.AspNetCore.Tests;

/// <summary>The ASP.NET Core side of the body check: buffering, rewinding, framing; the hashing itself is the core's.</summary>
public sealed class HttpMessageVerifierExtensionsBodyTests
{
    private static DefaultHttpContext Context(Stream body, string? digest)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = body;
        if (digest is not null)
        {
            context.Request.Headers[ContentDigest.FieldName] = digest;
        }

        return context;
    }

    [Fact]
    public async Task Verify_MatchingBody_SucceedsAndRewindsForTheApp()
    {
        byte[] body = Encoding.UTF8.GetBytes("{\"hello\": \"world\"}");
        DefaultHttpContext context = Context(new CountingStream(body.Length, body), ContentDigest.Compute(body));

        KeyPairFailureReason? failure = await HttpMessageVerifierExtensions.CheckBodyAsync(context.Request, 1024, 16, null);

        Assert.Null(failure);
        Assert.Equal("{\"hello\": \"world\"}", await new StreamReader(context.Request.Body).ReadToEndAsync());
    }

    [Fact]
    public async Task Verify_AlteredBody_FailsWithDigestMismatch()
    {
        byte[] body = Encoding.UTF8.GetBytes("{\"amount\": 10}");
        DefaultHttpContext context = Context(new MemoryStream(Encoding.UTF8.GetBytes("{\"amount\": 99}")), ContentDigest.Compute(body));

        Assert.Equal(KeyPairFailureReason.DigestMismatch, await HttpMessageVerifierExtensions.CheckBodyAsync(context.Request, 1024, 16, null));
    }

    [Theory]
    [InlineData(40, 14)]
    [InlineData(8, 14)]
    public async Task Verify_BodyOfAnotherLengthThanContentLength_FailsWithBodyDecodedBeforeAuthentication(long declared, int actual)
    {
        // The server delivers exactly Content-Length bytes: any other count means a middleware replaced the body
        // (request decompression keeps Content-Length) or consumed part of it.
        byte[] sent = new byte[declared];
        byte[] received = Encoding.UTF8.GetBytes(new string('a', actual));
        DefaultHttpContext context = Context(new MemoryStream(received), ContentDigest.Compute(sent));
        context.Request.ContentLength = declared;

        Assert.Equal(KeyPairFailureReason.BodyDecodedBeforeAuthentication, await HttpMessageVerifierExtensions.CheckBodyAsync(context.Request, 1024, 16, null));
    }

    [Fact]
    public async Task Verify_BodyOfContentLengthThatDoesNotMatch_FailsWithDigestMismatch()
    {
        byte[] body = Encoding.UTF8.GetBytes("{\"amount\": 10}");
        DefaultHttpContext context = Context(new MemoryStream(Encoding.UTF8.GetBytes("{\"amount\": 99}")), ContentDigest.Compute(body));
        context.Request.ContentLength = body.Length;

        Assert.Equal(KeyPairFailureReason.DigestMismatch, await HttpMessageVerifierExtensions.CheckBodyAsync(context.Request, 1024, 16, null));
    }

    [Fact]
    public async Task Verify_ContentLengthWithTransferEncoding_OtherLength_FailsWithDigestMismatch()
    {
        // With Transfer-Encoding the chunked framing, not Content-Length, delimits the body (RFC 9112 §6.3).
        byte[] body = Encoding.UTF8.GetBytes("{\"amount\": 10}");
        DefaultHttpContext context = Context(new MemoryStream(Encoding.UTF8.GetBytes("{\"amount\": 1000}")), ContentDigest.Compute(body));
        context.Request.ContentLength = body.Length;
        context.Request.Headers.TransferEncoding = "chunked";

        Assert.Equal(KeyPairFailureReason.DigestMismatch, await HttpMessageVerifierExtensions.CheckBodyAsync(context.Request, 1024, 16, null));
    }

    [Fact]
    public async Task Verify_BodyOfOtherLengthMatchingItsDigest_Succeeds()
    {
        // A digest over the bytes the application will read holds whatever Content-Length said.
        byte[] body = Encoding.UTF8.GetBytes("{\"amount\": 10}");
        DefaultHttpContext context = Context(new MemoryStream(body), ContentDigest.Compute(body));
        context.Request.ContentLength = 40;

        Assert.Null(await HttpMessageVerifierExtensions.CheckBodyAsync(context.Request, 1024, 16, null));
    }

    [Fact]
    public async Task Verify_EndlessBody_StopsReadingJustPastTheLimit()
    {
        var endless = new CountingStream(long.MaxValue, null);
        DefaultHttpContext context = Context(endless, "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:");

        KeyPairFailureReason? failure = await HttpMessageVerifierExtensions.CheckBodyAsync(context.Request, 100_000, 4096, null);

        Assert.Equal(KeyPairFailureReason.BodyTooLarge, failure);
        Assert.Equal(100_001, endless.BytesRead);
    }

    [Fact]
    public async Task Verify_BodyAboveThreshold_SpillsAndStillMatches()
    {
        byte[] body = new byte[300_000];
        new Random(7).NextBytes(body);
        DefaultHttpContext context = Context(new MemoryStream(body), ContentDigest.Compute(body, ContentDigestAlgorithm.Sha512));

        Assert.Null(await HttpMessageVerifierExtensions.CheckBodyAsync(context.Request, 1_000_000, 1024, null));
        var copy = new MemoryStream();
        await context.Request.Body.CopyToAsync(copy);
        Assert.Equal(body, copy.ToArray());
    }

    private sealed class CountingStream(long length, byte[]? content) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, length - BytesRead);
            if (content is not null)
            {
                Array.Copy(content, BytesRead, buffer, offset, n);
            }
            else
            {
                Array.Fill(buffer, (byte)'x', offset, n);
            }

            BytesRead += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
