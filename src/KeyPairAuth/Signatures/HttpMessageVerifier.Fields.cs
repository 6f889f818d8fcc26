using System.Diagnostics.CodeAnalysis;
using KeyPairAuth.StructuredFields;
using KeyPairAuth.StructuredFields.Internal;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.Signatures;

/// <content>
/// The general reader: <c>Signature-Input</c> and <c>Signature</c> of any shape, parsed as structured-field dictionaries
/// (RFC 9651) within <see cref="SignatureVerificationOptions.FieldLimits"/>, their labels paired (RFC 9421 §4).
/// </content>
public sealed partial class HttpMessageVerifier
{
    private CappedLimits? _cappedLimits;

    private bool TryParseFields(
        StringValues inputValues,
        StringValues signatureValues,
        SignatureVerificationOptions options,
        [NotNullWhen(true)] out SfDictionary? inputs,
        [NotNullWhen(true)] out SfDictionary? signatures,
        [NotNullWhen(false)] out SignatureVerificationResult? failure)
    {
        inputs = signatures = null;
        if (inputValues.Count == 0 && signatureValues.Count == 0)
        {
            failure = VerificationFailures.Missing;
            return false;
        }

        if (inputValues.Count == 0 || signatureValues.Count == 0)
        {
            failure = VerificationFailures.OneFieldMissing;
            return false;
        }

        // More than MaxSignatures members is refused anyway, so the parse stops after MaxSignatures + 1 of them: a
        // hostile 8 KB field of many members costs a few members' work, not the whole field's.
        StructuredFieldLimits limits = ParseLimits(options, out bool capped);
        inputs = TryParseDictionary(inputValues, limits, capped, out bool tooManyInputs);
        bool tooManySignatures = false;
        if (inputs is not null || tooManyInputs)
        {
            signatures = TryParseDictionary(signatureValues, limits, capped, out tooManySignatures);
        }

        if ((inputs is null && !tooManyInputs) || (signatures is null && !tooManySignatures))
        {
            failure = VerificationFailures.Unparsable;
            return false;
        }

        if (inputs is null || signatures is null || inputs.Members.Count > options.MaxSignatures || signatures.Members.Count > options.MaxSignatures)
        {
            failure = VerificationFailures.TooMany;
            return false;
        }

        // RFC 9421 §4: both fields carry the same labels; a label in one but not the other is an error.
        bool paired = inputs.Members.Count == signatures.Members.Count;
        for (int i = 0; paired && i < inputs.Members.Count; i++)
        {
            paired = FindMember(signatures, inputs.Members[i].Key) is not null;
        }

        if (!paired || inputs.Members.Count == 0)
        {
            failure = paired ? VerificationFailures.Missing : VerificationFailures.Unpaired;
            return false;
        }

        failure = null;
        return true;
    }

    /// <summary>The field limits with <see cref="StructuredFieldLimits.MaxMembers"/> lowered to <c>MaxSignatures + 1</c> (cached).</summary>
    private StructuredFieldLimits ParseLimits(SignatureVerificationOptions options, out bool capped)
    {
        StructuredFieldLimits limits = options.FieldLimits;
        if ((long)options.MaxSignatures + 1 >= limits.MaxMembers)
        {
            capped = false;
            return limits;
        }

        capped = true;
        CappedLimits? cached = _cappedLimits;
        if (cached is null || !ReferenceEquals(cached.Source, limits) || cached.MaxSignatures != options.MaxSignatures)
        {
            cached = new CappedLimits(limits, options.MaxSignatures);
            _cappedLimits = cached;
        }

        return cached.Limits;
    }

    private static SfDictionary? TryParseDictionary(StringValues values, StructuredFieldLimits limits, bool capped, out bool tooManyMembers)
    {
        tooManyMembers = false;
        string value;
        if (values.Count == 1)
        {
            value = values[0] ?? string.Empty;
        }
        else
        {
            long total = 0;
            for (int i = 0; i < values.Count; i++)
            {
                total += (values[i]?.Length ?? 0) + 2;
            }

            if (total > limits.MaxFieldLength + 2)
            {
                return null;
            }

            value = string.Join(", ", values.ToArray());
        }

        if (value.Length > limits.MaxFieldLength)
        {
            return null;
        }

        var reader = new SfReader(value, limits);
        if (reader.TryParseDictionary(out SfDictionary? dictionary))
        {
            return dictionary;
        }

        // Only the lowered limit means "too many signatures"; the configured MaxMembers still fails the field.
        tooManyMembers = capped && reader.MemberLimitExceeded;
        return null;
    }

    private static SfMember? FindMember(SfDictionary dictionary, string key)
    {
        IReadOnlyList<KeyValuePair<string, SfMember>> members = dictionary.Members;
        for (int i = 0; i < members.Count; i++)
        {
            if (string.Equals(members[i].Key, key, StringComparison.Ordinal))
            {
                return members[i].Value;
            }
        }

        return null;
    }

    /// <summary>The configured field limits with the member limit lowered to one more than the signatures examined.</summary>
    private sealed class CappedLimits(StructuredFieldLimits source, int maxSignatures)
    {
        public StructuredFieldLimits Source { get; } = source;

        public int MaxSignatures { get; } = maxSignatures;

        public StructuredFieldLimits Limits { get; } = new()
        {
            MaxFieldLength = source.MaxFieldLength,
            MaxMembers = maxSignatures + 1,
            MaxInnerListItems = source.MaxInnerListItems,
            MaxParameters = source.MaxParameters,
        };
    }
}
