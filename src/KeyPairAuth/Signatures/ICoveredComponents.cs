using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Signatures;

/// <summary>
/// The covered components and signature parameters of one signature, as <see cref="SignatureBase"/> reads them, whichever
/// reader produced them: the general structured-field reading (<see cref="SfCoveredComponents"/>) or the verifier's
/// allocation-free reading of the common shape (<see cref="FastSignatureFields"/>). One base builder serves both.
/// </summary>
internal interface ICoveredComponents
{
    /// <summary>Gets the number of covered component identifiers.</summary>
    int ComponentCount { get; }

    /// <summary>Gets one covered component identifier.</summary>
    /// <param name="index">The identifier's position.</param>
    /// <param name="name">The component name (a String's content).</param>
    /// <param name="parameters">The identifier's parameters.</param>
    /// <returns><see langword="false"/> when the identifier is not a String (RFC 9421 §2.1).</returns>
    bool TryGetComponent(int index, out ReadOnlySpan<char> name, out SfParameters parameters);

    /// <summary>Gets the name of a covered field as a string (for <see cref="IHttpRequestView.GetFieldValues"/>).</summary>
    /// <param name="index">The identifier's position; <see cref="TryGetComponent"/> returned <see langword="true"/> for it.</param>
    /// <returns>The field name.</returns>
    string GetFieldName(int index);

    /// <summary>Writes the value of <c>@signature-params</c>, serialised canonically (RFC 9651 §4.1.1.1).</summary>
    /// <param name="writer">The base being built.</param>
    void WriteSignatureParams(ref SignatureBaseWriter writer);
}

/// <summary>The covered components of a parsed inner list (the signer's, and the verifier's general reading).</summary>
/// <param name="signatureParams">The inner list: covered components with the signature parameters.</param>
internal readonly struct SfCoveredComponents(SfInnerList signatureParams) : ICoveredComponents
{
    /// <inheritdoc />
    public int ComponentCount => signatureParams.Items.Count;

    /// <inheritdoc />
    public bool TryGetComponent(int index, out ReadOnlySpan<char> name, out SfParameters parameters)
    {
        SfItem item = signatureParams.Items[index];
        parameters = item.Parameters;
        bool isString = item.Value.Type == SfBareItemType.String;
        name = isString ? item.Value.String : default;
        return isString;
    }

    /// <inheritdoc />
    public string GetFieldName(int index) => signatureParams.Items[index].Value.String;

    /// <inheritdoc />
    public void WriteSignatureParams(ref SignatureBaseWriter writer) => SignatureBase.WriteSignatureParams(signatureParams, ref writer);
}
