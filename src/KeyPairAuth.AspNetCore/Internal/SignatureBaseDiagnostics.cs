using System.Text;
using KeyPairAuth.Signatures;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>
/// Rebuilds, for a Debug log only, the signature base the server computed for a refused request, so an operator can
/// compare it line by line with the base the client signed (<c>keypairauth sign --show-base</c>).
/// </summary>
/// <remarks>
/// Never logged: the <c>Signature</c> field value, the body, and the values of credential-bearing fields a client may
/// have covered (<c>signature</c>, <c>authorization</c>, <c>proxy-authorization</c>, <c>cookie</c>) — their lines show
/// <c>[redacted]</c>. The <c>@signature-params</c> line holds only the covered components and parameters.
/// </remarks>
internal static class SignatureBaseDiagnostics
{
    // Bounds the work done for a Debug log on an attacker-controlled field.
    private const int MaxLabels = 4;
    private const string Redacted = "[redacted]";

    private static readonly string[] RedactedFields = ["signature", "authorization", "proxy-authorization", "cookie", "set-cookie"];

    /// <summary>Logs what the server rebuilt for each signature of the request, when Debug is enabled (no work otherwise).</summary>
    public static void LogRebuiltBases(ILogger logger, IHttpRequestView request, string failureCode)
    {
        if (!logger.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        StringValues inputs = request.GetFieldValues(SignatureFields.SignatureInputFieldName);
        if (inputs.Count == 0 || !SignatureInput.TryParse(string.Join(", ", inputs.ToArray()), out IReadOnlyList<SignatureInput>? members))
        {
            Log.SignatureBaseRebuilt(logger, failureCode, "(none)", "(none)", request.Authority, request.RequestTarget, "Signature-Input is absent or is not a structured-field dictionary; no base was built.");
            return;
        }

        int count = 0;
        foreach (SignatureInput member in members)
        {
            if (count++ == MaxLabels)
            {
                break;
            }

            string described;
            try
            {
                described = Redact(SignatureBase.Build(request, member));
            }
            catch (SignatureBaseException ex)
            {
                described = "The base cannot be built: " + ex.Message;
            }

            Log.SignatureBaseRebuilt(logger, failureCode, member.Label, member.KeyId ?? "(none)", request.Authority, request.RequestTarget, described);
        }
    }

    /// <summary>Replaces the value of every line whose component is a credential-bearing field.</summary>
    internal static string Redact(string signatureBase)
    {
        string[] lines = signatureBase.Split('\n');
        var builder = new StringBuilder(signatureBase.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (i > 0)
            {
                builder.Append('\n');
            }

            int close = line.Length > 1 && line[0] == '"' ? line.IndexOf('"', 1) : -1;
            int colon = close > 0 ? line.IndexOf(": ", close, StringComparison.Ordinal) : -1;
            if (colon > 0 && Array.IndexOf(RedactedFields, line[1..close]) >= 0)
            {
                builder.Append(line, 0, colon + 2).Append(Redacted);
            }
            else
            {
                builder.Append(line);
            }
        }

        return builder.ToString();
    }
}
