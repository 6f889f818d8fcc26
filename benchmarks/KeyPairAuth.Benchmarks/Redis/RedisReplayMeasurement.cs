using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using KeyPairAuth.AspNetCore;
using KeyPairAuth.Benchmarks.EndToEnd;
using KeyPairAuth.Benchmarks.Infrastructure;
using KeyPairAuth.Keys;
using KeyPairAuth.Replay;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace KeyPairAuth.Benchmarks.Redis;

/// <summary>
/// <c>redis [--quick] [--out FILE]</c>: what the Redis replay cache costs. (1) The replay check alone, through the
/// <see cref="IReplayCache"/> an app gets from <c>AddRedisReplayCache()</c>, against <see cref="InMemoryReplayCache"/>:
/// latency percentiles with one call in flight and with 16, client CPU-µs per check (this process, including
/// StackExchange.Redis's I/O threads) and Redis's own CPU-µs per check (<c>INFO cpu</c>). (2) End to end: two Kestrel
/// apps on 127.0.0.1 that differ only in the replay cache, at several numbers of requests in flight, alternating the
/// apps and the levels within every round: requests/s, the ratio per round and each app's capacity (its best level).
/// Every loop is bounded in count and time; only loopback is addressed. Option: <c>--concurrency N[,N…]</c> (E2E levels,
/// default 8,16,32).
/// </summary>
internal static class RedisReplayMeasurement
{
    private const string Path = "/orders?id=42";
    private const int Concurrency = 16;

