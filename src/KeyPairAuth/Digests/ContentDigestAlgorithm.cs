namespace KeyPairAuth.Digests;

/// <summary>The RFC 9530 digest algorithms KeyPairAuth computes and verifies.</summary>
public enum ContentDigestAlgorithm
{
    /// <summary><c>sha-256</c>.</summary>
    Sha256 = 1,

    /// <summary><c>sha-512</c>.</summary>
    Sha512,
}
