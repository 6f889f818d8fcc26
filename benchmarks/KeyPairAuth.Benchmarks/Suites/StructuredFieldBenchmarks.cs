using System.Text;
using BenchmarkDotNet.Attributes;
using KeyPairAuth.Benchmarks.Infrastructure;
using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Benchmarks.Suites;

/// <summary>
/// Structured fields (RFC 9651): parsing the typical <c>Signature-Input</c> our client sends (the baseline) against
/// the other fields of a signed request and adversarial values an attacker controls. Adversarial inputs go through
/// the non-throwing <c>TryParseDictionary</c>, the path the verifier takes, so a rejection costs no exception.
/// The ratio column is "this input ÷ one typical Signature-Input".
/// </summary>
[BenchmarkCategory("StructuredFields")]
public class StructuredFieldBenchmarks
{
    private const string TypicalGet =
        "sig1=(\"@method\" \"@authority\" \"@path\" \"@query\");created=1764380000;keyid=\"kpa_bench_0001\";nonce=\"q3bxJ9Yl0hQx2m1n5S8uWg\";alg=\"ed25519\"";

    private const string TypicalPost =
        "sig1=(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\" \"content-type\");created=1764380000;keyid=\"kpa_bench_0001\";nonce=\"q3bxJ9Yl0hQx2m1n5S8uWg\";alg=\"ed25519\"";

    private const string ContentDigestValue = "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:, sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:";

    private string _signature = null!;
    private string _longNonce = null!;
    private string _manyMembers = null!;
    private string _manyDuplicates = null!;
    private string _manyParameters = null!;
    private string _failsAtEnd = null!;
    private string _overLength = null!;
    private string _tooManyMembers = null!;

    [GlobalSetup]
    public void Setup()
    {
        _signature = "sig1=:" + Convert.ToBase64String(new byte[64]) + ":";

        // Valid, just under the 8192-character limit: one signature with a huge nonce string.
        _longNonce = "sig1=(\"@method\");created=1764380000;nonce=\"" + new string('n', 8100) + "\"";

        // Valid: 64 members (the member limit), each a full typical signature.
        _manyMembers = Join(64, i => $"s{i}=(\"@method\" \"@authority\");created=1764380000;keyid=\"k\";nonce=\"n{i}\"", 8192);

        // Valid: the same label 64 times (last wins).
        _manyDuplicates = Join(64, _ => "sig1=(\"@method\");created=1", 8192);

        // Valid: 32 parameters (the parameter limit) on one inner list with 64 items (the item limit).
        var sb = new StringBuilder("sig1=(");
        for (int i = 0; i < 64; i++)
        {
            sb.Append(i == 0 ? string.Empty : " ").Append("\"h").Append(i).Append('"');
        }

        sb.Append(')');
        for (int i = 0; i < 32; i++)
        {
            sb.Append(";p").Append(i).Append("=\"v").Append(i).Append('"');
        }

        _manyParameters = sb.ToString();

        // Invalid only at the very last character: the parser must walk ~8 KB before refusing.
        _failsAtEnd = _manyMembers[..Math.Min(_manyMembers.Length, 8190)] + "(";
        _overLength = new string('a', 9000);
        _tooManyMembers = Join(65, i => $"s{i}=1", 8192);

        Fixtures.Require(TypicalSignatureInput() is not null, "typical parses");
        Fixtures.Require(Adversarial_LongNonce(), "long nonce is valid");
        Fixtures.Require(Adversarial_64Members(), "64 members are valid");
        Fixtures.Require(Adversarial_64DuplicateLabels(), "64 duplicates are valid");
        Fixtures.Require(Adversarial_64Items32Parameters(), "64 items, 32 parameters are valid");
        Fixtures.Require(!Adversarial_InvalidAtLastChar(), "the broken tail is refused");
        Fixtures.Require(!Adversarial_OverLength(), "over-length is refused");
        Fixtures.Require(!Adversarial_65Members(), "65 members are refused");
    }

    // The parsed types are internal: the benchmarks return object, which still keeps the result from being optimised away.
    [Benchmark(Baseline = true, Description = "Signature-Input, typical GET")]
    public object TypicalSignatureInput() => StructuredFieldParser.ParseDictionary(TypicalGet);

    [Benchmark(Description = "Signature-Input, typical POST")]
    public object TypicalPostSignatureInput() => StructuredFieldParser.ParseDictionary(TypicalPost);

    [Benchmark(Description = "Signature (64-byte byte sequence)")]
    public object Signature() => StructuredFieldParser.ParseDictionary(_signature);

    [Benchmark(Description = "Content-Digest, sha-256 + sha-512")]
    public object ContentDigest() => StructuredFieldParser.ParseDictionary(ContentDigestValue);

    [Benchmark(Description = "adversarial: 8 KB nonce string (valid)")]
    public bool Adversarial_LongNonce() => StructuredFieldParser.TryParseDictionary(_longNonce, null, out _);

    [Benchmark(Description = "adversarial: 64 signatures (valid)")]
    public bool Adversarial_64Members() => StructuredFieldParser.TryParseDictionary(_manyMembers, null, out _);

    [Benchmark(Description = "adversarial: one label 64 times (valid)")]
    public bool Adversarial_64DuplicateLabels() => StructuredFieldParser.TryParseDictionary(_manyDuplicates, null, out _);

    [Benchmark(Description = "adversarial: 64 components, 32 parameters (valid)")]
    public bool Adversarial_64Items32Parameters() => StructuredFieldParser.TryParseDictionary(_manyParameters, null, out _);

    [Benchmark(Description = "adversarial: 8 KB, invalid at last char")]
    public bool Adversarial_InvalidAtLastChar() => StructuredFieldParser.TryParseDictionary(_failsAtEnd, null, out _);

    [Benchmark(Description = "adversarial: 9000 chars (over limit)")]
    public bool Adversarial_OverLength() => StructuredFieldParser.TryParseDictionary(_overLength, null, out _);

    [Benchmark(Description = "adversarial: 65 members (over limit)")]
    public bool Adversarial_65Members() => StructuredFieldParser.TryParseDictionary(_tooManyMembers, null, out _);

    private static string Join(int count, Func<int, string> member, int maxLength)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            string next = (i == 0 ? string.Empty : ", ") + member(i);
            if (sb.Length + next.Length > maxLength)
            {
                break;
            }

            sb.Append(next);
        }

        return sb.ToString();
    }
}