    public static async Task<int> RunAsync(string[] args)
    {
        bool quick = args.Contains("--quick");
        string? output = RunnerArguments.OutputPath(args);
        var s = quick
            ? new Settings(Sequential: 3_000, Concurrent: 6_000, E2ERequests: 3_000, E2EWarmup: 3_000, E2EWarmupRounds: 1, E2ERounds: 3, E2EConcurrency: [8, 16])
            : new Settings(Sequential: 20_000, Concurrent: 40_000, E2ERequests: 10_000, E2EWarmup: 5_000, E2EWarmupRounds: 2, E2ERounds: 7, E2EConcurrency: [8, 16, 32]);
        int at = Array.IndexOf(args, "--concurrency");
        if (at >= 0 && at + 1 < args.Length)
        {
            s = s with
            {
                E2EConcurrency = [.. args[at + 1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(c => Math.Clamp(int.Parse(c, CultureInfo.InvariantCulture), 1, 256)).Distinct().Order()],
            };
        }

        Console.WriteLine($"redis: {s}");

        await using RedisBenchServer server = await RedisBenchServer.StartAsync();
        Console.WriteLine($"redis: {server.Description}");
        string prefix = $"keypairauth-bench:{Guid.NewGuid():N}:";

        var services = new ServiceCollection();
        services.AddKeyPairAuth().AddRedisReplayCache(o =>
        {
            o.Configuration = server.Configuration;
            o.KeyPrefix = prefix;
        });
        await using ServiceProvider provider = services.BuildServiceProvider();
        IReplayCache redis = provider.GetRequiredService<IReplayCache>();
        IReplayCache memory = new InMemoryReplayCache(TimeProvider.System);

        // For comparison: the same cache over an app-owned multiplexer that reads replies on StackExchange.Redis's own
        // socket threads (the library's default) instead of the .NET thread pool (what KeyPairAuth's connection uses).
        await using ConnectionMultiplexer dedicatedConnection = await DedicatedSocketThreadsConnectionAsync(server.Configuration);
        var dedicatedServices = new ServiceCollection();
        dedicatedServices.AddSingleton<IConnectionMultiplexer>(dedicatedConnection);
        dedicatedServices.AddKeyPairAuth().AddRedisReplayCache(o => o.KeyPrefix = prefix + "dedicated:");
        await using ServiceProvider dedicatedProvider = dedicatedServices.BuildServiceProvider();
        IReplayCache dedicated = dedicatedProvider.GetRequiredService<IReplayCache>();

        // Warm-up: connect, JIT every path.
        await MeasureAsync(redis, 2_000, 1, server);
        await MeasureAsync(dedicated, 2_000, 1, server);
        await MeasureAsync(memory, 2_000, 1, server);

        // Two halves each, interleaved, so drift in machine load hits every cache alike.
        var rows = new List<(string Name, Measured Result)>();
        Measured mem1 = await MeasureAsync(memory, s.Sequential / 2, 1, server);
        Measured red1 = await MeasureAsync(redis, s.Sequential / 2, 1, server);
        Measured ded1 = await MeasureAsync(dedicated, s.Sequential / 2, 1, server);
        Measured mem2 = await MeasureAsync(memory, s.Sequential / 2, 1, server);
        Measured ded2 = await MeasureAsync(dedicated, s.Sequential / 2, 1, server);
        Measured red2 = await MeasureAsync(redis, s.Sequential / 2, 1, server);
        rows.Add(("in-memory, 1 in flight", mem1.Merge(mem2)));
        rows.Add(("Redis, 1 in flight", red1.Merge(red2)));
        rows.Add(("Redis (library's socket threads), 1 in flight", ded1.Merge(ded2)));
        Measured memC = await MeasureAsync(memory, s.Concurrent, Concurrency, server);
        Measured redC1 = await MeasureAsync(redis, s.Concurrent / 2, Concurrency, server);
        Measured dedC1 = await MeasureAsync(dedicated, s.Concurrent / 2, Concurrency, server);
        Measured dedC2 = await MeasureAsync(dedicated, s.Concurrent / 2, Concurrency, server);
        Measured redC2 = await MeasureAsync(redis, s.Concurrent / 2, Concurrency, server);
        rows.Add(($"in-memory, {Concurrency} in flight", memC));
        rows.Add(($"Redis, {Concurrency} in flight", redC1.Merge(redC2)));
        rows.Add(($"Redis (library's socket threads), {Concurrency} in flight", dedC1.Merge(dedC2)));
        foreach ((string name, Measured r) in rows)
        {
            Console.WriteLine($"{name,-50} p50 {r.P50:F1} µs p99 {r.P99:F1} µs {r.OpsPerSecond,9:F0} checks/s client {r.ClientCpuMicros:F1} CPU-µs redis {r.ServerCpuMicros:F1} CPU-µs not-accepted={r.NotAccepted}");
        }

        List<E2EResult> e2e = await EndToEndAsync(s, server, prefix);
        string markdown = Report(s, server, rows, e2e);
        await RunnerArguments.WriteReportAsync(output, markdown);
        Console.WriteLine(markdown);
        bool failed = rows.Any(r => r.Result.NotAccepted > 0) || e2e.Any(r => r.Run.Failed > 0);
        return failed ? 1 : 0;
    }

    private static async Task<Measured> MeasureAsync(IReplayCache cache, int count, int concurrency, RedisBenchServer server)
    {
        string[] nonces = new string[count];
        for (int i = 0; i < count; i++)
        {
            nonces[i] = Fixtures.NewNonce();
        }

        DateTimeOffset until = TimeProvider.System.GetUtcNow().AddMinutes(6);
        long[] ticks = new long[count];
        int next = -1;
        int notAccepted = 0;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        TimeSpan serverBefore = await server.ServerCpuAsync();
        TimeSpan cpuBefore = ProcessCpu();
        var wall = Stopwatch.StartNew();
        var tasks = new Task[concurrency];
        for (int t = 0; t < concurrency; t++)
        {
            tasks[t] = Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count && wall.Elapsed < TimeSpan.FromSeconds(60))
                {
                    long start = Stopwatch.GetTimestamp();
                    ReplayCheckResult result = await cache.TryAddAsync(Fixtures.KeyId, nonces[i], until);
                    ticks[i] = Stopwatch.GetTimestamp() - start;
                    if (result != ReplayCheckResult.Accepted)
                    {
                        Interlocked.Increment(ref notAccepted);
                    }
                }
            });
        }

        await Task.WhenAll(tasks);
        wall.Stop();
        TimeSpan cpu = ProcessCpu() - cpuBefore;
        TimeSpan serverCpu = await server.ServerCpuAsync() - serverBefore;
        int done = Math.Min(count, next);
        double[] micros = [.. ticks.Take(done).Select(t => t * 1_000_000.0 / Stopwatch.Frequency)];
        return new Measured(micros, wall.Elapsed, cpu, serverCpu, notAccepted);
    }

    private static async Task<ConnectionMultiplexer> DedicatedSocketThreadsConnectionAsync(string configuration)
    {
        ConfigurationOptions options = ConfigurationOptions.Parse(configuration);
        options.SocketManager = SocketManager.Shared;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    private static async Task<List<E2EResult>> EndToEndAsync(Settings s, RedisBenchServer server, string prefix)
    {
        var variants = new List<Variant>();
        var results = new List<E2EResult>();
        using SigningKey key = SigningKey.FromSeed(Fixtures.KeyId, Fixtures.Seed);
        try
        {
            DateTimeOffset now = TimeProvider.System.GetUtcNow();
            variants.Add(await EndToEndRunner.StartAsync("keypair-memory", "AddAuthentication().AddKeyPair(), in-memory store + key cache, in-memory replay cache", b =>
            {
                b.Services.AddSingleton<IPublicKeyStore>(Fixtures.StoreWithKey(key, now));

                // The one bench key signs every request of the run (more than the default per-key share of a tenth).
                b.Services.AddSingleton<IReplayCache>(new InMemoryReplayCache(TimeProvider.System, new InMemoryReplayCacheOptions { MaxEntriesPerKey = 900_000 }));
                b.Services.AddKeyPairAuth();
                b.Services.AddAuthentication(KeyPairAuthenticationDefaults.AuthenticationScheme).AddKeyPair();
            }, app => app.UseAuthentication(), requireUser: true));
            variants.Add(await EndToEndRunner.StartAsync("keypair-redis", "the same, with AddRedisReplayCache() (Redis on loopback, default 250 ms bound)", b =>
            {
                b.Services.AddSingleton<IPublicKeyStore>(Fixtures.StoreWithKey(key, now));
                b.Services.AddKeyPairAuth().AddRedisReplayCache(o =>
                {
                    o.Configuration = server.Configuration;
                    o.KeyPrefix = prefix + "e2e:";
                });
                b.Services.AddAuthentication(KeyPairAuthenticationDefaults.AuthenticationScheme).AddKeyPair();
            }, app => app.UseAuthentication(), requireUser: true));

            // Sanity: signed → 200, unsigned → 401, the same signed request twice → 401 (the replay cache is consulted).
            foreach (Variant v in variants)
            {
                RequestHeaders headers = Sign(v, key, 1)[0];
                (HttpStatusCode status, string said) = await EndToEndRunner.SendOnceDescribedAsync(v, headers, null);
                Fixtures.Require(status == HttpStatusCode.OK, $"{v.Name} accepts a signed request (got {said})");
                Fixtures.Require(await EndToEndRunner.SendOnceAsync(v, headers, null) == HttpStatusCode.Unauthorized, $"{v.Name} refuses a replay");
                Fixtures.Require(await EndToEndRunner.SendOnceAsync(v, null, null) == HttpStatusCode.Unauthorized, $"{v.Name} refuses an unsigned request");
            }

            // Warm-up rounds let tiered JIT and the thread pool settle (the first rounds ran at half speed without them).
            // Every round visits every level and both apps, rotating their order, so drift in machine load hits all alike.
            for (int round = 0; round < s.E2EWarmupRounds + s.E2ERounds; round++)
            {
                bool warmup = round < s.E2EWarmupRounds;
                int requests = warmup ? s.E2EWarmup : s.E2ERequests;
                for (int level = 0; level < s.E2EConcurrency.Length; level++)
                {
                    int concurrency = s.E2EConcurrency[level];
                    for (int k = 0; k < variants.Count; k++)
                    {
                        Variant v = variants[(k + round + level) % variants.Count];
                        RequestHeaders[] pool = Sign(v, key, requests);
                        TimeSpan serverBefore = await server.ServerCpuAsync();
                        RunResult r = await EndToEndRunner.RunOnceAsync(v, pool, "bench", requests, concurrency, TimeSpan.FromSeconds(60));
                        TimeSpan serverCpu = await server.ServerCpuAsync() - serverBefore;
                        r = r with { Round = round - s.E2EWarmupRounds + 1 };
                        Console.WriteLine($"{(warmup ? "warm-up" : $"round {r.Round}")} {concurrency,3} in flight {v.Name,-15} {r.RequestsPerSecond,8:F0} req/s {r.CpuMicrosPerRequest,7:F1} CPU-µs/req ok={r.Ok} failed={r.Failed}");
                        if (!warmup)
                        {
                            results.Add(new E2EResult(r, concurrency, serverCpu.TotalMicroseconds / Math.Max(1, r.Ok + r.Failed)));
                        }
                    }
                }
            }

            return results;
        }
        finally
        {
            foreach (Variant v in variants)
            {
                v.Client.Dispose();
                await v.App.StopAsync();
                await v.App.DisposeAsync();
            }
        }
    }

    private static RequestHeaders[] Sign(Variant v, SigningKey key, int count)
    {
        var request = new BenchRequest("GET", v.BaseUri.Authority, Path, false) { Scheme = v.BaseUri.Scheme };
        var signer = new HttpMessageSigner();
        var pool = new RequestHeaders[count];
        for (int i = 0; i < count; i++)
        {
            SignatureFields fields = signer.Sign(request, key);
            pool[i] = new RequestHeaders(fields.SignatureInput, fields.Signature);
        }

        return pool;
    }

    private static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static string Report(Settings s, RedisBenchServer server, List<(string Name, Measured Result)> rows, List<E2EResult> e2e)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("# Redis replay cache: check cost and end to end");
        sb.AppendLine();
        sb.AppendLine(inv, $"Command: `benchmarks/run.sh{(s.Quick ? " --quick" : string.Empty)} redis` (E2E levels: runner flag `--concurrency {string.Join(',', s.E2EConcurrency)}`). Settings: {s}.");
        sb.AppendLine(inv, $"Redis: {server.Description}. Machine: {Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}.");
        sb.AppendLine();
        sb.AppendLine("## The replay check alone (`IReplayCache.TryAddAsync`, every pair new)");
        sb.AppendLine();
        sb.AppendLine("Client CPU = this process (caller + StackExchange.Redis I/O threads) ÷ checks; Redis CPU = the server's `used_cpu_user + used_cpu_sys` ÷ checks.");
        sb.AppendLine("With one call in flight the process mostly waits for the reply, and its CPU then includes the .NET thread pool's spin-waiting");
        sb.AppendLine("between replies: read the 16-in-flight rows for the cost of a check when a server is busy.");
        sb.AppendLine();
        sb.AppendLine("| cache, calls in flight | checks | p50 µs | p90 µs | p99 µs | max µs | checks/s | client CPU-µs/check | Redis CPU-µs/check | not accepted |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach ((string name, Measured r) in rows)
        {
            sb.AppendLine(inv, $"| {name} | {r.Count} | {r.P50:F1} | {r.P90:F1} | {r.P99:F1} | {r.Max:F0} | {r.OpsPerSecond:F0} | {r.ClientCpuMicros:F1} | {r.ServerCpuMicros:F1} | {r.NotAccepted} |");
        }

        Measured mem1 = rows[0].Result, red1 = rows[1].Result, memC = rows[3].Result, redC = rows[4].Result;
        sb.AppendLine();
        sb.AppendLine(inv, $"Added latency with one call in flight (Redis − in-memory): p50 **{red1.P50 - mem1.P50:F1} µs**, p99 **{red1.P99 - mem1.P99:F1} µs**; with {Concurrency} in flight: p50 **{redC.P50 - memC.P50:F1} µs**, p99 **{redC.P99 - memC.P99:F1} µs**. CPU per check with {Concurrency} in flight: client **+{redC.ClientCpuMicros - memC.ClientCpuMicros:F1} µs**, Redis **{redC.ServerCpuMicros:F1} µs**.");
        sb.AppendLine();
        sb.AppendLine("## End to end: one instance, in-memory vs Redis replay cache");
        sb.AppendLine();
        sb.AppendLine("In-process Kestrel + HttpClient on 127.0.0.1, as in `e2e.md`; the two apps differ only in the replay cache. CPU-µs/req = this process (client + server) ÷ requests; Redis CPU is extra, on the same 2 cores.");
        sb.AppendLine("An app's **capacity** is its best median req/s over the levels. CPU per request depends on the load: with few requests in flight every Redis reply is read, and wakes a thread, on its own;");
        sb.AppendLine("with more in flight StackExchange.Redis writes and reads several commands at once, Redis answers several per system call and wake-ups are shared. So each app is compared at its best.");
        sb.AppendLine();
        sb.AppendLine("| in flight | keypair-memory median req/s | keypair-redis median req/s | redis ÷ memory, median of per-round ratios (range) | memory CPU-µs/req | redis CPU-µs/req | Redis server CPU-µs/req |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|");
        var capacity = new Dictionary<string, (double Rps, int Concurrency)>();
        foreach (var level in e2e.GroupBy(r => r.Concurrency).OrderBy(g => g.Key))
        {
            List<double> ratios = Ratios(level);
            double m = EndToEndRunner.Median(level.Where(r => r.Run.Variant == "keypair-memory").Select(r => r.Run.RequestsPerSecond));
            double r = EndToEndRunner.Median(level.Where(r => r.Run.Variant == "keypair-redis").Select(r => r.Run.RequestsPerSecond));
            foreach ((string name, double rps) in (ReadOnlySpan<(string, double)>)[("keypair-memory", m), ("keypair-redis", r)])
            {
                if (!capacity.TryGetValue(name, out var best) || rps > best.Rps)
                {
                    capacity[name] = (rps, level.Key);
                }
            }

            sb.AppendLine(inv, $"| {level.Key} | {m:F0} | {r:F0} | {EndToEndRunner.Median(ratios):F3} ({ratios.Min():F3}–{ratios.Max():F3}) | {EndToEndRunner.Median(level.Where(x => x.Run.Variant == "keypair-memory").Select(x => x.Run.CpuMicrosPerRequest)):F1} | {EndToEndRunner.Median(level.Where(x => x.Run.Variant == "keypair-redis").Select(x => x.Run.CpuMicrosPerRequest)):F1} | {EndToEndRunner.Median(level.Where(x => x.Run.Variant == "keypair-redis").Select(x => x.ServerCpuMicrosPerRequest)):F1} |");
        }

        (double memCap, int memAt) = capacity["keypair-memory"];
        (double redCap, int redAt) = capacity["keypair-redis"];
        double atMemBest = EndToEndRunner.Median(Ratios(e2e.Where(r => r.Concurrency == memAt)));
        sb.AppendLine();
        sb.AppendLine(inv, $"Capacity: keypair-memory {memCap:F0} req/s (at {memAt} in flight), keypair-redis {redCap:F0} req/s (at {redAt}); **redis ÷ memory capacity = {redCap / memCap:F3}**; at the in-memory app's best level ({memAt}) the median of per-round ratios is {atMemBest:F3}. Target ≥ 0.75.");
        sb.AppendLine(inv, $"Failed requests: {e2e.Sum(r => r.Run.Failed)} (every response must be 200 \"ok\").");
        sb.AppendLine();
        sb.AppendLine("Every round:");
        sb.AppendLine();
        sb.AppendLine("| in flight | round | keypair-memory req/s | keypair-redis req/s | redis ÷ memory | memory CPU-µs/req | redis CPU-µs/req | Redis server CPU-µs/req |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var group in e2e.GroupBy(r => (r.Concurrency, r.Run.Round)).OrderBy(g => g.Key))
        {
            E2EResult m = group.Single(r => r.Run.Variant == "keypair-memory");
            E2EResult r = group.Single(r => r.Run.Variant == "keypair-redis");
            sb.AppendLine(inv, $"| {group.Key.Concurrency} | {group.Key.Round} | {m.Run.RequestsPerSecond:F0} | {r.Run.RequestsPerSecond:F0} | {r.Run.RequestsPerSecond / m.Run.RequestsPerSecond:F3} | {m.Run.CpuMicrosPerRequest:F1} | {r.Run.CpuMicrosPerRequest:F1} | {r.ServerCpuMicrosPerRequest:F1} |");
        }

        return sb.ToString();
    }

    /// <summary>redis ÷ memory req/s for each round of <paramref name="runs"/> (one level).</summary>
    private static List<double> Ratios(IEnumerable<E2EResult> runs) =>
        [.. runs.GroupBy(r => r.Run.Round).OrderBy(g => g.Key).Select(g =>
            g.Single(r => r.Run.Variant == "keypair-redis").Run.RequestsPerSecond / g.Single(r => r.Run.Variant == "keypair-memory").Run.RequestsPerSecond)];

    private sealed record Settings(int Sequential, int Concurrent, int E2ERequests, int E2EWarmup, int E2EWarmupRounds, int E2ERounds, int[] E2EConcurrency)
    {
        public bool Quick => Sequential < 20_000;

        public override string ToString() =>
            $"{Sequential} sequential and {Concurrent} concurrent ({Concurrency} in flight) checks per cache; E2E {E2ERounds} measured rounds of {E2ERequests} requests per app at each of {string.Join(", ", E2EConcurrency)} in flight, after {E2EWarmupRounds} warm-up round(s) of {E2EWarmup}, alternating the two apps and the levels within every round";
    }

    private sealed record E2EResult(RunResult Run, int Concurrency, double ServerCpuMicrosPerRequest);

    private sealed class Measured(double[] micros, TimeSpan wall, TimeSpan clientCpu, TimeSpan serverCpu, int notAccepted)
    {
        private readonly double[] _sorted = [.. micros.Order()];

        public int Count => _sorted.Length;

        public TimeSpan Wall { get; } = wall;

        public TimeSpan ClientCpu { get; } = clientCpu;

        public TimeSpan ServerCpu { get; } = serverCpu;

        public int NotAccepted { get; } = notAccepted;

        public double[] Micros { get; } = micros;

        public double P50 => Percentile(0.50);

        public double P90 => Percentile(0.90);

        public double P99 => Percentile(0.99);

        public double Max => _sorted.Length == 0 ? double.NaN : _sorted[^1];

        public double OpsPerSecond => Count / Wall.TotalSeconds;

        public double ClientCpuMicros => ClientCpu.TotalMicroseconds / Math.Max(1, Count);

        public double ServerCpuMicros => ServerCpu.TotalMicroseconds / Math.Max(1, Count);

        public Measured Merge(Measured other) =>
            new([.. Micros, .. other.Micros], Wall + other.Wall, ClientCpu + other.ClientCpu, ServerCpu + other.ServerCpu, NotAccepted + other.NotAccepted);

        private double Percentile(double p) => _sorted.Length == 0 ? double.NaN : _sorted[Math.Min(_sorted.Length - 1, (int)Math.Ceiling(p * _sorted.Length) - 1)];
    }
}
