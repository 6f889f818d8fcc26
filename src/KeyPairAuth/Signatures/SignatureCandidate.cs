using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Signatures;

/// <summary>
/// One signature to verify, as either reader produced it: the verifier's allocation-free reading of the common shape
/// (<see cref="FastSignatureFields"/>) or the general structured-field reading of any shape. <see cref="HttpMessageVerifier"/>
/// checks every candidate with the same pipeline, so the two readings can only differ in how they parse.
/// </summary>
/// <remarks>
/// A candidate lives on the stack for the synchronous part of the pipeline: it points into the fields it was read
/// from (the fast reading's signature bytes included). What the pipeline needs after an await (the key id, the nonce,
/// the label, <c>created</c>) is in <see cref="Parameters"/>, which slices the request's own field values.
/// </remarks>
internal ref struct SignatureCandidate
{
    /// <summary>The signature's parameters, its label, and which of the profile's components it covers.</summary>
    public SignatureParameters Parameters;

    private readonly ref FastSignatureFields _fast;
    private readonly SfInnerList? _innerList;

    private SignatureCandidate(ref FastSignatureFields fast, SfInnerList? innerList)
    {
        _fast = ref fast;
        _innerList = innerList;
    }

    /// <summary>Gets the signature bytes (any length: the pipeline refuses all but 64).</summary>
    public ReadOnlySpan<byte> Signature { get; private set; }

    /// <summary>Reads the candidate from the fast reading of the fields.</summary>
    /// <param name="fields">The fields, read by <see cref="FastSignatureFields.TryRead"/>.</param>
    /// <param name="additional">The components the policy requires besides the profile's.</param>
    /// <param name="failure">Why the signature is refused already (a parameter of the wrong type), or <see langword="null"/>.</param>
    /// <returns>The candidate.</returns>
    public static SignatureCandidate Read(ref FastSignatureFields fields, IList<string> additional, out SignatureVerificationResult? failure)
    {
        var candidate = new SignatureCandidate(ref fields, null) { Signature = fields.Signature };
        candidate.Parameters.Label = fields.SliceMemory(fields.Label);
        failure = null;
        for (int i = 0; i < fields.ParameterCount; i++)
        {
            FastParameter parameter = fields.Parameter(i);
            ReadOnlyMemory<char> text = parameter.IsString ? fields.SliceMemory(parameter.Text) : default;
            if (!candidate.Parameters.Accept(fields.Slice(parameter.Key), !parameter.IsString, parameter.Integer, parameter.IsString, text))
            {
                failure = VerificationFailures.BadParameterType;
                return candidate;
            }
        }

        candidate.Parameters.ReadCoverage(ref fields, additional);
        return candidate;
    }

    /// <summary>Reads the candidate from one label's members of the parsed <c>Signature-Input</c> and <c>Signature</c> dictionaries.</summary>
    /// <param name="label">The label.</param>
    /// <param name="input">The label's <c>Signature-Input</c> member.</param>
    /// <param name="signature">The label's <c>Signature</c> member.</param>
    /// <param name="additional">The components the policy requires besides the profile's.</param>
    /// <param name="failure">Why the signature is refused already (wrong member types, a parameter of the wrong type), or <see langword="null"/>.</param>
    /// <returns>The candidate.</returns>
    public static SignatureCandidate Read(string label, SfMember input, SfMember signature, IList<string> additional, out SignatureVerificationResult? failure)
    {
        if (input.InnerList is not { } innerList)
        {
            failure = VerificationFailures.InputNotInnerList;
            return default;
        }

        if (signature.Item is not { } signatureItem || signatureItem.Value.Type != SfBareItemType.ByteSequence)
        {
            failure = VerificationFailures.SignatureNotBytes;
            return default;
        }

        var candidate = new SignatureCandidate(ref System.Runtime.CompilerServices.Unsafe.NullRef<FastSignatureFields>(), innerList)
        {
            Signature = signatureItem.Value.Bytes.Span,
        };
        candidate.Parameters.Label = label.AsMemory();
        failure = null;

        // Signature parameters (RFC 9421 §2.3); unknown parameters are ignored.
        SfParameters parameters = innerList.Parameters;
        for (int i = 0; i < parameters.Count; i++)
        {
            KeyValuePair<string, SfBareItem> parameter = parameters[i];
            SfBareItem value = parameter.Value;
            bool isInteger = value.Type == SfBareItemType.Integer;
            bool isString = value.Type == SfBareItemType.String;
            if (!candidate.Parameters.Accept(parameter.Key, isInteger, isInteger ? value.Integer : 0, isString, isString ? value.String.AsMemory() : default))
            {
                failure = VerificationFailures.BadParameterType;
                return candidate;
            }
        }

        var components = new SfCoveredComponents(innerList);
        candidate.Parameters.ReadCoverage(ref components, additional);
        return candidate;
    }

    /// <summary>Builds the signature base (RFC 9421 §2.5) into a pooled buffer.</summary>
    /// <param name="request">The request.</param>
    /// <returns>A writer holding the base; the caller disposes it.</returns>
    /// <exception cref="SignatureBaseException">The base cannot be built.</exception>
    public readonly SignatureBaseWriter BuildBase(IHttpRequestView request)
    {
        if (_innerList is null)
        {
            return SignatureBase.BuildPooled(request, ref _fast);
        }

        var components = new SfCoveredComponents(_innerList);
        return SignatureBase.BuildPooled(request, ref components);
    }
}

