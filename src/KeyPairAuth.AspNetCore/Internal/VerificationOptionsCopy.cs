using KeyPairAuth.Signatures;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>
/// Copies a <see cref="SignatureVerificationOptions"/>, so an endpoint's policy can add required components without
/// touching the scheme's. A test sets every settable property and checks the copy, so a new option cannot be missed.
/// </summary>
internal static class VerificationOptionsCopy
{
    public static SignatureVerificationOptions Create(SignatureVerificationOptions source)
    {
        var copy = new SignatureVerificationOptions
        {
            MaxSignatureAge = source.MaxSignatureAge,
            MaxFutureSkew = source.MaxFutureSkew,
            RequireNonce = source.RequireNonce,
            MaxNonceLength = source.MaxNonceLength,
            RequireContentDigestForContent = source.RequireContentDigestForContent,
            MaxSignatures = source.MaxSignatures,
            RequiredLabel = source.RequiredLabel,
            RequiredTag = source.RequiredTag,
            AllowTargetUri = source.AllowTargetUri,
            RequireScheme = source.RequireScheme,
            RequireAlgorithmParameter = source.RequireAlgorithmParameter,
            FieldLimits = source.FieldLimits,
        };

        foreach (string component in source.AdditionalRequiredComponents)
        {
            copy.AdditionalRequiredComponents.Add(component);
        }

        return copy;
    }
}
