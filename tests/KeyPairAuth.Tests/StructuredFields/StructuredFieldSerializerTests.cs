using System.Text;
using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Tests.StructuredFields;

public sealed class StructuredFieldSerializerTests
{
    // The item types are internal, so theories take an index into these tables (with the text, for readable names).
    private static readonly (SfBareItem Value, string Serialized)[] BareItemCases =
    [
        (SfBareItem.FromInteger(0), "0"),
        (SfBareItem.FromInteger(-42), "-42"),
        (SfBareItem.FromInteger(999_999_999_999_999), "999999999999999"),
        (SfBareItem.FromInteger(-999_999_999_999_999), "-999999999999999"),
        (SfBareItem.FromDecimal(1m), "1.0"),
        (SfBareItem.FromDecimal(1.50m), "1.5"),
        (SfBareItem.FromDecimal(-0.25m), "-0.25"),
        (SfBareItem.FromDecimal(1.2344m), "1.234"),
        (SfBareItem.FromDecimal(1.2345m), "1.234"), // half to even
        (SfBareItem.FromDecimal(1.2355m), "1.236"),
        (SfBareItem.FromDecimal(-0.0001m), "0.0"),
        (SfBareItem.FromDecimal(999_999_999_999.999m), "999999999999.999"),
        (SfBareItem.FromString(string.Empty), "\"\""),
        (SfBareItem.FromString("a\"b\\c"), "\"a\\\"b\\\\c\""),
        (SfBareItem.FromString("test-key-ed25519"), "\"test-key-ed25519\""),
        (SfBareItem.FromToken("sha-256"), "sha-256"),
        (SfBareItem.FromToken("*a:b/c"), "*a:b/c"),
        (SfBareItem.FromBytes([]), "::"),
        (SfBareItem.FromBytes(Encoding.ASCII.GetBytes("hello")), ":aGVsbG8=:"),
        (SfBareItem.FromBytes(new byte[400]), ":" + Convert.ToBase64String(new byte[400]) + ":"),
        (SfBareItem.FromBoolean(true), "?1"),
        (SfBareItem.FromBoolean(false), "?0"),
        (SfBareItem.FromDate(1659578233), "@1659578233"),
        (SfBareItem.FromDisplayString("This is intended for display to \u00fcsers."), "%\"This is intended for display to %c3%bcsers.\""),
        (SfBareItem.FromDisplayString("\"%\\\n"), "%\"%22%25\\%0a\""),
    ];

