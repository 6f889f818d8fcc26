using System.Security.Claims;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using KeyPairAuth.Benchmarks.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NSec.Cryptography;

namespace KeyPairAuth.Benchmarks.Suites;

/// <summary>
/// What users would pick instead: JWT bearer validation (ES256 and RS256, issuer/audience/lifetime checked, cached
/// key) and an HMAC-SHA256 check, beside one raw Ed25519 verify (the baseline) of a 200-byte signature-base-sized
/// message. Our full verification of the same signed GET sits in <see cref="VerifyBenchmarks"/>; this suite
/// repeats it as the last row so the ratio comes from one run.
/// </summary>
[BenchmarkCategory("Alternatives")]
public class AlternativesBenchmarks
{
    private const string Issuer = "https://issuer.example.com";
    private const string Audience = "https://api.example.com";

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private Key _key = null!;
    private PublicKey _publicKey = null!;
    private byte[] _message = null!;
    private byte[] _signature = null!;
    private string _es256Token = null!;
    private string _rs256Token = null!;
    private TokenValidationParameters _es256Parameters = null!;
    private TokenValidationParameters _rs256Parameters = null!;
    private byte[] _hmacKey = null!;
    private byte[] _hmacExpected = null!;
    private ECDsa _ecdsa = null!;
    private RSA _rsa = null!;
    private VerifyFixture _ours = null!;

    [GlobalSetup]
    public void Setup()
    {
        _key = Fixtures.CreateNSecKey();
        _publicKey = _key.PublicKey;
        _message = Fixtures.SignatureBaseLike(200);
        _signature = SignatureAlgorithm.Ed25519.Sign(_key, _message);

        _ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _rsa = RSA.Create(2048);
        var ecPublic = new ECDsaSecurityKey(ECDsa.Create(_ecdsa.ExportParameters(false))) { KeyId = "es" };
        var rsaPublic = new RsaSecurityKey(_rsa.ExportParameters(false)) { KeyId = "rs" };
        _es256Token = CreateToken(new SigningCredentials(new ECDsaSecurityKey(_ecdsa) { KeyId = "es" }, SecurityAlgorithms.EcdsaSha256));
        _rs256Token = CreateToken(new SigningCredentials(new RsaSecurityKey(_rsa) { KeyId = "rs" }, SecurityAlgorithms.RsaSha256));
        _es256Parameters = Parameters(ecPublic);
        _rs256Parameters = Parameters(rsaPublic);

        _hmacKey = RandomNumberGenerator.GetBytes(32);
        _hmacExpected = HMACSHA256.HashData(_hmacKey, _message);
        _ours = VerifyFixture.ForGet();

        Fixtures.Require(Ed25519Verify(), "Ed25519 verifies");
        Fixtures.Require(JwtEs256().GetAwaiter().GetResult(), "the ES256 token validates");
        Fixtures.Require(JwtRs256().GetAwaiter().GetResult(), "the RS256 token validates");
        Fixtures.Require(HmacOneShot(), "the HMAC matches");
        string tampered = _es256Token[..^4] + (_es256Token[^4] == 'A' ? "B" : "A") + _es256Token[^3..];
        Fixtures.Require(!_handler.ValidateTokenAsync(tampered, _es256Parameters).GetAwaiter().GetResult().IsValid, "a tampered ES256 token fails");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _key.Dispose();
        _ecdsa.Dispose();
        _rsa.Dispose();
        _ours.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Ed25519 verify, raw NSec (200 B)")]
    public bool Ed25519Verify() => SignatureAlgorithm.Ed25519.Verify(_publicKey, _message, _signature);

    [Benchmark(Description = "JWT ES256 validate (JsonWebTokenHandler)")]
    public async Task<bool> JwtEs256() => (await _handler.ValidateTokenAsync(_es256Token, _es256Parameters)).IsValid;

    [Benchmark(Description = "JWT RS256 validate (JsonWebTokenHandler)")]
    public async Task<bool> JwtRs256() => (await _handler.ValidateTokenAsync(_rs256Token, _rs256Parameters)).IsValid;

    [Benchmark(Description = "HMAC-SHA256 one-shot + FixedTimeEquals (200 B)")]
    public bool HmacOneShot()
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_hmacKey, _message, mac);
        return CryptographicOperations.FixedTimeEquals(mac, _hmacExpected);
    }

    [Benchmark(Description = "KeyPairAuth full verify, signed GET")]
    public ValueTask<bool> KeyPairAuthGet() => _ours.VerifyNextAsync();

    private string CreateToken(SigningCredentials credentials)
    {
        DateTime now = TimeProvider.System.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(2),
            Subject = new ClaimsIdentity([new Claim("sub", "user-42"), new Claim("scope", "orders:read"), new Claim("client_id", "bench-client")]),
            SigningCredentials = credentials,
        });
    }

    private static TokenValidationParameters Parameters(SecurityKey key) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = key,
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        ValidateIssuerSigningKey = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = TimeSpan.FromMinutes(5),
    };
}
