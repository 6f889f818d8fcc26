using System.Globalization;
using System.Text;
using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>
/// Bases longer than the writer's first pooled buffer (512 bytes) are complete and byte-exact wherever the buffer fills:
/// in a raw identifier, a single byte, a field value, or a value many times the buffer's size.
/// </summary>
public sealed class SignatureBaseLengthTests
{
    private const string Covered = "(\"x-long\" \"@method\" \"@authority\" \"@path\" \"x-short\");created=1;keyid=\"k\"";

    public static TheoryData<int> ValueLengths()
    {
        var lengths = new TheoryData<int>();

        // Every length that puts the end of the buffer in each of the writes that follow the value.
        for (int length = 420; length <= 530; length++)
        {
            lengths.Add(length);
        }

        lengths.Add(1_000);
        lengths.Add(3_000);
        lengths.Add(20_000);
        return lengths;
    }

    [Theory]
    [MemberData(nameof(ValueLengths))]
    public void Build_BaseCrossingTheInitialBufferSize_IsComplete(int valueLength)
    {
        string value = LongValue(valueLength);
        TestRequest request = new TestRequest("GET", "/some/path?q=1", "API.Example.com", "https")
            .With("X-Long", value)
            .With("X-Short", "short");
        string expected =
            $"\"x-long\": {value}\n\"@method\": GET\n\"@authority\": api.example.com\n\"@path\": /some/path\n\"x-short\": short\n\"@signature-params\": {Covered}";

        SfInnerList list = StructuredFieldParser.ParseDictionary("s=" + Covered).Members[0].Value.InnerList!;

        Assert.Equal(expected, SignatureBase.Build(request, list));
        SignatureBaseWriter writer = SignatureBase.BuildPooled(request, list);
        try
        {
            Assert.Equal(expected, Encoding.ASCII.GetString(writer.WrittenSpan));
        }
        finally
        {
            writer.Dispose();
        }
    }

    [Theory]
    [InlineData(500)]
    [InlineData(509)]
    [InlineData(2_000)]
    public void Build_FoldedValueCrossingTheInitialBufferSize_IsComplete(int partLength)
    {
        string part = LongValue(partLength);
        TestRequest request = new TestRequest("GET", "/").With("X-Long", $"{part}\r\n {part}\r\n\t{part}");
        SfInnerList list = StructuredFieldParser.ParseDictionary("s=(\"x-long\")").Members[0].Value.InnerList!;

        Assert.Equal($"\"x-long\": {part} {part} {part}\n\"@signature-params\": (\"x-long\")", SignatureBase.Build(request, list));
    }

    [Fact]
    public void Build_ManyComponentsCrossingTheInitialBufferSize_IsComplete()
    {
        // Many short writes of every kind (raw identifier, byte, ASCII, lower-cased ASCII) over several buffer sizes.
        var request = new TestRequest("POST", "/p?a=b", "Host.Example", "https");
        var covered = new StringBuilder("(");
        var expected = new StringBuilder();
        for (int i = 0; i < 60; i++)
        {
            request.With($"X-F{i}", $"v{i}");
            covered.Append(CultureInfo.InvariantCulture, $"\"x-f{i}\" ");
            expected.Append(CultureInfo.InvariantCulture, $"\"x-f{i}\": v{i}\n");
        }

        covered.Append("\"@authority\" \"@scheme\")");
        expected.Append("\"@authority\": host.example\n\"@scheme\": https\n\"@signature-params\": ").Append(covered);
        SfInnerList list = StructuredFieldParser.ParseDictionary("s=" + covered).Members[0].Value.InnerList!;

        Assert.Equal(expected.ToString(), SignatureBase.Build(request, list));
    }

    private static string LongValue(int length)
    {
        var builder = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            builder.Append((char)('!' + (i % 94)));
        }

        return builder.ToString();
    }
}
