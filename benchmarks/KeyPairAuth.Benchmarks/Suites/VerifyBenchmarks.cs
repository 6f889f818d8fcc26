using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using KeyPairAuth.Benchmarks.Infrastructure;
using NSec.Cryptography;

namespace KeyPairAuth.Benchmarks.Suites;

/// <summary>
/// Verification: one raw NSec Ed25519 verify of a message exactly as long as our GET signature base (baseline)
/// against our full verification (<see cref="VerifyFixture"/>: parse both fields, policy and freshness, build the
/// base, cached key lookup, Ed25519 verify, replay check-and-set) of a signed GET, and of signed POSTs with
/// 1 KiB / 64 KiB / 1 MiB bodies (the same plus <c>ContentDigestVerifier</c> over the body). The "floor" rows add a
/// raw SHA-256 of the body to the raw verify: the unavoidable cost of each POST.
/// </summary>
[BenchmarkCategory("Verify")]
public class VerifyBenchmarks
{
    private Key _key = null!;
    private PublicKey _publicKey = null!;
    private byte[] _message = null!;
    private byte[] _signature = null!;
    private byte[] _body1K = null!;
    private byte[] _body64K = null!;
    private byte[] _body1M = null!;
    private VerifyFixture _get = null!;
    private VerifyFixture _post1K = null!;
    private VerifyFixture _post64K = null!;
    private VerifyFixture _post1M = null!;
    private byte _sink;

    [GlobalSetup]
    public void Setup()
    {
        _get = VerifyFixture.ForGet();
        _post1K = VerifyFixture.ForPost(1024);
        _post64K = VerifyFixture.ForPost(65536, 2048);
        _post1M = VerifyFixture.ForPost(1048576, 512);
        _key = Fixtures.CreateNSecKey();
        _publicKey = _key.PublicKey;
        _message = Encoding.ASCII.GetBytes(_get.SignatureBaseText);
        _signature = SignatureAlgorithm.Ed25519.Sign(_key, _message);
        _body1K = Fixtures.Body(1024);
        _body64K = Fixtures.Body(65536);
        _body1M = Fixtures.Body(1048576);
        Console.WriteLine($"// GET signature base: {_message.Length} bytes; Signature-Input: {_get.SignatureInput}");
        Fixtures.Require(RawVerify() && _sink == 0, "raw verify succeeds");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _key.Dispose();
        _get.Dispose();
        _post1K.Dispose();
        _post64K.Dispose();
        _post1M.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Ed25519 verify, raw NSec (GET base size)")]
    public bool RawVerify() => SignatureAlgorithm.Ed25519.Verify(_publicKey, _message, _signature);

    [Benchmark(Description = "KeyPairAuth verify, GET")]
    public ValueTask<bool> Get() => _get.VerifyNextAsync();

    [Benchmark(Description = "floor: raw verify + raw SHA-256, 1 KiB")]
    public bool Floor1KiB() => RawVerifyAndHash(_body1K);

    [Benchmark(Description = "KeyPairAuth verify + digest, POST 1 KiB")]
    public ValueTask<bool> Post1KiB() => _post1K.VerifyNextAsync();

    [Benchmark(Description = "floor: raw verify + raw SHA-256, 64 KiB")]
    public bool Floor64KiB() => RawVerifyAndHash(_body64K);

    [Benchmark(Description = "KeyPairAuth verify + digest, POST 64 KiB")]
    public ValueTask<bool> Post64KiB() => _post64K.VerifyNextAsync();

    [Benchmark(Description = "floor: raw verify + raw SHA-256, 1 MiB")]
    public bool Floor1MiB() => RawVerifyAndHash(_body1M);

    [Benchmark(Description = "KeyPairAuth verify + digest, POST 1 MiB")]
    public ValueTask<bool> Post1MiB() => _post1M.VerifyNextAsync();

    private bool RawVerifyAndHash(byte[] body)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(body, hash);
        _sink = hash[0];
        return SignatureAlgorithm.Ed25519.Verify(_publicKey, _message, _signature);
    }
}
