using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using KeyPairAuth.AspNetCore;
using KeyPairAuth.Benchmarks.Infrastructure;
using KeyPairAuth.Keys;
using KeyPairAuth.Replay;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NSec.Cryptography;

namespace KeyPairAuth.Benchmarks.EndToEnd;

/// <summary>
/// End-to-end runner: several in-process Kestrel apps on 127.0.0.1 (one per variant, slim builder, logging cleared),
/// driven by <see cref="HttpClient"/> with N concurrent tasks over a bounded number of requests, alternating the
/// variants round by round. Reports requests/s and process CPU-µs per request (client and server together) as markdown.
/// Every loop is bounded in count and in time, and only loopback is ever addressed.
/// </summary>
internal static class EndToEndRunner
{
    private const string Path = "/orders?id=42";
    private const string Issuer = "https://issuer.example.com";
    private const string Audience = "https://api.example.com";

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = E2ESettings.Parse(args);
        Console.WriteLine($"e2e: {settings}");

        var variants = new List<Variant>();
        try
        {
            using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            string jwt = CreateEs256Token(ecdsa);
            var jwtKey = new ECDsaSecurityKey(ECDsa.Create(ecdsa.ExportParameters(false))) { KeyId = "es" };
            using Key floorKey = Fixtures.CreateNSecKey();
            byte[] floorMessage = Fixtures.SignatureBaseLike(200);
            byte[] floorSignature = SignatureAlgorithm.Ed25519.Sign(floorKey, floorMessage);
            PublicKey floorPublic = floorKey.PublicKey;
            (byte[] Message, byte[] Signature)[] floorPool = DistinctSignedMessages(floorKey, floorMessage, FloorPoolSize);
            int floorNext = -1;
            using SigningKey signingKey = SigningKey.FromSeed(Fixtures.KeyId, Fixtures.Seed);

            variants.Add(await StartAsync("none", "no authentication", _ => { }, app => { }));
            // The floor: what any Ed25519 scheme must do per request, one raw verify of a message and signature it has
            // not just verified (a server never sees the same signature twice). Ed25519 verification is variable-time:
            // repeating one signature lets the branch predictor learn its path and keeps it in cache, which made the
            // earlier floor (kept below as floor-1msg) a few percent cheaper than any real verification.
            variants.Add(await StartAsync("floor", $"middleware doing one raw NSec Ed25519 verify (200 B), cycling over {FloorPoolSize} distinct signed messages", _ => { }, app =>
                app.Use((context, next) =>
                {
                    var (message, signature) = floorPool[(int)((uint)Interlocked.Increment(ref floorNext) % FloorPoolSize)];
                    if (!SignatureAlgorithm.Ed25519.Verify(floorPublic, message, signature))
                    {
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        return Task.CompletedTask;
                    }

                    return next(context);
                })));
            variants.Add(await StartAsync("floor-1msg", "diagnostic (the earlier floor): middleware doing one raw NSec Ed25519 verify of the same 200 B message every time", _ => { }, app =>
                app.Use((context, next) =>
                {
                    if (!SignatureAlgorithm.Ed25519.Verify(floorPublic, floorMessage, floorSignature))
                    {
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        return Task.CompletedTask;
                    }

                    return next(context);
                })));
            await AddOurVariantAsync(variants, signingKey);
            variants.Add(await StartAsync("jwt-es256", "ASP.NET Core JwtBearer, ES256 (issuer, audience, lifetime)", builder =>
                builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
                {
                    o.MapInboundClaims = false;
                    o.TokenValidationParameters = new TokenValidationParameters
                    {
                        ValidIssuer = Issuer,
                        ValidAudience = Audience,
                        IssuerSigningKey = jwtKey,
                        ValidateIssuer = true,
                        ValidateAudience = true,
                        ValidateLifetime = true,
                        ValidateIssuerSigningKey = true,
                        RequireExpirationTime = true,
                        RequireSignedTokens = true,
                        ClockSkew = TimeSpan.FromMinutes(5),
                    };
                }), app => app.UseAuthentication(), requireUser: true));

            var signer = CreateRequestSigner(variants, signingKey);

            // Sanity: every variant answers 200 "ok" to a proper request, and the authenticating ones refuse a bare one.
            foreach (var v in variants)
            {
                var headers = signer(1);
                var ok = await SendOnceAsync(v, headers[0], jwt);
                Fixtures.Require(ok == HttpStatusCode.OK, $"{v.Name} accepts a signed request (got {(int)ok})");
                if (v.Name is not ("none" or "floor" or "floor-1msg"))
                {
                    var bare = await SendOnceAsync(v, null, null);
                    Fixtures.Require(bare == HttpStatusCode.Unauthorized, $"{v.Name} refuses an unsigned request (got {(int)bare})");
                }
            }

