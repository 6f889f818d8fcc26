namespace KeyPairAuth.Signatures;

/// <summary>The two field values a signer adds to a request.</summary>
/// <param name="SignatureInput">The <c>Signature-Input</c> value, e.g. <c>sig1=("@method" ...);created=...;keyid="..."</c>.</param>
/// <param name="Signature">The <c>Signature</c> value, e.g. <c>sig1=:base64:</c>.</param>
public readonly record struct SignatureFields(string SignatureInput, string Signature)
{
    /// <summary>The <c>Signature-Input</c> field name.</summary>
    public const string SignatureInputFieldName = "Signature-Input";

    /// <summary>The <c>Signature</c> field name.</summary>
    public const string SignatureFieldName = "Signature";
}
