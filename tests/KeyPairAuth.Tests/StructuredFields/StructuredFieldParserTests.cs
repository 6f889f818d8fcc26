using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Tests.StructuredFields;

public sealed class StructuredFieldParserTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("42", 42L)]
    [InlineData("-42", -42L)]
    [InlineData("-0", 0L)]
    [InlineData("00042", 42L)]
    [InlineData("999999999999999", 999_999_999_999_999L)]
    [InlineData("-999999999999999", -999_999_999_999_999L)]
    public void ParseItem_Integer_ReturnsValue(string field, long expected)
    {
        SfItem item = StructuredFieldParser.ParseItem(field);

        Assert.Equal(SfBareItemType.Integer, item.Value.Type);
        Assert.Equal(expected, item.Value.Integer);
    }

    [Theory]
    [InlineData("1.5", "1.5")]
    [InlineData("-1.5", "-1.5")]
    [InlineData("0.001", "0.001")]
    [InlineData("123456789012.123", "123456789012.123")]
    [InlineData("-123456789012.123", "-123456789012.123")]
    [InlineData("1.100", "1.100")]
    [InlineData("-0.0", "0.0")]
    public void ParseItem_Decimal_IsExact(string field, string expected)
    {
        SfItem item = StructuredFieldParser.ParseItem(field);

        Assert.Equal(SfBareItemType.Decimal, item.Value.Type);
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), item.Value.Decimal);
    }

    [Theory]
    [InlineData("\"\"", "")]
    [InlineData("\"hello world\"", "hello world")]
    [InlineData("\"a\\\"b\"", "a\"b")]
    [InlineData("\"a\\\\b\"", "a\\b")]
    [InlineData("\"\\\"\\\\\\\"\"", "\"\\\"")]
    [InlineData("\" !#$%&'()*+,-./:;<=>?@[]^_`{|}~\"", " !#$%&'()*+,-./:;<=>?@[]^_`{|}~")]
    public void ParseItem_String_UnescapesQuoteAndBackslash(string field, string expected)
    {
        SfItem item = StructuredFieldParser.ParseItem(field);

        Assert.Equal(SfBareItemType.String, item.Value.Type);
        Assert.Equal(expected, item.Value.String);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("*")]
    [InlineData("Foo")]
    [InlineData("sha-256")]
    [InlineData("text/html")]
    [InlineData("a:b/c!#$%&'*+-.^_`|~9")]
    public void ParseItem_Token_ReturnsToken(string field)
    {
        SfItem item = StructuredFieldParser.ParseItem(field);

        Assert.Equal(SfBareItemType.Token, item.Value.Type);
        Assert.Equal(field, item.Value.String);
    }

    [Theory]
    [InlineData("?1", true)]
    [InlineData("?0", false)]
    public void ParseItem_Boolean_ReturnsValue(string field, bool expected)
    {
        Assert.Equal(expected, StructuredFieldParser.ParseItem(field).Value.Boolean);
    }

    [Theory]
    [InlineData("::", "")]
    [InlineData(":aGVsbG8=:", "68656c6c6f")]
    [InlineData(":aGVsbG8:", "68656c6c6f")] // missing padding: RFC 9651 §4.2.7 says parsers SHOULD NOT fail
    [InlineData(":aGVsbA==:", "68656c6c")]
    [InlineData(":aGVsbA:", "68656c6c")]
    [InlineData(":+/+/:", "fbffbf")]
    [InlineData(":AAAA:", "000000")]
    public void ParseItem_ByteSequence_DecodesBase64(string field, string expectedHex)
    {
        SfItem item = StructuredFieldParser.ParseItem(field);

        Assert.Equal(SfBareItemType.ByteSequence, item.Value.Type);
        Assert.Equal(expectedHex, Convert.ToHexStringLower(item.Value.Bytes.Span));
    }

    [Theory]
    [InlineData("@0", 0L)]
    [InlineData("@1659578233", 1659578233L)]
    [InlineData("@-1659578233", -1659578233L)]
    public void ParseItem_Date_ReturnsSeconds(string field, long expected)
    {
        SfItem item = StructuredFieldParser.ParseItem(field);

        Assert.Equal(SfBareItemType.Date, item.Value.Type);
        Assert.Equal(expected, item.Value.Date);
    }

    [Theory]
    [InlineData("%\"\"", "")]
    [InlineData("%\"This is intended for display to %c3%bcsers.\"", "This is intended for display to \u00fcsers.")]
    [InlineData("%\"%22%25\\\"", "\"%\\")]
    [InlineData("%\"%f0%9f%98%80\"", "\U0001F600")]
    public void ParseItem_DisplayString_DecodesUtf8(string field, string expected)
    {
        SfItem item = StructuredFieldParser.ParseItem(field);

        Assert.Equal(SfBareItemType.DisplayString, item.Value.Type);
        Assert.Equal(expected, item.Value.DisplayString);
    }

    [Fact]
    public void ParseItem_LeadingAndTrailingSpaces_AreIgnored()
    {
        Assert.Equal(5, StructuredFieldParser.ParseItem("   5   ").Value.Integer);
    }

    [Fact]
    public void ParseItem_Parameters_KeepOrderAndLastDuplicateWinsInPlace()
    {
        SfItem item = StructuredFieldParser.ParseItem("abc;a=1;b=2; c;a=3");

        Assert.Equal(["a", "b", "c"], item.Parameters.Select(p => p.Key));
        Assert.Equal(3, item.Parameters[0].Value.Integer);
        Assert.Equal(2, item.Parameters[1].Value.Integer);
        Assert.True(item.Parameters[2].Value.Boolean);
    }

    [Fact]
    public void ParseItem_ManyDuplicateParameters_UsesLastValueForEachKey()
    {
        // Exercises the hashed duplicate detection past the linear-scan threshold.
        string field = "x" + string.Concat(Enumerable.Range(0, 20).Select(i => $";k{i % 10}={i}"));

        SfItem item = StructuredFieldParser.ParseItem(field);

        Assert.Equal(10, item.Parameters.Count);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal($"k{i}", item.Parameters[i].Key);
            Assert.Equal(i + 10, item.Parameters[i].Value.Integer);
        }
    }

    [Fact]
    public void ParseList_MixedMembers_ParsesInOrder()
    {
        SfList list = StructuredFieldParser.ParseList("sugar, tea;x=1,\t(\"a\" b);lvl=5 ,  ?0, ()");

        Assert.Equal(5, list.Members.Count);
        Assert.Equal("sugar", list.Members[0].Item!.Value.String);
        Assert.Equal(1, list.Members[1].Parameters[0].Value.Integer);
        Assert.True(list.Members[2].IsInnerList);
        Assert.Equal(2, list.Members[2].InnerList!.Items.Count);
        Assert.Equal(SfBareItemType.Token, list.Members[2].InnerList!.Items[1].Value.Type);
        Assert.Equal(5, list.Members[2].Parameters[0].Value.Integer);
        Assert.False(list.Members[3].Item!.Value.Boolean);
        Assert.Empty(list.Members[4].InnerList!.Items);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void ParseList_Empty_ReturnsEmptyList(string field)
    {
        Assert.Empty(StructuredFieldParser.ParseList(field).Members);
    }

    [Theory]
    [InlineData("")]
    [InlineData("     ")]
    public void ParseDictionary_Empty_ReturnsEmptyDictionary(string field)
    {
        Assert.Empty(StructuredFieldParser.ParseDictionary(field).Members);
    }

    [Fact]
    public void ParseDictionary_InnerListWithSpacesInside_Parses()
    {
        SfDictionary dictionary = StructuredFieldParser.ParseDictionary("a=(  1   2 );x, b");

        SfInnerList list = dictionary.Members[0].Value.InnerList!;
        Assert.Equal([1L, 2L], list.Items.Select(i => i.Value.Integer));
        Assert.True(list.Parameters[0].Value.Boolean);
        Assert.True(dictionary.Members[1].Value.Item!.Value.Boolean);
    }

    [Fact]
    public void ParseDictionary_BareKeys_AreBooleanTrueWithParameters()
    {
        SfDictionary dictionary = StructuredFieldParser.ParseDictionary("a, b;x=1, c=?0");

        Assert.True(dictionary.Members[0].Value.Item!.Value.Boolean);
        Assert.True(dictionary.Members[1].Value.Item!.Value.Boolean);
        Assert.Equal(1, dictionary.Members[1].Value.Parameters[0].Value.Integer);
        Assert.False(dictionary.Members[2].Value.Item!.Value.Boolean);
    }

    [Fact]
    public void ParseDictionary_DuplicateKey_LaterValueOverwritesInPlace()
    {
        SfDictionary dictionary = StructuredFieldParser.ParseDictionary("a=1, b=2, a=3");

        Assert.Equal(["a", "b"], dictionary.Members.Select(m => m.Key));
        Assert.Equal(3, dictionary.Members[0].Value.Item!.Value.Integer);
        Assert.Equal(2, dictionary.Members[1].Value.Item!.Value.Integer);
    }

    [Fact]
    public void ParseDictionary_ManyDuplicateKeys_LaterValueOverwritesInPlace()
    {
        string field = string.Join(", ", Enumerable.Range(0, 40).Select(i => $"k{i % 20}={i}"));

        SfDictionary dictionary = StructuredFieldParser.ParseDictionary(field);

        Assert.Equal(20, dictionary.Members.Count);
        Assert.Equal(Enumerable.Range(20, 20).Select(i => (long)i), dictionary.Members.Select(m => m.Value.Item!.Value.Integer));
    }

    [Fact]
    public void ParseDictionary_TwoFieldLinesCombined_ParsesBoth()
    {
        SfDictionary dictionary = StructuredFieldParser.ParseDictionary("sig1=:AAAA:" + ", " + "sig2=:AAAA:");

        Assert.Equal(["sig1", "sig2"], dictionary.Members.Select(m => m.Key));
    }

    [Fact]
    public void ParseDictionary_KeysMayUseAllKeyCharacters()
    {
        SfDictionary dictionary = StructuredFieldParser.ParseDictionary("*a_b-c.d*9=1, proxy_sig=2");

        Assert.Equal(["*a_b-c.d*9", "proxy_sig"], dictionary.Members.Select(m => m.Key));
    }

    [Fact]
    public void TryParseDictionary_Malformed_ReturnsFalseWithoutThrowing()
    {
        Assert.False(StructuredFieldParser.TryParseDictionary("Sig1=()", null, out SfDictionary? dictionary));
        Assert.Null(dictionary);
        Assert.False(StructuredFieldParser.TryParseDictionary(null, null, out _));
        Assert.True(StructuredFieldParser.TryParseDictionary("sig1=()", null, out dictionary));
        Assert.Single(dictionary.Members);
    }

    [Fact]
    public void TryParseListAndItem_ReportValidity()
    {
        Assert.True(StructuredFieldParser.TryParseList("a, b", null, out SfList? list));
        Assert.Equal(2, list.Members.Count);
        Assert.False(StructuredFieldParser.TryParseList("a,", null, out _));
        Assert.True(StructuredFieldParser.TryParseItem("1", null, out SfItem? item));
        Assert.Equal(1, item.Value.Integer);
        Assert.False(StructuredFieldParser.TryParseItem("", null, out _));
    }

    [Fact]
    public void Parse_Null_ThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => StructuredFieldParser.ParseDictionary(null!));
        Assert.Throws<ArgumentNullException>(() => StructuredFieldParser.ParseList(null!));
        Assert.Throws<ArgumentNullException>(() => StructuredFieldParser.ParseItem(null!));
    }
}
