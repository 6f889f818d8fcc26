using System.Text;
using KeyPairAuth.StructuredFields;
using KeyPairAuth.Testing;

namespace KeyPairAuth.Tests.StructuredFields;

/// <summary>
/// Seeded property tests: for any input the parser either succeeds or throws <see cref="StructuredFieldException"/>,
/// its work stays linear in the input, and whatever it accepts re-serialises to a canonical form that parses to the
/// same canonical form.
/// </summary>
public sealed class StructuredFieldFuzzTests
{
    private const int WorkPerChar = 4;

    // Characters that matter to the grammar, weighted towards structure so random strings get deep into the parser.
    private const string Alphabet = "abcz*AZ09-_.:/;=,() \t\"\\?@%!#+'&^`|~'/=";

    private static readonly string[] AlphabetFragments = [.. Alphabet.Select(c => c.ToString())];

    private static readonly StructuredFieldLimits Roomy = new() { MaxFieldLength = 1 << 22, MaxMembers = 1 << 20, MaxInnerListItems = 1 << 20, MaxParameters = 1 << 20 };

    private static readonly string[] Seeds =
    [
        "sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\"",
        "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:",
        "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:, sha-512=:AAAA:",
        "a=1.5, b=?0, c=@1659578233, d=%\"%c3%bc\", e=tok/en:x;p=\"q\\\"\";r, f=(1 2.25 \"s\" t :AA==:);x=-3",
        "(\"@query-param\";name=\"Pet\" \"content-type\";sf \"example-dict\";key=\"a\" \"x\";bs \"y\";req;tr)",
    ];

    [Fact]
    public void RandomBytes_OnlyDocumentedOutcomes()
    {
        var random = new Random(9421);
        for (int i = 0; i < 3000; i++)
        {
            byte[] bytes = new byte[random.Next(0, 80)];
            random.NextBytes(bytes);
            AssertOnlyDocumentedOutcomes(Encoding.Latin1.GetString(bytes));
            AssertOnlyDocumentedOutcomes(Encoding.UTF8.GetString(bytes));
        }
    }

    [Fact]
    public void RandomUtf16_IncludingLoneSurrogatesAndNul_OnlyDocumentedOutcomes()
    {
        var random = new Random(8941);
        var builder = new StringBuilder();
        for (int i = 0; i < 2000; i++)
        {
            builder.Clear();
            int length = random.Next(0, 40);
            for (int j = 0; j < length; j++)
            {
                builder.Append(random.Next(4) == 0 ? (char)random.Next(0, 0x10000) : Alphabet[random.Next(Alphabet.Length)]);
            }

            AssertOnlyDocumentedOutcomes(builder.ToString());
        }
    }

    [Fact]
    public void RandomGrammarAscii_OnlyDocumentedOutcomes()
    {
        var random = new Random(9651);
        for (int i = 0; i < 5000; i++)
        {
            AssertOnlyDocumentedOutcomes(FuzzInput.RandomString(random, random.Next(0, 60), Alphabet));
        }
    }

    [Fact]
    public void MutatedValidFields_OnlyDocumentedOutcomes()
    {
        var random = new Random(9530);
        int accepted = 0;
        for (int i = 0; i < 5000; i++)
        {
            string field = FuzzInput.Splice(random, Seeds[random.Next(Seeds.Length)], AlphabetFragments, maxEdits: 3);
            accepted += AssertOnlyDocumentedOutcomes(field);
        }

        // The mutation corpus must exercise the success path too, or the round-trip property proves nothing.
        Assert.InRange(accepted, 100, 5000);
    }

    [Theory]
    [InlineData('(')]
    [InlineData(';')]
    [InlineData('"')]
    [InlineData(':')]
    [InlineData(',')]
    [InlineData(' ')]
    [InlineData('9')]
    [InlineData('a')]
    [InlineData('=')]
    public void RepeatedCharacter_FailsOrParsesInLinearWork(char c)
    {
        foreach (int length in new[] { 1_000, 10_000, 100_000 })
        {
            string field = new(c, length);
            AssertLinearWork(field);
            AssertLinearWork("a=" + field);
            AssertLinearWork("a=(" + field);
        }
    }

    public static TheoryData<string> AdversarialPatterns => new()
    {
        "a;",
        "a=1;b;",
        "(1 ",
        "a, ",
        "a=(a;b=1 ",
        "k=\"\\\"",
        "a=:AAAA",
        "x;k1=1;k2=2;k3=3;k4=4;k5=5;k6=6;k7=7;k8=8;k9=9;k1=",
        "1234567890",
        "a=%\"%c3%bc",
    };

