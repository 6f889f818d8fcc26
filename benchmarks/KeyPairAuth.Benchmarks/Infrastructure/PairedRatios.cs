using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using KeyPairAuth.Digests;
using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;
using Microsoft.Extensions.Primitives;
using NSec.Cryptography;

namespace KeyPairAuth.Benchmarks.Infrastructure;

/// <summary>
/// Paired, interleaved ratio measurement for the targets, robust to the slow load drift of a shared machine:
/// each round times a block of the baseline and a block of our code back to back (order alternating), and the
/// round's ratio is taken; the report gives the median ratio over all rounds and its interquartile range.
/// BenchmarkDotNet measures each method in its own time window, so a load change between windows moves its Ratio
/// column; here both sides of a ratio see the same load.
/// </summary>
internal static class PairedRatios
{
    public static async Task<int> RunAsync(string[] args)
    {
        bool quick = args.Contains("--quick");
        string? output = RunnerArguments.OutputPath(args);

        int rounds = quick ? 11 : 61;
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("# Paired ratios (interleaved baseline and ours)");
        sb.AppendLine();
        sb.AppendLine(inv, $"Command: `benchmarks/run.sh{(quick ? " --quick" : string.Empty)} ratios`. {rounds} rounds per pair; each round times a ~20 ms block of the baseline and of ours back to back (order alternating), after a warm-up. .NET {Environment.Version}, {Environment.ProcessorCount} cores.");
        sb.AppendLine();
        sb.AppendLine("| pair | baseline µs/op (median) | ours µs/op (median) | ratio, median of rounds | ratio IQR | target |");
        sb.AppendLine("|---|---:|---:|---:|---:|---|");

        // Verify: raw NSec verify of the very bases and signatures the fixture verifies (cycled in the same order, so both
        // sides see the same messages and the same signature-dependent work) vs our full verification of those requests.
        // The earlier baseline verified one message over and over: Ed25519 verification is variable-time, so repeating
        // one signature lets the branch predictor learn its exact path and keeps every byte in cache, and which signature
        // it was (the created time changes every run) moved the baseline by a few percent between runs. It stays below
        // as a diagnostic.
        using (var get = VerifyFixture.ForGet())
        using (Key key = Fixtures.CreateNSecKey())
        {
            PublicKey publicKey = key.PublicKey;
            var pairs = get.RawPairs();
            int next = 0;
            bool RawCycled()
            {
                var (b, s) = pairs[next];
                next = (next + 1) % pairs.Length;
                return SignatureAlgorithm.Ed25519.Verify(publicKey, b, s);
            }

            Row(sb, "verify: raw Ed25519 verify of the same bases and signatures (cycled) vs full verification of those signed GETs", "≤ 1.10",
                RawCycled, () => get.VerifyNextAsync().GetAwaiter().GetResult(), rounds);

            byte[] message = Encoding.ASCII.GetBytes(get.SignatureBaseText);
            byte[] signature = SignatureAlgorithm.Ed25519.Sign(key, message);
            Row(sb, "diagnostic (the earlier baseline): raw Ed25519 verify of one message, repeated, vs full verification of a signed GET", "—",
                () => SignatureAlgorithm.Ed25519.Verify(publicKey, message, signature),
                () => get.VerifyNextAsync().GetAwaiter().GetResult(), rounds);

            if (args.Contains("--diagnose"))
            {
                // Where does the gap come from? Same baseline, our side stripped down step by step.
                Row(sb, "diagnostic: raw verify, one message vs raw verify cycling over the 8192 pooled bases", "—",
                    () => SignatureAlgorithm.Ed25519.Verify(publicKey, message, signature),
                    RawCycled, rounds);
                using var noReplay = VerifyFixture.ForGetWithoutReplayCheck();
                Row(sb, "diagnostic: raw verify vs full verification with a no-op replay cache", "—",
                    () => SignatureAlgorithm.Ed25519.Verify(publicKey, message, signature),
                    () => noReplay.VerifyNextAsync().GetAwaiter().GetResult(), rounds);
                using var small = VerifyFixture.ForGet(64);
                Row(sb, "diagnostic: raw verify vs full verification, pool of 64 requests (hot caches)", "—",
                    () => SignatureAlgorithm.Ed25519.Verify(publicKey, message, signature),
                    () => small.VerifyNextAsync().GetAwaiter().GetResult(), rounds);
            }
        }

        // Sign: raw NSec sign vs HttpMessageSigner.Sign of the GET.
        using (Key key = Fixtures.CreateNSecKey())
        using (SigningKey signingKey = SigningKey.FromSeed(Fixtures.KeyId, Fixtures.Seed))
        {
            var request = new BenchRequest("GET", Fixtures.Authority, Fixtures.GetTarget, false);
            var signer = new HttpMessageSigner();
            byte[] message = Encoding.ASCII.GetBytes(Suites.SignBenchmarks.SignatureBaseOf(request, signer.Sign(request, signingKey).SignatureInput));
            byte[] signature = new byte[64];
            Row(sb, "sign: raw Ed25519 sign vs HttpMessageSigner.Sign (GET)", "≤ 1.15",
                () => { SignatureAlgorithm.Ed25519.Sign(key, message, signature); return true; },
                () => signer.Sign(request, signingKey).Signature.Length > 0, rounds);
            if (args.Contains("--diagnose"))
            {
                byte[] nonce = new byte[16];
                Row(sb, "diagnostic: raw sign vs raw sign + RandomNumberGenerator.Fill(16 bytes)", "—",
                    () => { SignatureAlgorithm.Ed25519.Sign(key, message, signature); return true; },
                    () => { RandomNumberGenerator.Fill(nonce); SignatureAlgorithm.Ed25519.Sign(key, message, signature); return true; }, rounds);
                Row(sb, "diagnostic: raw sign vs raw sign + HttpMessageSigner.NewNonce()", "—",
                    () => { SignatureAlgorithm.Ed25519.Sign(key, message, signature); return true; },
                    () => { SignatureAlgorithm.Ed25519.Sign(key, message, signature); return HttpMessageSigner.NewNonce().Length > 0; }, rounds);
            }
        }

        // Digest: raw SHA-256 of 1 MiB vs ContentDigestVerifier over the same body.
        {
            byte[] body = Fixtures.Body(1 << 20);
            var field = new StringValues(ContentDigest.Compute(body));
            byte[] hash = new byte[32];
            Row(sb, "digest 1 MiB: raw SHA-256 vs ContentDigestVerifier", "≤ 1.10",
                () => { SHA256.HashData(body, hash); return true; },
                () =>
                {
                    ContentDigestVerifier.TryCreate(field, out ContentDigestVerifier? v, out _);
                    using (v)
                    {
                        v!.Append(body);
                        return v.Verify();
                    }
                }, rounds);
        }

        string markdown = sb.ToString();
        Console.WriteLine(markdown);
        await RunnerArguments.WriteReportAsync(output, markdown);

        return 0;
    }

