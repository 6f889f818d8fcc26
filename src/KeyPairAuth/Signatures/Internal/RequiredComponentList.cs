using System.Collections.ObjectModel;

namespace KeyPairAuth.Signatures.Internal;

/// <summary>
/// The list behind <see cref="SignatureVerificationOptions.AdditionalRequiredComponents"/>: every name is stored lower
/// case, the form a component identifier takes on the wire (RFC 9421 §2.1: field names are lower-cased; HTTP field
/// names are case-insensitive, RFC 9110 §5.1), so <c>X-Tenant</c> requires the same field a client covers as
/// <c>"x-tenant"</c>. Whether a name is a valid identifier at all is the validator's business
/// (<see cref="SignatureVerificationOptionsValidator"/>), so configuration binding never throws here.
/// </summary>
internal sealed class RequiredComponentList : Collection<string>
{
    protected override void InsertItem(int index, string item)
    {
        ArgumentNullException.ThrowIfNull(item);
        base.InsertItem(index, Normalise(item));
    }

    protected override void SetItem(int index, string item)
    {
        ArgumentNullException.ThrowIfNull(item);
        base.SetItem(index, Normalise(item));
    }

    // Only ASCII letters change: any other character fails the token rule anyway, and must be reported as written.
    private static string Normalise(string name)
    {
        foreach (char c in name)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                return string.Create(name.Length, name, static (span, source) =>
                {
                    for (int i = 0; i < source.Length; i++)
                    {
                        char c = source[i];
                        span[i] = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
                    }
                });
            }
        }

        return name;
    }
}
