using System.Text;
using BenchmarkDotNet.Attributes;
using KeyPairAuth.AspNetCore;
using KeyPairAuth.AspNetCore.Internal;
using KeyPairAuth.Benchmarks.Infrastructure;
using KeyPairAuth.Keys;
using KeyPairAuth.Replay;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NSec.Cryptography;

namespace KeyPairAuth.Benchmarks.Suites;

/// <summary>
/// The ASP.NET Core handler path without Kestrel or sockets: a signed GET on a fresh <see cref="DefaultHttpContext"/>
/// (as Kestrel hands one to the middleware), authenticated through <c>HttpContext.AuthenticateAsync</c> exactly as
/// <c>UseAuthentication()</c> does (authentication service, handler resolved from DI, <c>InitializeAsync</c>, options
/// lookup, verify, claims principal, ticket). Rows: raw NSec verify (baseline); the harness alone (building the
/// context); the engine on the same context (<see cref="HttpMessageVerifier"/> over the handler's request view); the
/// whole handler. Handler − engine is what the ASP.NET Core integration adds per request.
/// </summary>
/// <remarks>
/// Same pool discipline as <see cref="VerifyFixture"/>: 8,192 pre-signed requests with distinct nonces, cycled; the
/// replay cache is replaced by an empty one each time the pool wraps, so every call does a real check-and-set.
/// The clock is frozen at signing time (key-cache hits, fresh signatures). Logging has no providers.
/// </remarks>
[BenchmarkCategory("Handler")]
public class HandlerBenchmarks
{
    private const int PoolSize = 8192;

    private Key _rawKey = null!;
    private PublicKey _rawPublicKey = null!;
    private byte[] _message = null!;
    private byte[] _signature = null!;
    private ServiceProvider _services = null!;
    private HttpMessageVerifier _engine = null!;
    private (string Input, string Signature)[] _pool = null!;
    private InMemoryPublicKeyStore _store = null!;
    private PublicKeyCache _keys = null!;
    private TimeProvider _time = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var time = new FixedTimeProvider(TimeProvider.System.GetUtcNow());
        using SigningKey key = SigningKey.FromSeed(Fixtures.KeyId, Fixtures.Seed);
        InMemoryPublicKeyStore store = Fixtures.StoreWithKey(key, time.GetUtcNow());

        _store = store;
        _keys = new PublicKeyCache(store, time);
        _time = time;
        NextGeneration();

        var signer = new HttpMessageSigner(time);
        var unsigned = new BenchRequest("GET", Fixtures.Authority, Fixtures.GetTarget, false);
        _pool = new (string, string)[PoolSize];
        for (int i = 0; i < PoolSize; i++)
        {
            SignatureFields fields = signer.Sign(unsigned, key);
            _pool[i] = (fields.SignatureInput, fields.Signature);
        }

        string signatureBase = SignBenchmarks.SignatureBaseOf(unsigned.With(
            BenchRequest.Header(SignatureFields.SignatureInputFieldName, _pool[0].Input),
            BenchRequest.Header(SignatureFields.SignatureFieldName, _pool[0].Signature)), _pool[0].Input);
        _rawKey = Fixtures.CreateNSecKey();
        _rawPublicKey = _rawKey.PublicKey;
        _message = Encoding.ASCII.GetBytes(signatureBase);
        _signature = SignatureAlgorithm.Ed25519.Sign(_rawKey, _message);

        // Correctness: the handler authenticates a signed request, refuses its replay, and the engine accepts the next one.
        using (IServiceScope s1 = _services.CreateScope())
        {
            AuthenticateResult ok = NewContext(0, s1.ServiceProvider).AuthenticateAsync(KeyPairAuthenticationDefaults.AuthenticationScheme).GetAwaiter().GetResult();
            Fixtures.Require(ok.Succeeded && ok.Principal!.HasClaim(KeyPairClaimTypes.KeyId, Fixtures.KeyId), "the handler authenticates a signed GET");
        }

        using IServiceScope s2 = _services.CreateScope();
        AuthenticateResult replay = NewContext(0, s2.ServiceProvider).AuthenticateAsync(KeyPairAuthenticationDefaults.AuthenticationScheme).GetAwaiter().GetResult();
        Fixtures.Require(!replay.Succeeded && replay.Failure is not null, $"the handler refuses a replay (got {replay.Succeeded} {replay.None} {replay.Failure?.Message})");
        Fixtures.Require(_engine.VerifyAsync(new HttpContextRequestView(NewContext(1, s2.ServiceProvider).Request)).AsTask().GetAwaiter().GetResult().Succeeded, "the engine verifies the view");
        Fixtures.Require(RawVerify(), "raw verify succeeds");
        NextGeneration();
        _next = 0;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _rawKey.Dispose();
        _services.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Ed25519 verify, raw NSec (GET base size)")]
    public bool RawVerify() => SignatureAlgorithm.Ed25519.Verify(_rawPublicKey, _message, _signature);

    [Benchmark(Description = "harness: request scope + DefaultHttpContext with a signed GET")]
    public HttpContext Harness()
    {
        int index = NextIndex();
        using IServiceScope scope = _services.CreateScope();
        return NewContext(index, scope.ServiceProvider);
    }

    [Benchmark(Description = "engine: HttpMessageVerifier on the request view")]
    public async Task<bool> Engine()
    {
        int index = NextIndex();
        using IServiceScope scope = _services.CreateScope();
        SignatureVerificationResult result = await _engine.VerifyAsync(new HttpContextRequestView(NewContext(index, scope.ServiceProvider).Request));
        return result.Succeeded ? true : throw new InvalidOperationException("verification failed: " + result.Failure);
    }