    internal static void Row(StringBuilder sb, string name, string target, Func<bool> baseline, Func<bool> ours, int rounds)
    {
        // Size blocks to ~20 ms of the baseline; warm both up (JIT tiers, caches) first.
        int perBlock = 1;
        var sw = Stopwatch.StartNew();
        while (sw.ElapsedMilliseconds < 300)
        {
            Check(baseline());
            Check(ours());
        }

        sw.Restart();
        int calibrate = 0;
        while (sw.ElapsedMilliseconds < 100)
        {
            Check(baseline());
            calibrate++;
        }

        perBlock = Math.Max(1, calibrate / 5);
        var ratios = new List<double>();
        var baseTimes = new List<double>();
        var ourTimes = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            double a, b;
            if (r % 2 == 0)
            {
                a = Block(baseline, perBlock);
                b = Block(ours, perBlock);
            }
            else
            {
                b = Block(ours, perBlock);
                a = Block(baseline, perBlock);
            }

            baseTimes.Add(a);
            ourTimes.Add(b);
            ratios.Add(b / a);
        }

        ratios.Sort();
        double q1 = ratios[ratios.Count / 4], q3 = ratios[ratios.Count * 3 / 4];
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"| {name} | {Median(baseTimes):F2} | {Median(ourTimes):F2} | **{Median(ratios):F3}** | {q1:F3}–{q3:F3} | {target} |");
        Console.WriteLine($"{name}: ratio {Median(ratios):F3} (IQR {q1:F3}–{q3:F3}), {perBlock} ops per block");
    }

    private static double Block(Func<bool> action, int count)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            Check(action());
        }

        return Stopwatch.GetElapsedTime(start).TotalMicroseconds / count;
    }

    private static void Check(bool ok)
    {
        if (!ok)
        {
            throw new InvalidOperationException("a measured operation failed");
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(x => x).ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
