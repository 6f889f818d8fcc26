using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>
/// Where <see cref="FastSignatureFields"/> stops: the values at the edge of its shape and of the generic parser's limits
/// that it still reads in place (the verifier's allocation-free path), and the malformed ones it must hand back, without
/// throwing, to the generic parser (which rejects them).
/// </summary>
public sealed class FastSignatureFieldsShapeTests
{
    private static readonly string Base64Of64Bytes = Convert.ToBase64String(new byte[64]);

    private static readonly string Signature = "sig1=:" + Base64Of64Bytes + ":";

    [Fact]
    public void TryRead_NullFieldLine_ReturnsFalseWithoutThrowing()
    {
        // StringValues may hold a null line; an IHttpRequestView is free to return one.
        Assert.False(FastSignatureFields.TryRead(null, Signature, StructuredFieldLimits.Default, out _));
        Assert.False(FastSignatureFields.TryRead("sig1=(\"@method\");created=1", null, StructuredFieldLimits.Default, out _));
    }

    [Fact]
    public void TryRead_FieldsOfExactlyMaxFieldLength_AreRead()
    {
        string input = "sig1=(\"@method\");created=1";
        string paddedSignature = Signature + "   "; // trailing OWS: valid, and makes the two lengths differ

        Assert.True(FastSignatureFields.TryRead(input, Signature, new StructuredFieldLimits { MaxFieldLength = Math.Max(input.Length, Signature.Length) }, out _));
        Assert.True(FastSignatureFields.TryRead(input, paddedSignature, new StructuredFieldLimits { MaxFieldLength = paddedSignature.Length }, out _));
        Assert.False(FastSignatureFields.TryRead(input, paddedSignature, new StructuredFieldLimits { MaxFieldLength = paddedSignature.Length - 1 }, out _));

        string paddedInput = input + new string(' ', Signature.Length);
        Assert.True(FastSignatureFields.TryRead(paddedInput, Signature, new StructuredFieldLimits { MaxFieldLength = paddedInput.Length }, out _));
        Assert.False(FastSignatureFields.TryRead(paddedInput, Signature, new StructuredFieldLimits { MaxFieldLength = paddedInput.Length - 1 }, out _));
    }

    [Fact]
    public void TryRead_MaxMembersOfOne_IsRead()
    {
        Assert.True(FastSignatureFields.TryRead("sig1=(\"@method\");created=1", Signature, new StructuredFieldLimits { MaxMembers = 1 }, out _));
    }

    [Fact]
    public void TryRead_OneCharacterLabelAndParameterKey_AreRead()
    {
        Assert.True(FastSignatureFields.TryRead("a=(\"@method\");x=1;y=\"v\"", "a=:" + Base64Of64Bytes + ":", StructuredFieldLimits.Default, out FastSignatureFields fields));

        Assert.Equal("a", fields.LabelSpan.ToString());
        Assert.Equal(2, fields.ParameterCount);
        Assert.Equal("x", fields.Slice(fields.Parameter(0).Key).ToString());
        Assert.Equal(1, fields.Parameter(0).Integer);
        Assert.Equal("y", fields.Slice(fields.Parameter(1).Key).ToString());
        Assert.Equal("v", fields.Slice(fields.Parameter(1).Text).ToString());
    }

    [Fact]
    public void TryRead_EmptyStrings_AreReadAsEmptyComponentAndParameter()
    {
        Assert.True(FastSignatureFields.TryRead("sig1=(\"\" \"@method\");nonce=\"\"", Signature, StructuredFieldLimits.Default, out FastSignatureFields fields));

        Assert.Equal(2, fields.ItemCount);
        Assert.Equal(string.Empty, fields.Item(0).ToString());
        Assert.Equal(string.Empty, fields.GetFieldName(0));
        Assert.Equal("@method", fields.Item(1).ToString());
        FastParameter nonce = Assert.Single(Parameters(fields));
        Assert.True(nonce.IsString);
        Assert.Equal(0, nonce.Text.Length);
    }