            var results = new List<RunResult>();
            for (int round = 0; round < settings.WarmupRounds + settings.Rounds; round++)
            {
                bool warmup = round < settings.WarmupRounds;
                int requests = warmup ? settings.WarmupRequests : settings.Requests;
                // Rotate the order each round so drift in machine load does not favour one variant.
                for (int k = 0; k < variants.Count; k++)
                {
                    var v = variants[(k + round) % variants.Count];
                    var pool = signer(requests);
                    var r = await RunOnceAsync(v, pool, jwt, requests, settings.Concurrency, settings.TimeLimit);
                    r = r with { Round = warmup ? 0 : round - settings.WarmupRounds + 1 };
                    Console.WriteLine($"{(warmup ? "warm-up" : $"round {r.Round}")} {v.Name,-10} {r.RequestsPerSecond,10:F0} req/s {r.CpuMicrosPerRequest,7:F1} CPU-µs/req ok={r.Ok} failed={r.Failed}");
                    if (!warmup)
                    {
                        results.Add(r);
                    }
                }
            }

            string markdown = Report(settings, variants, results);
            if (settings.OutputPath is { } output)
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(output))!);
                await File.WriteAllTextAsync(output, markdown);
                Console.WriteLine($"e2e: wrote {output}");
            }

            Console.WriteLine(markdown);
            return results.Any(r => r.Failed > 0) ? 1 : 0;
        }
        finally
        {
            foreach (var v in variants)
            {
                v.Client.Dispose();
                await v.App.StopAsync();
                await v.App.DisposeAsync();
            }
        }
    }

    private const int FloorPoolSize = 8192;

    /// <summary>
    /// <paramref name="count"/> distinct messages of <paramref name="template"/>'s length (the template with a counter
    /// written over its last characters), each signed by <paramref name="key"/>.
    /// </summary>
    private static (byte[] Message, byte[] Signature)[] DistinctSignedMessages(Key key, byte[] template, int count)
    {
        var pool = new (byte[], byte[])[count];
        for (int i = 0; i < count; i++)
        {
            byte[] message = (byte[])template.Clone();
            System.Text.Encoding.ASCII.GetBytes(i.ToString("x8", CultureInfo.InvariantCulture), message.AsSpan(message.Length - 8));
            pool[i] = (message, SignatureAlgorithm.Ed25519.Sign(key, message));
        }

        return pool;
    }

    /// <summary>
    /// The default capacity, but the one bench key, which signs every request, may hold most of it (by default a key gets
    /// a tenth); the per-key counters still run as in production.
    /// </summary>
    private static InMemoryReplayCacheOptions BenchKeyReplayOptions => new() { MaxEntriesPerKey = 900_000 };

    /// <summary>Starts our scheme's server: AddAuthentication().AddKeyPair() over an in-memory store holding the bench key.</summary>
    private static async Task AddOurVariantAsync(List<Variant> variants, SigningKey key)
    {
        InMemoryPublicKeyStore store = Fixtures.StoreWithKey(key, TimeProvider.System.GetUtcNow());
        variants.Add(await StartAsync("keypair", "KeyPairAuth scheme: AddAuthentication().AddKeyPair(), in-memory store + key cache + replay cache", builder =>
        {
            builder.Services.AddSingleton<IPublicKeyStore>(store);
            builder.Services.AddSingleton(sp => new PublicKeyCache(sp.GetRequiredService<IPublicKeyStore>(), TimeProvider.System));
            builder.Services.AddSingleton<IReplayCache>(new InMemoryReplayCache(TimeProvider.System, BenchKeyReplayOptions));
            builder.Services.AddKeyPairAuth();
            builder.Services.AddAuthentication(KeyPairAuthenticationDefaults.AuthenticationScheme).AddKeyPair();
        }, app => app.UseAuthentication(), requireUser: true));

        // Diagnostic variant: the same engine (key cache over the same store, its own InMemoryReplayCache) called from a
        // bare middleware, without the authentication framework, to split our cost into engine and ASP.NET Core path.
        // The pre-signed pool is signed for the keypair app's authority, so this view reports that authority.
        string authority = variants.Single(v => v.Name == "keypair").BaseUri.Authority;
        var verifier = new HttpMessageVerifier(new PublicKeyCache(store, TimeProvider.System), new InMemoryReplayCache(TimeProvider.System, BenchKeyReplayOptions),
            new SignatureVerificationOptions(), TimeProvider.System);
        variants.Add(await StartAsync("engine", "diagnostic: middleware calling HttpMessageVerifier directly (no authentication framework, no principal)", _ => { }, app =>
            app.Use(async (context, next) =>
            {
                var view = new AuthorityView(new KeyPairAuth.AspNetCore.HttpContextRequestView(context.Request), authority);
                SignatureVerificationResult result = await verifier.VerifyAsync(view, context.RequestAborted);
                if (!result.Succeeded)
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return;
                }

                await next(context);
            })));
    }

    /// <summary>A request view that reports a fixed authority (the one the pool was signed for).</summary>
    private sealed class AuthorityView(IHttpRequestView inner, string authority) : IHttpRequestView
    {
        public string Method => inner.Method;

        public string Scheme => inner.Scheme;

        public string Authority => authority;

        public string RequestTarget => inner.RequestTarget;

        public bool HasContent => inner.HasContent;

        public Microsoft.Extensions.Primitives.StringValues GetFieldValues(string fieldName) => inner.GetFieldValues(fieldName);
    }

    /// <summary>Creates the pre-signer: given a count, returns that many signed header sets with distinct nonces, for our server's authority.</summary>
    private static Func<int, RequestHeaders[]> CreateRequestSigner(List<Variant> variants, SigningKey key)
    {
        Uri ours = variants.Single(v => v.Name == "keypair").BaseUri;
        var request = new BenchRequest("GET", ours.Authority, Path, false) { Scheme = ours.Scheme };
        var signer = new HttpMessageSigner();
        return count =>
        {
            var pool = new RequestHeaders[count];
            for (int i = 0; i < count; i++)
            {
                SignatureFields fields = signer.Sign(request, key);
                pool[i] = new RequestHeaders(fields.SignatureInput, fields.Signature);
            }

            return pool;
        };
    }

    internal static async Task<Variant> StartAsync(string name, string description, Action<WebApplicationBuilder> configure, Action<WebApplication> pipeline, bool requireUser = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0));
        configure(builder);
        var app = builder.Build();
        pipeline(app);
        app.Run(context =>
        {
            if (requireUser && context.User.Identity?.IsAuthenticated != true)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Task.CompletedTask;
            }

            return context.Response.WriteAsync("ok");
        });
        await app.StartAsync();
        var baseUri = new Uri(app.Urls.First());
        Fixtures.Require(IPAddress.IsLoopback(IPAddress.Parse(baseUri.Host)), "the server listens on loopback only");
        var client = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            MaxConnectionsPerServer = 64,
            UseProxy = false,
            AllowAutoRedirect = false,
        })
        {
            BaseAddress = baseUri,
            Timeout = TimeSpan.FromSeconds(30),
        };
        return new Variant(name, description, app, client, baseUri);
    }

    internal static async Task<HttpStatusCode> SendOnceAsync(Variant v, RequestHeaders? headers, string? jwt) =>
        (await SendOnceDescribedAsync(v, headers, jwt)).Status;

    /// <summary>Sends one request; returns its status and, for a set-up check that fails, what the server said.</summary>
    internal static async Task<(HttpStatusCode Status, string Description)> SendOnceDescribedAsync(Variant v, RequestHeaders? headers, string? jwt)
    {
        using var request = CreateRequest(headers, jwt);
        using var response = await v.Client.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, $"{(int)response.StatusCode} {response.Headers.WwwAuthenticate} {body}");
    }

    private static HttpRequestMessage CreateRequest(RequestHeaders? headers, string? jwt)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Path);
        if (headers is { } h)
        {
            request.Headers.TryAddWithoutValidation("Signature-Input", h.SignatureInput);
            request.Headers.TryAddWithoutValidation("Signature", h.Signature);
        }

        if (jwt is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + jwt);
        }

        return request;
    }

    internal static async Task<RunResult> RunOnceAsync(Variant v, RequestHeaders[] pool, string jwt, int requests, int concurrency, TimeSpan limit)
    {
        // The bearer header string is built once, so every variant carries identical headers at identical cost.
        int next = -1;
        int ok = 0;
        int failed = 0;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        TimeSpan cpuBefore = ProcessCpu();
        var stopwatch = Stopwatch.StartNew();
        var tasks = new Task[concurrency];
        for (int t = 0; t < concurrency; t++)
        {
            tasks[t] = Task.Run(async () =>
            {
                while (true)
                {
                    int i = Interlocked.Increment(ref next);
                    if (i >= requests || stopwatch.Elapsed > limit)
                    {
                        return;
                    }

                    try
                    {
                        using var request = CreateRequest(pool[i], jwt);
                        using var response = await v.Client.SendAsync(request);
                        string body = await response.Content.ReadAsStringAsync();
                        if (response.StatusCode == HttpStatusCode.OK && body == "ok")
                        {
                            Interlocked.Increment(ref ok);
                        }
                        else
                        {
                            Interlocked.Increment(ref failed);
                        }
                    }
                    catch (Exception)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            });
        }

        await Task.WhenAll(tasks);
        stopwatch.Stop();
        TimeSpan cpu = ProcessCpu() - cpuBefore;
        int done = ok + failed;
        return new RunResult(v.Name, 0, ok, failed, stopwatch.Elapsed,
            done / stopwatch.Elapsed.TotalSeconds, cpu.TotalMicroseconds / Math.Max(1, done));
    }

    private static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static string CreateEs256Token(ECDsa ecdsa)
    {
        DateTime now = TimeProvider.System.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(2),
            Subject = new ClaimsIdentity([new Claim("sub", "user-42"), new Claim("scope", "orders:read"), new Claim("client_id", "bench-client")]),
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(ecdsa) { KeyId = "es" }, SecurityAlgorithms.EcdsaSha256),
        });
    }

    internal static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.OrderBy(x => x)];
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static string Report(E2ESettings settings, List<Variant> variants, List<RunResult> results)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("# End-to-end: in-process Kestrel + HttpClient on 127.0.0.1");
        sb.AppendLine();
        sb.AppendLine(inv, $"Command: `benchmarks/run.sh{(settings.Quick ? " --quick" : string.Empty)} e2e`. Settings: {settings}.");
        sb.AppendLine(inv, $"Machine: {Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, GC concurrent={System.Runtime.GCSettings.LatencyMode}, server GC={System.Runtime.GCSettings.IsServerGC}.");
        sb.AppendLine();
        sb.AppendLine("Client and server share the process and the cores, so CPU-µs per request counts both. Every request carries the same");
        sb.AppendLine("headers (Signature-Input, Signature, Authorization: Bearer) whatever the variant; only the server differs.");
        sb.AppendLine();
        sb.AppendLine("| variant | what the server does |");
        sb.AppendLine("|---|---|");
        foreach (var v in variants)
        {
            sb.AppendLine(inv, $"| {v.Name} | {v.Description} |");
        }

        sb.AppendLine();
        sb.AppendLine("## Medians over the measured rounds");
        sb.AppendLine();
        sb.AppendLine("| variant | median req/s | min–max req/s | median CPU-µs/req | CPU-µs/req minus none | req/s ÷ none | req/s ÷ floor |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        double noneRps = Median(results.Where(r => r.Variant == "none").Select(r => r.RequestsPerSecond));
        double floorRps = Median(results.Where(r => r.Variant == "floor").Select(r => r.RequestsPerSecond));
        double noneCpu = Median(results.Where(r => r.Variant == "none").Select(r => r.CpuMicrosPerRequest));
        foreach (var v in variants)
        {
            var rs = results.Where(r => r.Variant == v.Name).ToList();
            double rps = Median(rs.Select(r => r.RequestsPerSecond));
            double cpu = Median(rs.Select(r => r.CpuMicrosPerRequest));
            sb.AppendLine(inv, $"| {v.Name} | {rps:F0} | {rs.Min(r => r.RequestsPerSecond):F0}–{rs.Max(r => r.RequestsPerSecond):F0} | {cpu:F1} | {cpu - noneCpu:+0.0;-0.0;0.0} | {rps / noneRps:F3} | {rps / floorRps:F3} |");
        }

        sb.AppendLine();
        sb.AppendLine("## Per-round ratios (same round, so drift cancels)");
        sb.AppendLine();
        var names = variants.Select(v => v.Name).ToList();
        sb.Append("| round |");
        foreach (string n in names)
        {
            sb.Append(inv, $" {n} req/s |");
        }

        bool hasOurs = names.Contains("keypair");
        bool hasOneMessageFloor = hasOurs && names.Contains("floor-1msg");
        sb.AppendLine(hasOurs ? $" keypair ÷ floor |{(hasOneMessageFloor ? " keypair ÷ floor-1msg |" : string.Empty)} keypair ÷ jwt-es256 |" : " floor ÷ none | jwt-es256 ÷ floor |");
        sb.Append("|---|");
        sb.Append(string.Concat(Enumerable.Repeat("---:|", names.Count)));
        sb.AppendLine(hasOneMessageFloor ? "---:|---:|---:|" : "---:|---:|");
        var perRound = new List<double>();
        var perRoundOneMessage = new List<double>();
        foreach (var group in results.GroupBy(r => r.Round).OrderBy(g => g.Key))
        {
            var byName = group.ToDictionary(r => r.Variant);
            sb.Append(inv, $"| {group.Key} |");
            foreach (string n in names)
            {
                sb.Append(inv, $" {byName[n].RequestsPerSecond:F0} |");
            }

            if (hasOurs)
            {
                double ratio = byName["keypair"].RequestsPerSecond / byName["floor"].RequestsPerSecond;
                perRound.Add(ratio);
                sb.Append(inv, $" {ratio:F3} |");
                if (hasOneMessageFloor)
                {
                    double oneMessage = byName["keypair"].RequestsPerSecond / byName["floor-1msg"].RequestsPerSecond;
                    perRoundOneMessage.Add(oneMessage);
                    sb.Append(inv, $" {oneMessage:F3} |");
                }

                sb.AppendLine(inv, $" {byName["keypair"].RequestsPerSecond / byName["jwt-es256"].RequestsPerSecond:F3} |");
            }
            else
            {
                sb.AppendLine(inv, $" {byName["floor"].RequestsPerSecond / byName["none"].RequestsPerSecond:F3} | {byName["jwt-es256"].RequestsPerSecond / byName["floor"].RequestsPerSecond:F3} |");
            }
        }

        if (perRound.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine(inv, $"keypair ÷ floor, median of the per-round ratios: **{Median(perRound):F3}** (rounds {perRound.Min():F3}–{perRound.Max():F3}).");
            if (perRoundOneMessage.Count > 0)
            {
                sb.AppendLine(inv, $"keypair ÷ floor-1msg (the earlier floor), median of the per-round ratios: **{Median(perRoundOneMessage):F3}** (rounds {perRoundOneMessage.Min():F3}–{perRoundOneMessage.Max():F3}).");
            }
        }

        sb.AppendLine();
        sb.AppendLine("## Every measured run");
        sb.AppendLine();
        sb.AppendLine("| round | variant | ok | failed | seconds | req/s | CPU-µs/req |");
        sb.AppendLine("|---:|---|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            sb.AppendLine(inv, $"| {r.Round} | {r.Variant} | {r.Ok} | {r.Failed} | {r.Elapsed.TotalSeconds:F2} | {r.RequestsPerSecond:F0} | {r.CpuMicrosPerRequest:F1} |");
        }

        return sb.ToString();
    }
}

