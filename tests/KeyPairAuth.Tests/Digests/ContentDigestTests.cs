using System.Text;
using KeyPairAuth.Digests;
using KeyPairAuth.Signatures;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.Tests.Digests;

/// <summary>RFC 9530 sample digests (RFC 9530 Appendix B) and the streaming verifier.</summary>
public sealed class ContentDigestTests
{
    private static readonly byte[] Hello = Encoding.ASCII.GetBytes("{\"hello\": \"world\"}");
    private static readonly byte[] HelloLf = Encoding.ASCII.GetBytes("{\"hello\": \"world\"}\n");

    public static TheoryData<byte[], ContentDigestAlgorithm, string> Vectors => new()
    {
        { Hello, ContentDigestAlgorithm.Sha256, "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:" },
        { Hello, ContentDigestAlgorithm.Sha512, "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:" },
        { HelloLf, ContentDigestAlgorithm.Sha256, "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:" },
        { HelloLf, ContentDigestAlgorithm.Sha512, "sha-512=:YMAam51Jz/jOATT6/zvHrLVgOYTGFy1d6GJiOHTohq4yP+pgk4vf2aCsyRZOtw8MjkM7iw7yZ/WkppmM44T3qg==:" },
        { Encoding.ASCII.GetBytes("{\"message\": \"good dog\"}"), ContentDigestAlgorithm.Sha512, "sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:" },
        { [], ContentDigestAlgorithm.Sha256, "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Compute_RfcSamples_MatchExactly(byte[] body, ContentDigestAlgorithm algorithm, string expected)
    {
        Assert.Equal(expected, ContentDigest.Compute(body, algorithm));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task ComputeAsync_StreamedInSmallReads_MatchesCompute(byte[] body, ContentDigestAlgorithm algorithm, string expected)
    {
        using var stream = new TrickleStream(body);

        Assert.Equal(expected, await ContentDigest.ComputeAsync(stream, algorithm));
    }

    [Fact]
    public async Task ComputeAsync_LargeBody_MatchesCompute()
    {
        byte[] body = new byte[1_000_003];
        new Random(42).NextBytes(body);

        Assert.Equal(ContentDigest.Compute(body), await ContentDigest.ComputeAsync(new MemoryStream(body)));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Verifier_MatchingBodyInChunks_Verifies(byte[] body, ContentDigestAlgorithm algorithm, string field)
    {
        Assert.True(ContentDigestVerifier.TryCreate(field, out ContentDigestVerifier? verifier, out _));
        using (verifier)
        {
            Assert.Equal(algorithm, verifier!.Algorithm);
            for (int i = 0; i < body.Length; i += 5)
            {
                verifier.Append(body.AsSpan(i, Math.Min(5, body.Length - i)));
            }

            Assert.True(verifier.Verify());
        }
    }

    [Fact]
    public void Verifier_BodyAlteredAfterSigning_DoesNotVerify()
    {
        Assert.True(ContentDigestVerifier.TryCreate(ContentDigest.Compute(Hello), out ContentDigestVerifier? verifier, out _));
        using (verifier)
        {
            verifier!.Append(HelloLf);
            Assert.False(verifier.Verify());
        }
    }

    [Fact]
    public void Verifier_BothAlgorithms_PrefersSha512()
    {
        // The sha-256 member is deliberately wrong: only a verifier that picked sha-512 accepts the body.
        string field = "sha-256=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:, " + ContentDigest.Compute(Hello, ContentDigestAlgorithm.Sha512);

        Assert.True(ContentDigestVerifier.TryCreate(field, out ContentDigestVerifier? verifier, out _));
        using (verifier)
        {
            Assert.Equal(ContentDigestAlgorithm.Sha512, verifier!.Algorithm);
            verifier.Append(Hello);
            Assert.True(verifier.Verify());
        }
    }

    [Fact]
    public void Verifier_UnknownAlgorithmsIgnored_KnownOneUsed()
    {
        StringValues field = new(["md5=:Sd/dVLAcvNLSq16eXua5uQ==:", "unixsum=:GQU=:, " + ContentDigest.Compute(Hello)]);

        Assert.True(ContentDigestVerifier.TryCreate(field, out ContentDigestVerifier? verifier, out _));
        using (verifier)
        {
            Assert.Equal(ContentDigestAlgorithm.Sha256, verifier!.Algorithm);
            verifier.Append(Hello);
            Assert.True(verifier.Verify());
        }
    }

    [Theory]
    [InlineData("md5=:Sd/dVLAcvNLSq16eXua5uQ==:, sha=:07CavjDP4u3/TungoUHJO/Wzr4c=:")]
    [InlineData("")]
    public void Verifier_NoKnownAlgorithm_FailsWithDigestMismatch(string field)
    {
        Assert.False(ContentDigestVerifier.TryCreate(field, out ContentDigestVerifier? verifier, out KeyPairFailureReason failure));
        Assert.Null(verifier);
        Assert.Equal(KeyPairFailureReason.DigestMismatch, failure);
    }

    [Fact]
    public void Verifier_AbsentField_FailsWithDigestMismatch()
    {
        Assert.False(ContentDigestVerifier.TryCreate(StringValues.Empty, out _, out KeyPairFailureReason failure));
        Assert.Equal(KeyPairFailureReason.DigestMismatch, failure);
    }

    [Theory]
    [InlineData("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=")]
    [InlineData("sha-256=\"X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=\"")]
    [InlineData("sha-256=:AAAA:")]
    [InlineData("sha-256=(:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:)")]
    [InlineData("SHA-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:")]
    [InlineData("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:,")]
    public void Verifier_MalformedField_FailsWithMalformedSignature(string field)
    {
        Assert.False(ContentDigestVerifier.TryCreate(field, out ContentDigestVerifier? verifier, out KeyPairFailureReason failure));
        Assert.Null(verifier);
        Assert.Equal(KeyPairFailureReason.MalformedSignature, failure);
    }

    [Fact]
    public void Verifier_VerifyTwiceOrAppendAfterVerify_ThrowsSayingItWasVerified()
    {
        Assert.True(ContentDigestVerifier.TryCreate(ContentDigest.Compute(Hello), out ContentDigestVerifier? verifier, out _));
        using (verifier)
        {
            verifier!.Append(Hello);
            Assert.True(verifier.Verify());
            InvalidOperationException verifyAgain = Assert.Throws<InvalidOperationException>(() => verifier.Verify());
            InvalidOperationException appendAfter = Assert.Throws<InvalidOperationException>(() => verifier.Append(Hello));
            Assert.Equal("The digest has already been verified.", verifyAgain.Message);
            Assert.Equal("The digest has already been verified.", appendAfter.Message);
        }
    }

    /// <summary>Returns at most 3 bytes per read, so the streaming path is exercised.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 3));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 3)], cancellationToken);
    }
}