    [Theory]
    [MemberData(nameof(AdversarialPatterns))]
    public void RepeatedPattern_WorkGrowsLinearly(string pattern)
    {
        foreach (int repeats in new[] { 100, 1_000, 10_000 })
        {
            var builder = new StringBuilder(pattern.Length * repeats);
            for (int i = 0; i < repeats; i++)
            {
                builder.Append(pattern);
            }

            AssertLinearWork(builder.ToString());
        }
    }

    [Theory]
    [InlineData("((((((((((((((((((((((((((((((((((((((((((((((((((((((((((")]
    [InlineData("a=((((((((((((((((((((((((((((((((((((((((((((((((((((((((")]
    [InlineData("a=(\"x\" (\"y\"))")]
    public void DeepNesting_FailsImmediately(string field)
    {
        StructuredFieldTestHelpers.ResetWork();
        Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseDictionary(field));
        Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseList(field));
        Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseItem(field));
        Assert.InRange(StructuredFieldTestHelpers.Work(), 0, 3L * 16);
    }

    [Fact]
    public void DeepNesting_AMegabyteOfParentheses_FailsOnLengthOrImmediately()
    {
        string field = new('(', 1 << 20);

        Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseList(field));
        StructuredFieldTestHelpers.ResetWork();
        Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseList(field, Roomy));
        Assert.InRange(StructuredFieldTestHelpers.Work(), 0, 16);
    }

    [Theory]
    [InlineData("99999999999999999999999999999999999999999999999999999999999999")]
    [InlineData("-99999999999999999999999999999999999999999999999999999999999999")]
    [InlineData("1000000000000000")]
    [InlineData("9223372036854775808")]
    [InlineData("999999999999.99999999999999999999999")]
    [InlineData("@99999999999999999999999999999")]
    public void HugeNumbers_FailWithinSixteenDigits(string field)
    {
        StructuredFieldTestHelpers.ResetWork();
        Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseItem(field));
        Assert.InRange(StructuredFieldTestHelpers.Work(), 0, 24);
    }

    [Fact]
    public void ThousandsOfMembers_DefaultLimitsFailFast_RaisedLimitsParse()
    {
        string field = string.Join(", ", Enumerable.Range(0, 5000).Select(i => $"m{i}=:AAAA:"));

        Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseDictionary(field));
        AssertLinearWork(field);
        Assert.Equal(5000, StructuredFieldParser.ParseDictionary(field, Roomy).Members.Count);
    }

    private static void AssertLinearWork(string field)
    {
        StructuredFieldTestHelpers.ResetWork();
        AssertOnlyDocumentedOutcomes(field, Roomy);
        long work = StructuredFieldTestHelpers.Work();

        // AssertOnlyDocumentedOutcomes runs three parsers (dictionary, list, item) plus a re-parse on success.
        Assert.True(work <= 6L * WorkPerChar * (field.Length + 1), $"work {work} for length {field.Length}");
    }

    /// <returns>How many of the three parsers accepted the input.</returns>
    private static int AssertOnlyDocumentedOutcomes(string field, StructuredFieldLimits? limits = null)
    {
        int accepted = 0;
        accepted += Check(() => StructuredFieldParser.ParseDictionary(field, limits), StructuredFieldSerializer.Serialize, s => StructuredFieldParser.ParseDictionary(s, limits));
        accepted += Check(() => StructuredFieldParser.ParseList(field, limits), StructuredFieldSerializer.Serialize, s => StructuredFieldParser.ParseList(s, limits));
        accepted += Check(() => StructuredFieldParser.ParseItem(field, limits), StructuredFieldSerializer.Serialize, s => StructuredFieldParser.ParseItem(s, limits));
        return accepted;
    }

    private static int Check<T>(Func<T> parse, Func<T, string> serialize, Func<string, T> reparse)
    {
        T parsed;
        try
        {
            parsed = parse();
        }
        catch (StructuredFieldException ex)
        {
            Assert.True(ex.Position >= 0, "A parse failure reports where it happened.");
            return 0;
        }

        // Anything accepted is serialisable, and its canonical form is a fixed point.
        string canonical = serialize(parsed);
        Assert.Equal(canonical, serialize(reparse(canonical)));
        return 1;
    }
}