/// <summary>One server under test and the client that drives it.</summary>
internal sealed record Variant(string Name, string Description, WebApplication App, HttpClient Client, Uri BaseUri);

/// <summary>The signature fields one request carries.</summary>
internal readonly record struct RequestHeaders(string SignatureInput, string Signature);

/// <summary>The outcome of one bounded run against one variant.</summary>
internal sealed record RunResult(string Variant, int Round, int Ok, int Failed, TimeSpan Elapsed, double RequestsPerSecond, double CpuMicrosPerRequest);

/// <summary>Runner settings; all bounded.</summary>
internal sealed record E2ESettings(bool Quick, int Requests, int WarmupRequests, int Concurrency, int Rounds, int WarmupRounds, TimeSpan TimeLimit, string? OutputPath)
{
    public static E2ESettings Parse(string[] args)
    {
        bool quick = args.Contains("--quick");
        var s = quick
            ? new E2ESettings(true, 3000, 1500, 8, 3, 1, TimeSpan.FromSeconds(10), null)
            : new E2ESettings(false, 20000, 5000, 8, 5, 2, TimeSpan.FromSeconds(60), null);
        for (int i = 0; i < args.Length - 1; i++)
        {
            s = args[i] switch
            {
                "--requests" => s with { Requests = Math.Clamp(int.Parse(args[i + 1], CultureInfo.InvariantCulture), 1, 1_000_000) },
                "--concurrency" => s with { Concurrency = Math.Clamp(int.Parse(args[i + 1], CultureInfo.InvariantCulture), 1, 256) },
                "--rounds" => s with { Rounds = Math.Clamp(int.Parse(args[i + 1], CultureInfo.InvariantCulture), 1, 50) },
                "--out" => s with { OutputPath = args[i + 1] },
                _ => s,
            };
        }

        return s;
    }

    public override string ToString() =>
        $"{Requests} requests per run, {Concurrency} concurrent tasks, {WarmupRounds} warm-up round(s) of {WarmupRequests}, {Rounds} measured rounds alternating variants, {TimeLimit.TotalSeconds:F0} s cap per run";
}
