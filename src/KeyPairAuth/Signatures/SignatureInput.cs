using System.Diagnostics.CodeAnalysis;
using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Signatures;

/// <summary>
/// One labelled member of a <c>Signature-Input</c> field (RFC 9421 §4.1): the covered components and the signature
/// parameters one signature was made over. Pass it to <see cref="SignatureBase.Build(IHttpRequestView, SignatureInput)"/>
/// to rebuild the signature base, e.g. to compare what a client signed with what a server rebuilt.
/// </summary>
/// <remarks>
/// Reading a <c>Signature-Input</c> checks its structured-field syntax only; it verifies nothing. The key id is the one the
/// request claims, not an authenticated one.
/// </remarks>
public sealed class SignatureInput
{
    private SignatureInput(string label, SfMember member)
    {
        Label = label;
        Parameters = member.InnerList;
        KeyId = member.Parameters.TryGetValue("keyid", out SfBareItem keyId) && keyId.Type == SfBareItemType.String ? keyId.String : null;
    }

    /// <summary>Gets the member's label (the dictionary key, e.g. <c>sig1</c>).</summary>
    public string Label { get; }

    /// <summary>Gets the <c>keyid</c> parameter, or <see langword="null"/> when it is absent or not a string.</summary>
    public string? KeyId { get; }

    /// <summary>Gets the covered components with the signature parameters, or <see langword="null"/> when the member is not an inner list.</summary>
    internal SfInnerList? Parameters { get; }

    /// <summary>Reads every member of a <c>Signature-Input</c> field value, in order.</summary>
    /// <param name="value">The field value (several field lines already combined with <c>", "</c>).</param>
    /// <param name="inputs">The members, when the value is a valid structured-field Dictionary.</param>
    /// <returns><see langword="true"/> when the value is a valid Dictionary within <see cref="StructuredFieldLimits.Default"/>.</returns>
    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out IReadOnlyList<SignatureInput>? inputs)
    {
        inputs = null;
        if (!StructuredFieldParser.TryParseDictionary(value, null, out SfDictionary? dictionary))
        {
            return false;
        }

        var result = new SignatureInput[dictionary.Members.Count];
        for (int i = 0; i < result.Length; i++)
        {
            KeyValuePair<string, SfMember> member = dictionary.Members[i];
            result[i] = new SignatureInput(member.Key, member.Value);
        }

        inputs = result;
        return true;
    }
}
