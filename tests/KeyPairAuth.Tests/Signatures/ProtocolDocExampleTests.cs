using System.Text;
using KeyPairAuth.Digests;
using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;
using KeyPairAuth.StructuredFields;
using KeyPairAuth.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>docs/protocol.md's worked example, read out of the document, reproduced byte for byte so the doc cannot drift.</summary>
public sealed class ProtocolDocExampleTests
{
    private static readonly Lazy<string> Doc = new(() => File.ReadAllText(FindDoc()));

    [Fact]
    public void Example_PublicKey_IsDerivedFromTheSeed()
    {
        using SigningKey key = ExampleKey();

        Assert.Equal(Block("public-key"), key.PublicKey.ToString());
    }

    [Fact]
    public void Example_ContentDigest_MatchesTheBodyAndTheRequestHeader()
    {
        (TestRequest request, byte[] body) = ExampleRequest();

        Assert.Equal(Block("content-digest"), ContentDigest.Compute(body));
        Assert.Equal(Block("content-digest"), request.GetFieldValues("Content-Digest")[0]);
        Assert.Equal(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), request.GetFieldValues("Content-Length")[0]);
    }

    [Fact]
    public void Example_SignatureBase_IsReproducedByteForByte()
    {
        (TestRequest request, _) = ExampleRequest();
        SfInnerList signatureParams = StructuredFieldParser.ParseDictionary(Block("signature-input")).Members[0].Value.InnerList!;

        Assert.Equal(Block("signature-base"), SignatureBase.Build(request, signatureParams));
    }

    [Fact]
    public void Example_Signer_ProducesTheDocumentedFields()
    {
        (TestRequest request, _) = ExampleRequest();
        using SigningKey key = ExampleKey();
        SfInnerList documented = StructuredFieldParser.ParseDictionary(Block("signature-input")).Members[0].Value.InnerList!;
        documented.Parameters.TryGetValue("created", out SfBareItem created);
        documented.Parameters.TryGetValue("nonce", out SfBareItem nonce);

        SignatureFields fields = new HttpMessageSigner().Sign(request, key, new SigningOptions
        {
            Created = DateTimeOffset.FromUnixTimeSeconds(created.Integer),
            Nonce = nonce.String,
        });

        Assert.Equal(Block("signature-input"), fields.SignatureInput);
        Assert.Equal(Block("signature"), fields.Signature);
    }

    [Fact]
    public async Task Example_SignedRequest_VerifiesAndItsBodyMatches()
    {
        (TestRequest request, byte[] body) = ExampleRequest();
        using SigningKey key = ExampleKey();
        request.With("Signature-Input", Block("signature-input")).With("Signature", Block("signature"));
        var store = new FakePublicKeyStore().Add(TestKeys.Record(key));
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1767225600 + 10));
        var verifier = new HttpMessageVerifier(new KeyPairAuth.Stores.PublicKeyCache(store, time), new FakeReplayCache(), new SignatureVerificationOptions(), time);

        SignatureVerificationResult result = await verifier.VerifyAsync(request);

        Assert.True(result.Succeeded, result.FailureDetail);
        Assert.True(result.CoversContentDigest);
        Assert.True(ContentDigestVerifier.TryCreate(request.GetFieldValues("Content-Digest"), out ContentDigestVerifier? digest, out _));
        using (digest)
        {
            digest!.Append(body);
            Assert.True(digest.Verify());
        }
    }

    private static SigningKey ExampleKey() => SigningKey.FromSeed("kpa_DocExample0000A1", Convert.FromHexString(Block("seed-hex")));

    /// <summary>Parses the documented HTTP/1.1 request block: request line, header lines, blank line, body.</summary>
    private static (TestRequest Request, byte[] Body) ExampleRequest()
    {
        string text = Block("request");
        int split = text.IndexOf("\n\n", StringComparison.Ordinal);
        string[] head = text[..split].Split('\n');
        byte[] body = Encoding.UTF8.GetBytes(text[(split + 2)..]);
        string[] requestLine = head[0].Split(' ');
        string host = head.Skip(1).Single(l => l.StartsWith("Host:", StringComparison.Ordinal))[5..].Trim();
        var request = new TestRequest(requestLine[0], requestLine[1], host, "https") { HasContent = body.Length > 0 };
        foreach (string line in head.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            request.With(line[..colon], line[(colon + 1)..].Trim());
        }

        return (request, body);
    }

    private static string Block(string name)
    {
        string marker = $"<!-- example:{name} -->";
        string doc = Doc.Value.ReplaceLineEndings("\n");
        int at = doc.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, $"docs/protocol.md has no block {marker}");
        int open = doc.IndexOf("```\n", at, StringComparison.Ordinal) + 4;
        int close = doc.IndexOf("\n```", open, StringComparison.Ordinal);
        return doc[open..close];
    }

    private static string FindDoc()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "docs", "protocol.md");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("docs/protocol.md not found above the test output directory.");
    }
}