    [Benchmark(Description = "handler: HttpContext.AuthenticateAsync (KeyPair scheme)")]
    public async Task<bool> Handler()
    {
        int index = NextIndex();
        using IServiceScope scope = _services.CreateScope();
        AuthenticateResult result = await NewContext(index, scope.ServiceProvider).AuthenticateAsync(KeyPairAuthenticationDefaults.AuthenticationScheme);
        return result.Succeeded ? true : throw new InvalidOperationException("authentication failed: " + result.Failure?.Message);
    }

    /// <summary>Bytes allocated per step of the handler path (averaged over many requests): <c>handler-profile</c>.</summary>
    public static async Task<int> ProfileAsync()
    {
        var b = new HandlerBenchmarks();
        b.Setup();
        const int n = 4000;
        long scope = 0, context = 0, provider = 0, init = 0, authenticate = 0, service = 0;
        for (int i = 0; i < 2 * n; i++)
        {
            bool measure = i >= n;
            long t0 = GC.GetAllocatedBytesForCurrentThread();
            int index = b.NextIndex();
            using IServiceScope s = b._services.CreateScope();
            long t1 = GC.GetAllocatedBytesForCurrentThread();
            DefaultHttpContext c = b.NewContext(index, s.ServiceProvider);
            long t2 = GC.GetAllocatedBytesForCurrentThread();
            var handlers = s.ServiceProvider.GetRequiredService<IAuthenticationHandlerProvider>();
            long t3 = GC.GetAllocatedBytesForCurrentThread();
            IAuthenticationHandler handler = (await handlers.GetHandlerAsync(c, KeyPairAuthenticationDefaults.AuthenticationScheme))!;
            long t4 = GC.GetAllocatedBytesForCurrentThread();
            AuthenticateResult r = await handler.AuthenticateAsync();
            long t5 = GC.GetAllocatedBytesForCurrentThread();
            Fixtures.Require(r.Succeeded, "authenticated");
            if (measure)
            {
                scope += t1 - t0; context += t2 - t1; provider += t3 - t2; init += t4 - t3; authenticate += t5 - t4;
            }
        }

        for (int i = 0; i < 2 * n; i++)
        {
            int index = b.NextIndex();
            using IServiceScope s = b._services.CreateScope();
            DefaultHttpContext c = b.NewContext(index, s.ServiceProvider);
            long t0 = GC.GetAllocatedBytesForCurrentThread();
            AuthenticateResult r = await c.AuthenticateAsync(KeyPairAuthenticationDefaults.AuthenticationScheme);
            long t1 = GC.GetAllocatedBytesForCurrentThread();
            Fixtures.Require(r.Succeeded, "authenticated");
            if (i >= n)
            {
                service += t1 - t0;
            }
        }

        Console.WriteLine($"scope {scope / n} B, context {context / n} B, handler provider {provider / n} B, GetHandlerAsync (resolve + InitializeAsync) {init / n} B, handler.AuthenticateAsync {authenticate / n} B; HttpContext.AuthenticateAsync total {service / n} B");
        b.Cleanup();
        return 0;
    }

    private int NextIndex()
    {
        int index = _next;
        if (++_next == _pool.Length)
        {
            _next = 0;
            NextGeneration();
        }

        return index;
    }

    private DefaultHttpContext NewContext(int index, IServiceProvider requestServices)
    {
        // A request scope, as the hosting layer creates one per request (the handler provider caches handlers per scope).
        var context = new DefaultHttpContext { RequestServices = requestServices };
        HttpRequest request = context.Request;
        request.Method = HttpMethods.Get;
        request.Scheme = "https";
        request.Host = new HostString(Fixtures.Authority);
        request.Path = "/v1/orders";
        request.QueryString = new QueryString("?id=42&expand=items");
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = Fixtures.GetTarget;
        request.Headers[SignatureFields.SignatureInputFieldName] = _pool[index].Input;
        request.Headers[SignatureFields.SignatureFieldName] = _pool[index].Signature;
        return context;
    }

    /// <summary>
    /// A new generation: a fresh service provider around a new, empty <see cref="InMemoryReplayCache"/> (registered
    /// directly, as an application does, so the verifier takes its span fast path), and an engine verifier on the same
    /// cache. The rebuild is amortised over the pool.
    /// </summary>
    private void NextGeneration()
    {
        ServiceProvider? previous = _services;
        // One bench key signs the whole pool: it may hold half the cache (the per-key counters still run).
        var replay = new InMemoryReplayCache(_time, new InMemoryReplayCacheOptions { MaxEntries = PoolSize * 4, MaxEntriesPerKey = PoolSize * 2 });
        var services = new ServiceCollection();
        services.AddLogging(b => b.ClearProviders());
        services.AddSingleton(_keys);
        services.AddSingleton<IPublicKeyStore>(_store);
        services.AddSingleton<IReplayCache>(replay);
        services.AddKeyPairAuth();
        services.AddAuthentication(KeyPairAuthenticationDefaults.AuthenticationScheme).AddKeyPair(o => o.TimeProvider = _time);
        _services = services.BuildServiceProvider();
        _engine = new HttpMessageVerifier(_keys, replay, new SignatureVerificationOptions(), _time);
        previous?.Dispose();
    }
}
