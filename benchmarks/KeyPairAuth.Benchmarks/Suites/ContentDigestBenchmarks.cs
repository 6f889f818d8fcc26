using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using KeyPairAuth.Benchmarks.Infrastructure;
using KeyPairAuth.Digests;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.Benchmarks.Suites;

/// <summary>
/// Content-Digest: raw SHA-256 of the body (baseline) against our <c>ContentDigestVerifier</c> (parse the field,
/// stream the body through the hash, constant-time compare) at 0 B, 1 KiB, 64 KiB and 1 MiB.
/// </summary>
[BenchmarkCategory("ContentDigest")]
public class ContentDigestBenchmarks
{
    private byte[] _body = null!;
    private StringValues _field;

    [Params(0, 1024, 65536, 1048576)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _body = Fixtures.Body(Size);
        _field = new StringValues(ContentDigest.Compute(_body));
        Fixtures.Require(Verifier(), "the digest verifies");
        Fixtures.Require(VerifierChunked(), "the chunked digest verifies");
    }

    [Benchmark(Baseline = true, Description = "SHA-256 one-shot, raw")]
    public byte RawSha256()
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(_body, hash);
        return hash[0];
    }

    [Benchmark(Description = "ContentDigestVerifier: parse field + append + verify")]
    public bool Verifier()
    {
        if (!ContentDigestVerifier.TryCreate(_field, out ContentDigestVerifier? verifier, out _))
        {
            return false;
        }

        using (verifier)
        {
            verifier!.Append(_body);
            return verifier.Verify();
        }
    }

    [Benchmark(Description = "ContentDigestVerifier, body streamed in 16 KiB chunks")]
    public bool VerifierChunked()
    {
        if (!ContentDigestVerifier.TryCreate(_field, out ContentDigestVerifier? verifier, out _))
        {
            return false;
        }

        using (verifier)
        {
            ReadOnlySpan<byte> rest = _body;
            while (rest.Length > 0)
            {
                int n = Math.Min(rest.Length, 16384);
                verifier!.Append(rest[..n]);
                rest = rest[n..];
            }

            return verifier!.Verify();
        }
    }

    [Benchmark(Description = "ContentDigest.Compute (client side)")]
    public string Compute() => ContentDigest.Compute(_body);
}