    public static TheoryData<int, string> BareItems
    {
        get
        {
            var data = new TheoryData<int, string>();
            for (int i = 0; i < BareItemCases.Length; i++)
            {
                data.Add(i, BareItemCases[i].Serialized);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(BareItems))]
    public void Serialize_BareItem_IsCanonical(int index, string expected)
    {
        SfBareItem value = BareItemCases[index].Value;
        Assert.Equal(expected, StructuredFieldSerializer.Serialize(new SfItem(value)));
    }

    [Theory]
    [MemberData(nameof(BareItems))]
    public void Serialize_ThenParse_ReturnsEqualValue(int index, string serialized)
    {
        SfBareItem value = BareItemCases[index].Value;
        SfItem parsed = StructuredFieldParser.ParseItem(serialized);

        Assert.Equal(serialized, StructuredFieldSerializer.Serialize(parsed));
        if (value.Type != SfBareItemType.Decimal)
        {
            Assert.Equal(value, parsed.Value);
        }
    }

    [Fact]
    public void Serialize_BooleanTrueParameter_IsJustTheKey()
    {
        var item = new SfItem(SfBareItem.FromString("x"), new SfParameters([
            new("foo", SfBareItem.FromBoolean(true)),
            new("bar", SfBareItem.FromBoolean(false)),
            new("n", SfBareItem.FromInteger(1)),
        ]));

        Assert.Equal("\"x\";foo;bar=?0;n=1", StructuredFieldSerializer.Serialize(item));
    }

    [Fact]
    public void Serialize_DictionaryWithBooleanTrueMember_OmitsValue()
    {
        var dictionary = new SfDictionary([
            new("a", new SfMember(new SfItem(SfBareItem.FromBoolean(true)))),
            new("b", new SfMember(new SfItem(SfBareItem.FromBoolean(true), new SfParameters([new("x", SfBareItem.FromToken("y"))])))),
            new("c", new SfMember(new SfItem(SfBareItem.FromBoolean(false)))),
            new("d", new SfMember(new SfInnerList([new SfItem(SfBareItem.FromInteger(1))], SfParameters.Empty))),
        ]);

        Assert.Equal("a, b;x=y, c=?0, d=(1)", StructuredFieldSerializer.Serialize(dictionary));
    }

    [Fact]
    public void Serialize_List_SeparatesMembersWithCommaSpace()
    {
        var list = new SfList([
            new SfMember(new SfItem(SfBareItem.FromToken("a"))),
            new SfMember(new SfInnerList([], new SfParameters([new("p", SfBareItem.FromDecimal(0.5m))]))),
            new SfMember(new SfInnerList([new SfItem(SfBareItem.FromString("s")), new SfItem(SfBareItem.FromInteger(2))], SfParameters.Empty)),
        ]);

        Assert.Equal("a, ();p=0.5, (\"s\" 2)", StructuredFieldSerializer.Serialize(list));
    }

    [Fact]
    public void Serialize_EmptyInnerListWithParameters_MatchesB21()
    {
        var list = new SfInnerList([], new SfParameters([
            new("created", SfBareItem.FromInteger(1618884473)),
            new("keyid", SfBareItem.FromString("test-key-rsa-pss")),
            new("nonce", SfBareItem.FromString("b3k2pp5k7z-50gnwp.yemd")),
        ]));

        Assert.Equal("();created=1618884473;keyid=\"test-key-rsa-pss\";nonce=\"b3k2pp5k7z-50gnwp.yemd\"", StructuredFieldSerializer.Serialize(list));
    }

    [Fact]
    public void Append_Item_AppendsToExistingText()
    {
        var builder = new StringBuilder("\"@query-param\"");
        builder.Length = 0;
        StructuredFieldSerializer.Append(new SfItem(SfBareItem.FromString("@query-param"), new SfParameters([new("name", SfBareItem.FromString("Pet"))])), builder);

        Assert.Equal("\"@query-param\";name=\"Pet\"", builder.ToString());
    }

    [Fact]
    public void SfParameters_DuplicateKeys_LaterValueOverwritesInPlace()
    {
        var parameters = new SfParameters(Enumerable.Range(0, 30).Select(i => new KeyValuePair<string, SfBareItem>($"k{i % 10}", SfBareItem.FromInteger(i))));

        Assert.Equal(10, parameters.Count);
        Assert.Equal("k0", parameters[0].Key);
        Assert.Equal(20, parameters[0].Value.Integer);
        Assert.Equal(29, parameters[9].Value.Integer);
    }

    private static readonly SfBareItem[] UnserialisableCases =
    [
        SfBareItem.FromInteger(1_000_000_000_000_000),
        SfBareItem.FromInteger(-1_000_000_000_000_000),
        SfBareItem.FromInteger(long.MinValue),
        SfBareItem.FromDecimal(1_000_000_000_000m),
        SfBareItem.FromDecimal(999_999_999_999.9995m), // rounds up to 13 integer digits
        SfBareItem.FromString("tab\there"),
        SfBareItem.FromString("new\nline"),
        SfBareItem.FromString("caf\u00e9"),
        SfBareItem.FromToken(string.Empty),
        SfBareItem.FromToken("1abc"),
        SfBareItem.FromToken("a b"),
        SfBareItem.FromToken("a\"b"),
        SfBareItem.FromDate(1_000_000_000_000_000),
        SfBareItem.FromDisplayString("lone \ud800 surrogate"),
        default,
    ];

    public static TheoryData<int> Unserialisable => new(Enumerable.Range(0, UnserialisableCases.Length));

    [Theory]
    [MemberData(nameof(Unserialisable))]
    public void Serialize_UnrepresentableValue_ThrowsArgumentException(int index)
    {
        SfBareItem value = UnserialisableCases[index];
        Assert.ThrowsAny<ArgumentException>(() => StructuredFieldSerializer.Serialize(new SfItem(value)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Key")]
    [InlineData("1a")]
    [InlineData("a b")]
    [InlineData("a=b")]
    public void Serialize_InvalidParameterKey_ThrowsArgumentException(string key)
    {
        var item = new SfItem(SfBareItem.FromInteger(1), new SfParameters([new(key, SfBareItem.FromInteger(1))]));

        Assert.ThrowsAny<ArgumentException>(() => StructuredFieldSerializer.Serialize(item));
    }

    [Fact]
    public void Serialize_InvalidDictionaryKey_ThrowsArgumentException()
    {
        var dictionary = new SfDictionary([new("Sig1", new SfMember(new SfItem(SfBareItem.FromInteger(1))))]);

        Assert.ThrowsAny<ArgumentException>(() => StructuredFieldSerializer.Serialize(dictionary));
    }

    [Fact]
    public void Serialize_Null_ThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => StructuredFieldSerializer.Serialize((SfDictionary)null!));
        Assert.Throws<ArgumentNullException>(() => StructuredFieldSerializer.Serialize((SfList)null!));
        Assert.Throws<ArgumentNullException>(() => StructuredFieldSerializer.Serialize((SfItem)null!));
        Assert.Throws<ArgumentNullException>(() => StructuredFieldSerializer.Serialize((SfInnerList)null!));
        Assert.Throws<ArgumentNullException>(() => StructuredFieldSerializer.Append((SfInnerList)null!, new StringBuilder()));
        Assert.Throws<ArgumentNullException>(() => StructuredFieldSerializer.Append(new SfItem(SfBareItem.FromInteger(1)), null!));
    }

    [Theory]
    [InlineData("a=1 ,  b=2", "a=1, b=2")]
    [InlineData("a=?1;x", "a;x")]
    [InlineData("a=(  1   2 )", "a=(1 2)")]
    [InlineData("a=1.500", "a=1.5")]
    [InlineData("a=0042", "a=42")]
    [InlineData("a=-0", "a=0")]
    [InlineData("a=:aGVsbG8:", "a=:aGVsbG8=:")]
    [InlineData("a=1;p=?1;p=2", "a=1;p=2")]
    [InlineData("a;p=?1", "a;p")]
    [InlineData("a=1\t,\tb", "a=1, b")]
    public void ParseThenSerialize_NonCanonicalInput_YieldsCanonicalForm(string field, string canonical)
    {
        Assert.Equal(canonical, StructuredFieldSerializer.Serialize(StructuredFieldParser.ParseDictionary(field)));
    }
}
