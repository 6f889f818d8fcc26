using System.Globalization;
using System.Text;
using KeyPairAuth.Keys;
using KeyPairAuth.Replay;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Benchmarks.Infrastructure;

/// <summary>
/// Where the bytes of one verification (and one signing) go: each step of the hot path run on its own, with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> before and after, averaged over many repetitions after a warm-up.
/// Allocation counts are exact and do not depend on machine load, unlike timings.
/// </summary>
internal static class AllocationProfile
{
    private const int Repetitions = 2000;

    public static async Task<int> RunAsync(string[] args)
    {
        string? output = RunnerArguments.OutputPath(args);

        var time = new FixedTimeProvider(TimeProvider.System.GetUtcNow());
        using SigningKey key = SigningKey.FromSeed(Fixtures.KeyId, Fixtures.Seed);
        InMemoryPublicKeyStore store = Fixtures.StoreWithKey(key, time.GetUtcNow());
        var cache = new PublicKeyCache(store, time);
        var replay = new InMemoryReplayCache(time, new InMemoryReplayCacheOptions { MaxEntries = 1_000_000, MaxEntriesPerKey = 500_000 });
        var verifier = new HttpMessageVerifier(cache, replay, new SignatureVerificationOptions(), time);
        var signer = new HttpMessageSigner(time);
        var unsigned = new BenchRequest("GET", Fixtures.Authority, Fixtures.GetTarget, false);

        int n = 4;
        var pool = new BenchRequest[n];
        for (int i = 0; i < n; i++)
        {
            SignatureFields f = signer.Sign(unsigned, key);
            pool[i] = unsigned.With(
                BenchRequest.Header(SignatureFields.SignatureInputFieldName, f.SignatureInput),
                BenchRequest.Header(SignatureFields.SignatureFieldName, f.Signature));
        }

        string input = pool[0].GetFieldValues(SignatureFields.SignatureInputFieldName).ToString();
        string signature = pool[0].GetFieldValues(SignatureFields.SignatureFieldName).ToString();
        SfDictionary parsed = StructuredFieldParser.ParseDictionary(input);
        parsed.TryGetValue("sig1", out SfMember? member);
        SfInnerList parameters = member!.InnerList!;
        using var fixture = VerifyFixture.ForGet();
        byte[] baseBytes = Encoding.ASCII.GetBytes(SignatureBase.Build(pool[0], parameters));
        byte[] sigBytes = ParsedSignature(signature);
        var rows = new List<(string Step, (double Bytes, double Nanos) M)>
        {
            ("raw NSec Ed25519 verify of the same base (reference)", Measure(() => NSec.Cryptography.SignatureAlgorithm.Ed25519.Verify(key.PublicKey.NSecKey, baseBytes, sigBytes))),
            ("StructuredFieldParser.ParseDictionary(Signature-Input)", Measure(() => StructuredFieldParser.ParseDictionary(input))),
            ("StructuredFieldParser.ParseDictionary(Signature)", Measure(() => StructuredFieldParser.ParseDictionary(signature))),
            ("SignatureBase.BuildPooled + Dispose", Measure(() => SignatureBase.BuildPooled(unsigned, parameters).Dispose())),
            ("PublicKeyCache.FindAsync (hit)", Measure(() => cache.FindAsync(Fixtures.KeyId).GetAwaiter().GetResult())),
            ("InMemoryReplayCache.TryAddAsync (new pair)", Measure(() => replay.TryAddAsync(Fixtures.KeyId, Fixtures.NewNonce(), time.GetUtcNow().AddMinutes(6)).GetAwaiter().GetResult(), subtract: () => Fixtures.NewNonce())),
            ("SignatureVerificationResult.Success", Measure(() => SignatureVerificationResult.Success(null!, "sig1", time.GetUtcNow(), false))),
            ("HttpMessageVerifier.VerifyAsync, GET, total (VerifyFixture: pooled requests, generational replay cache)", Measure(() => fixture.VerifyNextAsync().AsTask().GetAwaiter().GetResult())),
            ("HttpMessageSigner.Sign, GET, total", Measure(() => signer.Sign(unsigned, key))),
            ("  of which HttpMessageSigner.NewNonce", Measure(() => HttpMessageSigner.NewNonce())),
            ("  of which StructuredFieldSerializer.Serialize(params)", Measure(() => StructuredFieldSerializer.Serialize(parameters))),
        };

        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("# Allocation profile of the hot paths (bytes per call)");
        sb.AppendLine();
        sb.AppendLine(inv, $"Command: `benchmarks/run.sh alloc-profile`. Each step alone, {Repetitions} calls after a warm-up, GC.GetAllocatedBytesForCurrentThread; exact, load-independent.");
        sb.AppendLine(inv, $"Signature-Input measured: `{input}`");
        sb.AppendLine();
        sb.AppendLine("| step | bytes per call |");
        sb.AppendLine("|---|---:|");
        foreach (var (step, m) in rows)
        {
            sb.AppendLine(inv, $"| {step} | {m.Bytes:F0} |");
        }

        sb.AppendLine();
        sb.AppendLine("VerifyAsync's total is measured through `.AsTask()`, which adds nothing when the ValueTask completed synchronously.");
        sb.AppendLine("The replay row includes the amortised growth of the table while it fills (0 B once it has reached its size).");
        sb.AppendLine("Timings: use the BenchmarkDotNet suites and `ratios`; this tool counts bytes only.");
        string markdown = sb.ToString();
        Console.WriteLine(markdown);
        await RunnerArguments.WriteReportAsync(output, markdown);

        return 0;
    }

    private static byte[] ParsedSignature(string signature)
    {
        StructuredFieldParser.ParseDictionary(signature).TryGetValue("sig1", out SfMember? m);
        return m!.Item!.Value.Bytes.ToArray();
    }

    private static (double Bytes, double Nanos) Measure(Action action, Func<object>? subtract = null)
    {
        // Warm up long enough for tiered JIT to promote the hot methods (call counting + background tier-1).
        var warm = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 50 || warm.ElapsedMilliseconds < 400; i++)
        {
            action();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int i = 0; i < Repetitions; i++)
        {
            action();
        }

        double nanos = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalNanoseconds / Repetitions;
        double total = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Repetitions;
        if (subtract is not null)
        {
            // Take out the cost of making the argument (e.g. a fresh nonce string), which belongs to the request.
            before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Repetitions; i++)
            {
                subtract();
            }

            total -= (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Repetitions;
        }

        return (total, nanos);
    }
}
