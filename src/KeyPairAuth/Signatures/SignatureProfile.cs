using KeyPairAuth.StructuredFields.Internal;

namespace KeyPairAuth.Signatures;

/// <summary>
/// The KeyPairAuth profile of RFC 9421, written once: the default coverage the signer uses and the server asks for
/// in <c>Accept-Signature</c>, and the grammar of labels and key ids that the signer, the verifier and the option
/// validators check. See <c>docs/protocol.md</c>.
/// </summary>
internal static class SignatureProfile
{
    /// <summary>The longest <c>keyid</c> a key may have and the verifier looks up; longer ones are malformed.</summary>
    public const int MaxKeyIdLength = 256;

    /// <summary>The label the signer uses and the challenge asks for unless configured otherwise.</summary>
    public const string DefaultLabel = "sig1";

    /// <summary>The component covered besides <see cref="DefaultComponents"/> when the request has content.</summary>
    public const string ContentDigestComponent = "content-digest";

    /// <summary>
    /// The components covered by default, in this order: <c>@method @scheme @authority @path @query</c>. The server
    /// requires <c>@method</c> and either <c>@authority @path @query</c> or <c>@target-uri</c>; <c>@scheme</c> only
    /// with <see cref="SignatureVerificationOptions.RequireScheme"/>.
    /// </summary>
    public static IReadOnlyList<string> DefaultComponents { get; } = Array.AsReadOnly(["@method", "@scheme", "@authority", "@path", "@query"]);

    /// <summary>
    /// Gets whether <paramref name="label"/> is a structured-field key (RFC 9651 §3.2), as a signature label must be:
    /// a lower-case letter or <c>*</c>, then lower-case letters, digits, <c>_</c>, <c>-</c>, <c>.</c> or <c>*</c>.
    /// </summary>
    /// <param name="label">The label.</param>
    /// <returns><see langword="true"/> when the label may be written in <c>Signature-Input</c>.</returns>
    public static bool IsLabel(ReadOnlySpan<char> label) =>
        label.Length > 0 && SfReader.IsKeyStart(label[0]) && !label.ContainsAnyExcept(SfReader.KeyChars);

    /// <summary>Gets whether <paramref name="keyId"/> can be a key id: 1 to <see cref="MaxKeyIdLength"/> printable ASCII characters without spaces.</summary>
    /// <param name="keyId">The key id.</param>
    /// <returns><see langword="true"/> when the key id is well formed.</returns>
    public static bool IsKeyId(ReadOnlySpan<char> keyId) =>
        keyId.Length is > 0 and <= MaxKeyIdLength && !keyId.ContainsAnyExceptInRange((char)0x21, (char)0x7E);
}