    [Theory]
    [InlineData("-5", -5)]
    [InlineData("-0", 0)]
    [InlineData("9", 9)]
    [InlineData("1772366409", 1772366409)]
    [InlineData("007", 7)]
    [InlineData("999999999999999", 999_999_999_999_999)] // 15 digits: the most an Integer has (RFC 9651 §3.3.1)
    [InlineData("-999999999999999", -999_999_999_999_999)]
    public void TryRead_IntegerParameter_IsReadWithItsValue(string text, long expected)
    {
        Assert.True(FastSignatureFields.TryRead($"sig1=(\"@method\");created={text};keyid=\"k\"", Signature, StructuredFieldLimits.Default, out FastSignatureFields fields));

        FastParameter created = fields.Parameter(0);
        Assert.False(created.IsString);
        Assert.Equal(expected, created.Integer);
        Assert.Equal("k", fields.Slice(fields.Parameter(1).Text).ToString());
    }

    [Theory]
    [InlineData(16, true)]
    [InlineData(17, false)]
    public void TryRead_CoveredComponents_ReadUpToItsCapacityOfSixteen(int count, bool read)
    {
        string input = $"sig1=({string.Join(' ', Enumerable.Range(0, count).Select(i => $"\"h{i}\""))});created=1";
        Assert.True(StructuredFieldParser.TryParseDictionary(input, StructuredFieldLimits.Default, out _));

        Assert.Equal(read, FastSignatureFields.TryRead(input, Signature, StructuredFieldLimits.Default, out FastSignatureFields fields));
        if (read)
        {
            Assert.Equal(count, fields.ItemCount);
            Assert.Equal($"h{count - 1}", fields.Item(count - 1).ToString());
        }
    }

    [Theory]
    [InlineData(3, true)]
    [InlineData(4, false)]
    public void TryRead_CoveredComponents_ReadUpToTheConfiguredMaxInnerListItems(int count, bool read)
    {
        var limits = new StructuredFieldLimits { MaxInnerListItems = 3 };
        string input = $"sig1=({string.Join(' ', Enumerable.Range(0, count).Select(i => $"\"h{i}\""))});created=1";

        Assert.Equal(read, FastSignatureFields.TryRead(input, Signature, limits, out _));
        Assert.Equal(read, StructuredFieldParser.TryParseDictionary(input, limits, out _));
    }

    [Theory]
    [InlineData(12, true)]
    [InlineData(13, false)]
    public void TryRead_SignatureParameters_ReadUpToItsCapacityOfTwelve(int count, bool read)
    {
        string input = "sig1=(\"@method\")" + string.Concat(Enumerable.Range(0, count).Select(i => $";p{i}={i}"));
        Assert.True(StructuredFieldParser.TryParseDictionary(input, StructuredFieldLimits.Default, out _));

        Assert.Equal(read, FastSignatureFields.TryRead(input, Signature, StructuredFieldLimits.Default, out FastSignatureFields fields));
        if (read)
        {
            Assert.Equal(count, fields.ParameterCount);
            Assert.Equal(count - 1, fields.Parameter(count - 1).Integer);
        }
    }

    [Theory]
    [InlineData(4, true)]
    [InlineData(5, false)]
    public void TryRead_SignatureParameters_ReadUpToTheConfiguredMaxParameters(int count, bool read)
    {
        var limits = new StructuredFieldLimits { MaxParameters = 4 };
        string input = "sig1=(\"@method\")" + string.Concat(Enumerable.Range(0, count).Select(i => $";p{i}={i}"));

        Assert.Equal(read, FastSignatureFields.TryRead(input, Signature, limits, out _));
        Assert.Equal(read, StructuredFieldParser.TryParseDictionary(input, limits, out _));
    }

    [Fact]
    public void TryRead_SixteenDigitInteger_IsLeftToTheGenericParser()
    {
        Assert.False(FastSignatureFields.TryRead("sig1=(\"@method\");created=1000000000000000", Signature, StructuredFieldLimits.Default, out _));
    }

    [Theory]
    [InlineData("sig1=")] // nothing after '='
    [InlineData("sig1=(")] // list never closed
    [InlineData("sig1=(  ")]
    [InlineData("sig1=(\"@method\"")] // item at the end, list never closed
    [InlineData("sig1=(\"@method")] // string never closed
    [InlineData("sig1=(\"@method\" \"@path")]
    [InlineData("sig1=(\"@meth\u00e9d\");created=1")] // not ASCII
    [InlineData("sig1=(\"@method\u00e9);created=1")] // not ASCII, string never closed
    [InlineData("sig1=(\"@method\\ \");created=1")] // a backslash that escapes nothing
    [InlineData("sig1=(\"@method\"\"@path\");created=1")] // items not separated by a space
    [InlineData("sig1=(ab\" \"@method\");created=1")] // a Token item, then a quote
    [InlineData("sig1:(\"@method\");created=1")] // ':' instead of '='
    [InlineData("sig1=x\"@method\");created=1")] // no '(' after '='
    [InlineData("sig1=(\"@method\");")] // ';' without a key
    [InlineData("sig1=(\"@method\");=1")] // a parameter without a key
    [InlineData("sig1=(\"@method\");created=")] // nothing after '='
    [InlineData("sig1=(\"@method\");created=-")] // '-' without digits
    [InlineData("sig1=(\"@method\");created=-;keyid=\"k\"")]
    [InlineData("sig1=(\"@method\");created=1.")] // Decimal without fraction
    [InlineData("sig1=(\"@method\");nonce=\"abc")] // String parameter never closed
    [InlineData("sig1=(\"@method\");nonce=\"a\u00e9\"")]
    public void TryRead_MalformedSignatureInput_ReturnsFalseWithoutThrowing(string input)
    {
        Assert.False(StructuredFieldParser.TryParseDictionary(input, StructuredFieldLimits.Default, out _));

        Assert.False(FastSignatureFields.TryRead(input, Signature, StructuredFieldLimits.Default, out _));
    }

    [Theory]
    [InlineData("sig1=")] // nothing after '='
    [InlineData("sig1=:")] // Byte Sequence never closed
    [InlineData("sig1=:B64")]
    [InlineData("sig1::B64:")] // ':' instead of '='
    [InlineData("sig1=xB64:")] // no ':' after '='
    public void TryRead_MalformedSignature_ReturnsFalseWithoutThrowing(string signature)
    {
        signature = signature.Replace("B64", Base64Of64Bytes, StringComparison.Ordinal);
        Assert.False(StructuredFieldParser.TryParseDictionary(signature, StructuredFieldLimits.Default, out _));

        Assert.False(FastSignatureFields.TryRead("sig1=(\"@method\");created=1", signature, StructuredFieldLimits.Default, out _));
    }

    [Fact]
    public void TryRead_LabelWithoutValue_IsLeftToTheGenericParser()
    {
        // A bare key is a valid member (Boolean true), just not an inner list or a Byte Sequence.
        string input = "sig1=(\"@method\");created=1";

        Assert.False(FastSignatureFields.TryRead("sig1", Signature, StructuredFieldLimits.Default, out _));
        Assert.False(FastSignatureFields.TryRead(input, "sig1", StructuredFieldLimits.Default, out _));
    }

    [Fact]
    public void GetFieldName_CommonAndOtherFields_ReturnsTheNameWithoutAllocatingForTheCommonOnes()
    {
        string[] common = ["content-digest", "content-type", "content-length", "date", "host", "authorization"];
        string input = $"sig1=({string.Join(' ', common.Select(n => $"\"{n}\""))} \"x-tenant\" \"\");created=1";
        Assert.True(FastSignatureFields.TryRead(input, Signature, StructuredFieldLimits.Default, out FastSignatureFields fields));

        for (int i = 0; i < common.Length; i++)
        {
            // The interned literal itself: a covered common field costs no string per request.
            Assert.Same(common[i], fields.GetFieldName(i));
        }

        Assert.Equal("x-tenant", fields.GetFieldName(common.Length));
        Assert.Equal(string.Empty, fields.GetFieldName(common.Length + 1));
    }

    private static IEnumerable<FastParameter> Parameters(FastSignatureFields fields)
    {
        var list = new List<FastParameter>();
        for (int i = 0; i < fields.ParameterCount; i++)
        {
            list.Add(fields.Parameter(i));
        }

        return list;
    }
}