/// <summary>
/// A signature's parameters (RFC 9421 §2.3) and which components of the profile it covers, as both readers fill them.
/// Strings are slices of the request's field values: copying this struct allocates nothing.
/// </summary>
internal struct SignatureParameters
{
    public ReadOnlyMemory<char> Label;
    public bool HasCreated;
    public bool HasExpires;
    public bool HasKeyId;
    public bool HasNonce;
    public bool HasAlg;
    public bool HasTag;
    public long Created;
    public long Expires;
    public ReadOnlyMemory<char> KeyId;
    public ReadOnlyMemory<char> Nonce;
    public ReadOnlyMemory<char> Alg;
    public ReadOnlyMemory<char> Tag;
    public bool Method;
    public bool Authority;
    public bool Path;
    public bool Query;
    public bool TargetUri;
    public bool ContentDigest;
    public bool Scheme;
    public bool CoversAdditional;

    /// <summary>Takes one parameter (later duplicates already resolved by the parser); false when a known one has the wrong type.</summary>
    public bool Accept(ReadOnlySpan<char> key, bool isInteger, long integer, bool isString, ReadOnlyMemory<char> text)
    {
        switch (key)
        {
            case "created":
                HasCreated = isInteger;
                Created = integer;
                return isInteger;
            case "expires":
                HasExpires = isInteger;
                Expires = integer;
                return isInteger;
            case "keyid":
                HasKeyId = isString;
                KeyId = text;
                return isString;
            case "nonce":
                HasNonce = isString;
                Nonce = text;
                return isString;
            case "alg":
                HasAlg = isString;
                Alg = text;
                return isString;
            case "tag":
                HasTag = isString;
                Tag = text;
                return isString;
            default:
                return true;
        }
    }

    /// <summary>
    /// Records which of the profile's components are covered, and whether every component in <paramref name="additional"/>
    /// is. Only bare names count: an identifier with parameters (<c>"content-digest";sf</c>) is another component.
    /// </summary>
    public void ReadCoverage<TComponents>(ref TComponents components, IList<string> additional)
        where TComponents : struct, ICoveredComponents
    {
        int count = components.ComponentCount;
        for (int i = 0; i < count; i++)
        {
            if (components.TryGetComponent(i, out ReadOnlySpan<char> name, out SfParameters parameters) && parameters.Count == 0)
            {
                Cover(name);
            }
        }

        CoversAdditional = true;
        for (int r = 0; CoversAdditional && r < additional.Count; r++)
        {
            bool found = false;
            for (int i = 0; !found && i < count; i++)
            {
                found = components.TryGetComponent(i, out ReadOnlySpan<char> name, out SfParameters parameters)
                    && parameters.Count == 0
                    && name.SequenceEqual(additional[r]);
            }

            CoversAdditional = found;
        }
    }

    private void Cover(ReadOnlySpan<char> name)
    {
        switch (name)
        {
            case "@method": Method = true; break;
            case "@authority": Authority = true; break;
            case "@path": Path = true; break;
            case "@query": Query = true; break;
            case "@target-uri": TargetUri = true; break;
            case "content-digest": ContentDigest = true; break;
            case "@scheme": Scheme = true; break;
        }
    }
}
