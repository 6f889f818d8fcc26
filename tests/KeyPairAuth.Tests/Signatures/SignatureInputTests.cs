using KeyPairAuth.Signatures;
using KeyPairAuth.Tests.Vectors;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>The public reader of <c>Signature-Input</c> members and the signature base built from one.</summary>
public sealed class SignatureInputTests
{
    [Fact]
    public void TryParse_TwoMembers_ReturnsLabelsAndClaimedKeyIdsInOrder()
    {
        Assert.True(SignatureInput.TryParse("sig1=(\"@method\");created=1;keyid=\"kpa_a\", proxy=(\"@path\");keyid=7", out IReadOnlyList<SignatureInput>? inputs));

        Assert.Equal(["sig1", "proxy"], inputs.Select(i => i.Label));
        Assert.Equal("kpa_a", inputs[0].KeyId);
        Assert.Null(inputs[1].KeyId); // an Integer keyid is not a key id
    }

    [Theory]
    [InlineData(null)]
    [InlineData("sig1=(\"@method\"")]
    [InlineData("Sig1=(\"@method\")")]
    public void TryParse_MalformedOrAbsent_ReturnsFalse(string? value)
    {
        Assert.False(SignatureInput.TryParse(value, out IReadOnlyList<SignatureInput>? inputs));
        Assert.Null(inputs);
    }

    [Fact]
    public void TryParse_EmptyField_IsAnEmptyDictionary()
    {
        // RFC 9651 §4.2: an empty field value is an empty Dictionary, not an error.
        Assert.True(SignatureInput.TryParse(string.Empty, out IReadOnlyList<SignatureInput>? inputs));
        Assert.Empty(inputs);
    }

    [Fact]
    public void Build_FromParsedMember_EqualsTheBaseOfTheSameInnerList()
    {
        const string Member = "(\"@method\" \"@path\");created=1618884473;keyid=\"test-key-ed25519\"";
        var request = new TestRequest("POST", "/foo?param=Value&Pet=dog");
        Assert.True(SignatureInput.TryParse("sig1=" + Member, out IReadOnlyList<SignatureInput>? inputs));

        string signatureBase = SignatureBase.Build(request, inputs[0]);

        Assert.Equal(SignatureBase.Build(request, Rfc9421VectorTests.FirstInnerList("sig1=" + Member)), signatureBase);
        Assert.Equal("\"@method\": POST\n\"@path\": /foo\n\"@signature-params\": " + Member, signatureBase);
    }

    [Fact]
    public void Build_MemberThatIsNotAnInnerList_ThrowsSignatureBaseException()
    {
        Assert.True(SignatureInput.TryParse("sig1=token;keyid=\"k\"", out IReadOnlyList<SignatureInput>? inputs));

        SignatureBaseException ex = Assert.Throws<SignatureBaseException>(() => SignatureBase.Build(new TestRequest("GET", "/"), inputs[0]));

        Assert.Equal("k", inputs[0].KeyId);
        Assert.Contains("not an inner list", ex.Message, StringComparison.Ordinal);
    }
}
