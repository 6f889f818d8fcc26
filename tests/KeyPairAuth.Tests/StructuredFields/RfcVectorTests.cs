using System.Text;
using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Tests.StructuredFields;

/// <summary>Field values from RFC 9421 Appendix B, RFC 9530 and RFC 9651, parsed and re-serialised.</summary>
public sealed class RfcVectorTests
{
    private const string SignatureInputB26 =
        "sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\"";

    private const string SignatureB26 =
        "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:";

    private const string SignatureB26Hex =
        "c2a700a9b9982768e2da095f00c691cb882bb98627c769c414dd8737a8eb9c39d008ad6ed3619bd38bfd10383050f8aee00d30eafb90bf9948a7958fa412910b";

    [Fact]
    public void ParseDictionary_SignatureInputB26_YieldsInnerListOfStringsWithParameters()
    {
        SfDictionary dictionary = StructuredFieldParser.ParseDictionary(SignatureInputB26);

        Assert.Single(dictionary.Members);
        Assert.True(dictionary.TryGetValue("sig-b26", out SfMember? member));
        SfInnerList list = Assert.IsType<SfInnerList>(member!.InnerList);
        string[] names = [.. list.Items.Select(i => i.Value.String)];
        Assert.Equal(["date", "@method", "@path", "@authority", "content-type", "content-length"], names);
        Assert.All(list.Items, i => Assert.Equal(SfBareItemType.String, i.Value.Type));
        Assert.Equal(2, list.Parameters.Count);
        Assert.Equal("created", list.Parameters[0].Key);
        Assert.Equal(1618884473L, list.Parameters[0].Value.Integer);
        Assert.Equal("keyid", list.Parameters[1].Key);
        Assert.Equal("test-key-ed25519", list.Parameters[1].Value.String);
    }

    [Fact]
    public void SerializeInnerList_SignatureInputB26_ReproducesSignatureParamsExactly()
    {
        SfDictionary dictionary = StructuredFieldParser.ParseDictionary(SignatureInputB26);

        string serialized = StructuredFieldSerializer.Serialize(dictionary.Members[0].Value.InnerList!);

        Assert.Equal(SignatureInputB26["sig-b26=".Length..], serialized);
        Assert.Equal(SignatureInputB26, StructuredFieldSerializer.Serialize(dictionary));
    }

    [Fact]
    public void SerializeInnerList_BuiltByHand_MatchesSignatureParamsFormat()
    {
        var list = new SfInnerList(
            [new SfItem(SfBareItem.FromString("@method")), new SfItem(SfBareItem.FromString("@authority")), new SfItem(SfBareItem.FromString("@path"))],
            new SfParameters([
                new("created", SfBareItem.FromInteger(1618884473)),
                new("keyid", SfBareItem.FromString("test-key-ed25519")),
            ]));

        Assert.Equal("(\"@method\" \"@authority\" \"@path\");created=1618884473;keyid=\"test-key-ed25519\"", StructuredFieldSerializer.Serialize(list));

        var builder = new StringBuilder("\"@signature-params\": ");
        StructuredFieldSerializer.Append(list, builder);
        Assert.Equal("\"@signature-params\": (\"@method\" \"@authority\" \"@path\");created=1618884473;keyid=\"test-key-ed25519\"", builder.ToString());
    }

    [Fact]
    public void ParseDictionary_SignatureB26_DecodesTheSixtyFourSignatureBytes()
    {
        SfDictionary dictionary = StructuredFieldParser.ParseDictionary(SignatureB26);

        Assert.True(dictionary.TryGetValue("sig-b26", out SfMember? member));
        SfBareItem value = member!.Item!.Value;
        Assert.Equal(SfBareItemType.ByteSequence, value.Type);
        Assert.Equal(SignatureB26Hex, Convert.ToHexStringLower(value.Bytes.Span));
        Assert.Equal(SignatureB26, StructuredFieldSerializer.Serialize(dictionary));
    }

    [Theory]
    [InlineData("sig-b21=();created=1618884473;keyid=\"test-key-rsa-pss\";nonce=\"b3k2pp5k7z-50gnwp.yemd\"")]
    [InlineData("sig-b22=(\"@authority\" \"content-digest\" \"@query-param\";name=\"Pet\");created=1618884473;keyid=\"test-key-rsa-pss\";tag=\"header-example\"")]
    [InlineData("sig-b23=(\"date\" \"@method\" \"@path\" \"@query\" \"@authority\" \"content-type\" \"content-digest\" \"content-length\");created=1618884473;keyid=\"test-key-rsa-pss\"")]
    [InlineData("sig-b25=(\"date\" \"@authority\" \"content-type\");created=1618884473;keyid=\"test-shared-secret\"")]
    [InlineData("transform=(\"@method\" \"@path\" \"@authority\" \"accept\");created=1618884473;keyid=\"test-key-ed25519\"")]
    [InlineData("sig-b27=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\";tag=\"tag-b27\"")]
    [InlineData("sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:")]
    [InlineData("sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:")]
    [InlineData("sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:")]
    [InlineData("sig1=(\"@method\" \"@authority\");created=1;keyid=\"a\", sig2=:AAAA:")]
    [InlineData("")]
    public void ParseDictionary_CanonicalValue_RoundTripsByteForByte(string field)
    {
        Assert.Equal(field, StructuredFieldSerializer.Serialize(StructuredFieldParser.ParseDictionary(field)));
    }

    [Fact]
    public void ParseDictionary_ContentDigestSha512_HasSixtyFourBytes()
    {
        SfDictionary dictionary = StructuredFieldParser.ParseDictionary(
            "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:");

        Assert.Equal(64, dictionary.Members[0].Value.Item!.Value.Bytes.Length);
    }
}
