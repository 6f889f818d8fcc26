using System.Text;
using KeyPairAuth.Keys;
using NSec.Cryptography;

namespace KeyPairAuth.Tests.Keys;

/// <summary>Known answers from Node.js crypto (generateKeyPairSync('ed25519'), export pkcs8 PEM and JWK, sign).</summary>
public sealed class InteropTests
{
    private const string NodePrivatePem =
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIETEmvPWlaMHhDJFbYY08QLSIAmZRkRVMeR4vTXB2CYo\n-----END PRIVATE KEY-----\n";

    private const string NodePublicJwk = """{"crv":"Ed25519","x":"H1e_YXa6Ju9QEha3y5Qifx310YCc_1scdI9hpXV5Fbg","kty":"OKP"}""";

    // crypto.sign(null, Buffer.from('hello KeyPairAuth'), privateKey).toString('base64')
    private const string NodeSignature = "xkN6MCPGfNGvPAWm6mRfjOPYp/whYGJB4GqDUeL/N8fOUbcL57od8ZyzZ3l0F9FUQKAorViB8AA08s7YBr+nCg==";

    [Fact]
    public void NodeKeys_ReadBack_AndSignaturesAgreeByteForByte()
    {
        byte[] message = Encoding.UTF8.GetBytes("hello KeyPairAuth");
        Ed25519PublicKey publicKey = Ed25519PublicKey.Parse(NodePublicJwk);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(publicKey.NSecKey, message, Convert.FromBase64String(NodeSignature)));

        using SigningKey key = SigningKey.FromPkcs8Pem(KeyId.New(), NodePrivatePem);
        Assert.Equal(publicKey, key.PublicKey);

        // Ed25519 is deterministic (RFC 8032): our signature must equal Node's.
        byte[] signature = new byte[SigningKey.SignatureSize];
        key.Sign(message, signature);
        Assert.Equal(NodeSignature, Convert.ToBase64String(signature));
    }
}
