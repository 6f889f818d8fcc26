using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using KeyPairAuth.Benchmarks.Infrastructure;

namespace KeyPairAuth.Benchmarks.Suites;

/// <summary>
/// Content-Digest: raw SHA-256 of the body (baseline) against our <c>ContentDigestVerifier</c> (parse the field,
/// stream the body through the hash, constant-time compare) at 0 B, 1 KiB, 64 KiB and 1 MiB.
/// </summary>
[BenchmarkCategory("ContentDigest")]
public class ContentDigestBenchmarks
{
    private byte[] _body = null!;

    [Params(0, 1024, 65536, 1048576)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _body = Fixtures.Body(Size);
    }

    [Benchmark(Baseline = true, Description = "SHA-256 one-shot, raw")]
    public byte RawSha256()
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(_body, hash);
        return hash[0];
    }
}
