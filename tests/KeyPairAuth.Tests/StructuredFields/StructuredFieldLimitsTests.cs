using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Tests.StructuredFields;

public sealed class StructuredFieldLimitsTests
{
    [Fact]
    public void Parse_LongerThanMaxFieldLength_FailsBeforeParsing()
    {
        var limits = new StructuredFieldLimits { MaxFieldLength = 10 };

        Assert.Equal("a=12345678", StructuredFieldSerializer.Serialize(StructuredFieldParser.ParseDictionary("a=12345678", limits)));
        StructuredFieldException ex = Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseDictionary("a=123456789", limits));
        Assert.Equal(10, ex.Position);
        Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseList("a, bcdefghij", limits));
        Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseItem("\"abcdefghi\"", limits));
    }

    [Fact]
    public void Parse_OneMegabyteString_FailsOnLengthWithoutScanning()
    {
        string field = "a=\"" + new string('x', 1 << 20) + "\"";

        long before = StructuredFieldTestHelpers.ResetWork();
        Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseDictionary(field));
        Assert.Equal(0, StructuredFieldTestHelpers.Work() - before);
    }

    [Fact]
    public void Parse_OneMegabyteString_WithRaisedLimit_ParsesInLinearWork()
    {
        string content = new('x', 1 << 20);
        var limits = new StructuredFieldLimits { MaxFieldLength = 2 << 20 };

        StructuredFieldTestHelpers.ResetWork();
        SfDictionary dictionary = StructuredFieldParser.ParseDictionary("a=\"" + content + "\"", limits);

        Assert.Equal(content, dictionary.Members[0].Value.Item!.Value.String);
        Assert.InRange(StructuredFieldTestHelpers.Work(), 1, 4L * (content.Length + 4));
    }

    [Fact]
    public void ParseDictionary_MoreMembersThanAllowed_Fails()
    {
        var limits = new StructuredFieldLimits { MaxMembers = 3 };

        Assert.Equal(3, StructuredFieldParser.ParseDictionary("a, b, c", limits).Members.Count);
        StructuredFieldException ex = Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseDictionary("a, b, c, d", limits));
        Assert.Equal(9, ex.Position);

        // Duplicates count toward the limit too: the limit bounds work, not the result size.
        Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseDictionary("a, a, a, a", limits));
    }

    [Fact]
    public void ParseList_MoreMembersThanAllowed_Fails()
    {
        var limits = new StructuredFieldLimits { MaxMembers = 2 };

        Assert.Equal(2, StructuredFieldParser.ParseList("1, 2", limits).Members.Count);
        Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseList("1, 2, 3", limits));
    }

    [Fact]
    public void Parse_InnerListWithMoreItemsThanAllowed_Fails()
    {
        var limits = new StructuredFieldLimits { MaxInnerListItems = 2 };

        Assert.Equal(2, StructuredFieldParser.ParseDictionary("a=(1 2)", limits).Members[0].Value.InnerList!.Items.Count);
        StructuredFieldException ex = Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseDictionary("a=(1 2 3)", limits));
        Assert.Equal(7, ex.Position);
    }

    [Fact]
    public void Parse_MoreParametersThanAllowed_Fails()
    {
        var limits = new StructuredFieldLimits { MaxParameters = 2 };

        Assert.Equal(2, StructuredFieldParser.ParseItem("1;a;b", limits).Parameters.Count);
        Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseItem("1;a;b;c", limits));
        Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseItem("1;a;a;a", limits));
        Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseDictionary("x=();a;b;c", limits));
        Assert.Throws<StructuredFieldException>(() => StructuredFieldParser.ParseDictionary("x;a;b;c", limits));
    }

    [Fact]
    public void Defaults_AcceptATypicalSignatureInput()
    {
        string field = "sig1=(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\");created=1700000000;expires=1700000300"
            + ";keyid=\"kpa_0123456789abcdef\";nonce=\"dGhpcyBpcyBhIG5vbmNlIQ\";alg=\"ed25519\";tag=\"keypairauth\"";

        SfDictionary dictionary = StructuredFieldParser.ParseDictionary(field);

        Assert.Equal(field, StructuredFieldSerializer.Serialize(dictionary));
    }

    [Fact]
    public void Parse_ThousandsOfMembersAtRaisedLimit_ParsesInLinearWork()
    {
        var limits = new StructuredFieldLimits { MaxFieldLength = 1 << 22, MaxMembers = 100_000, MaxParameters = 100_000 };
        string dictionaryField = string.Join(", ", Enumerable.Range(0, 20_000).Select(i => $"k{i}=(\"a\" \"b\");p{i}"));
        string parameterField = "x" + string.Concat(Enumerable.Range(0, 20_000).Select(i => $";p{i}={i}"));

        StructuredFieldTestHelpers.ResetWork();
        Assert.Equal(20_000, StructuredFieldParser.ParseDictionary(dictionaryField, limits).Members.Count);
        Assert.InRange(StructuredFieldTestHelpers.Work(), 1, 4L * dictionaryField.Length);

        StructuredFieldTestHelpers.ResetWork();
        Assert.Equal(20_000, StructuredFieldParser.ParseItem(parameterField, limits).Parameters.Count);
        Assert.InRange(StructuredFieldTestHelpers.Work(), 1, 4L * parameterField.Length);
    }
}
