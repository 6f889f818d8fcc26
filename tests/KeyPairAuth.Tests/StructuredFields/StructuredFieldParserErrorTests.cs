using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Tests.StructuredFields;

/// <summary>Every class of malformed input fails the whole field with a <see cref="StructuredFieldException"/> at the right offset.</summary>
public sealed class StructuredFieldParserErrorTests
{
    [Theory]
    [InlineData("Sig1=()", 0)] // uppercase key
    [InlineData("1a=1", 0)] // key starting with a digit
    [InlineData("-a=1", 0)]
    [InlineData("a=1, B=2", 5)]
    [InlineData("a=", 2)] // missing value after "="
    [InlineData("a=1, b=2,", 9)] // trailing comma
    [InlineData("a=1, b=2,   ", 12)] // trailing comma then spaces
    [InlineData("a=1,,b=2", 4)] // empty member
    [InlineData(",a=1", 0)]
    [InlineData("a=1 b=2", 4)] // missing comma
    [InlineData("a=1;", 4)] // parameter without a key
    [InlineData("a=1;=2", 4)]
    [InlineData("a=1;K=2", 4)] // uppercase parameter key
    [InlineData("a=1 ;b", 4)] // space before parameters
    [InlineData("a:1", 1)] // ':' instead of '='
    [InlineData("a=(1 2", 2)] // unterminated inner list
    [InlineData("a=(1,2)", 4)]
    [InlineData("a=(1\t2)", 4)]
    [InlineData("a=((1))", 3)] // nested inner list
    [InlineData("a=(((((((((", 3)]
    [InlineData("\ta=1", 0)] // leading tab is not SP
    [InlineData("a=\"abc", 2)] // unterminated string
    [InlineData("a=\"a\\x\"", 4)] // bad escape
    [InlineData("a=\"a\\", 4)] // escape at end
    [InlineData("a=\"caf\u00e9\"", 6)] // non-ASCII in string
    [InlineData("a=\"a\u0007\"", 4)] // control character
    [InlineData("a=\"a\tb\"", 4)] // tab in string
    [InlineData("a=\"a\u007f\"", 4)] // DEL
    [InlineData("a=:aGVsbG8=", 2)] // missing closing ':'
    [InlineData("a=:aGVs*bG8=:", 7)] // character outside the base64 alphabet
    [InlineData("a=:aGVs bG8=:", 7)]
    [InlineData("a=:aGVs\nbG8=:", 7)] // line feed
    [InlineData("a=:aGVsbG8==:", 10)] // wrong padding
    [InlineData("a=:aGVsbA=:", 9)] // incomplete padding
    [InlineData("a=:a===:", 4)]
    [InlineData("a=:a=GVs:", 4)] // '=' before the end
    [InlineData("a=:aGVsb:", 7)] // truncated group
    [InlineData("a=:-_8=:", 3)] // base64url is not base64
    [InlineData("a=1234567890123456", 2)] // integer with 16 digits
    [InlineData("a=-1234567890123456", 2)]
    [InlineData("a=1.2345", 2)] // decimal with 4 fractional digits
    [InlineData("a=1234567890123.1", 2)] // decimal with 13 integer digits
    [InlineData("a=1.", 2)] // decimal without fractional digits
    [InlineData("a=-", 2)] // empty integer
    [InlineData("a=-a", 3)]
    [InlineData("a=1.2.3", 5)]
    [InlineData("a=?2", 3)] // bad boolean
    [InlineData("a=?", 3)]
    [InlineData("a=@1.5", 2)] // date must be an integer
    [InlineData("a=@", 3)]
    [InlineData("a=@x", 3)]
    [InlineData("a=%abc", 3)] // display string without quote
    [InlineData("a=%\"abc", 2)] // unterminated display string
    [InlineData("a=%\"%C3%A9\"", 4)] // uppercase hex in display string
    [InlineData("a=%\"%c3\"", 2)] // invalid UTF-8
    [InlineData("a=%\"%c\"", 4)] // truncated percent-escape
    [InlineData("a=%\"\u00e9\"", 4)] // non-ASCII in display string
    [InlineData("a=\0", 2)] // NUL
    [InlineData("a=\ud800", 2)] // lone surrogate
    [InlineData("\u00e9=1", 0)]
    [InlineData("a=#", 2)]
    [InlineData("a=1)", 3)]
    public void ParseDictionary_Malformed_ThrowsAtOffset(string field, int expectedPosition)
    {
        StructuredFieldException ex = Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseDictionary(field));

        Assert.Equal(expectedPosition, ex.Position);
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
        Assert.Contains($"offset {expectedPosition}", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a,")]
    [InlineData(",a")]
    [InlineData("a,,b")]
    [InlineData("a b")]
    [InlineData("(a b")]
    [InlineData("(a b))")]
    [InlineData("a=1")] // a dictionary member is not a list member
    [InlineData("1;")]
    [InlineData("\"x\" ,")]
    public void ParseList_Malformed_Throws(string field)
    {
        Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseList(field));
    }

    [Theory]
    [InlineData("")] // an Item cannot be empty
    [InlineData("   ")]
    [InlineData("1 2")]
    [InlineData("1,2")]
    [InlineData("(1)")] // an inner list is not an item
    [InlineData("1;a=(1)")]
    [InlineData("1\t")] // trailing tab is not SP
    [InlineData("a=1")]
    public void ParseItem_Malformed_Throws(string field)
    {
        Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseItem(field));
    }

    [Theory]
    [InlineData("sig1=:c2VjcmV0c2lnbmF0dXJl*:")]
    [InlineData("sig1=(\"secretcomponent\" \"x\";key=\"secretvalue\\q\")")]
    [InlineData("sig1=\"secretvalue\u00e9\"")]
    [InlineData("sig1=secrettoken secondtoken")]
    public void ParseDictionary_Malformed_MessageDoesNotEchoContent(string field)
    {
        StructuredFieldException ex = Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseDictionary(field));

        Assert.DoesNotContain("secret", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("c2Vj", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sig1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseDictionary_Malformed_IsAFormatException()
    {
        FormatException ex = Assert.ThrowsAny<FormatException>(() => StructuredFieldParser.ParseDictionary("a=1,"));

        Assert.IsType<StructuredFieldException>(ex);
    }
}
