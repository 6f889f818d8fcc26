using System.Security.Claims;
using KeyPairAuth.AspNetCore;
using KeyPairAuth.Signatures;

namespace KeyPairAuth.SampleServer.Activity;

/// <summary>Feeds <see cref="KeyActivity"/> from the KeyPair scheme's events.</summary>
public static class ActivityEvents
{
    public static KeyPairAuthenticationEvents Create() => new()
    {
        OnSignatureValidated = context =>
        {
            Activity(context.HttpContext).Record(context.Key.KeyId, KeyActivity.Accepted);
            return Task.CompletedTask;
        },
        OnAuthenticationFailed = context =>
        {
            if (context.FailureReason is { } reason)
            {
                Activity(context.HttpContext).Record(ClaimedKeyId(context.Request), reason.ToErrorCode());
            }

            return Task.CompletedTask;
        },
        OnForbidden = context =>
        {
            Activity(context.HttpContext).Record(context.HttpContext.User.FindFirstValue(KeyPairClaimTypes.KeyId),
                KeyPairFailureReason.ScopeMissing.ToErrorCode());
            return Task.CompletedTask;
        },
    };

    /// <summary>The <c>keyid</c> the first signature claims; unverified, so only ever used for counting.</summary>
    public static string? ClaimedKeyId(HttpRequest request)
    {
        string? field = request.Headers["Signature-Input"];
        if (field is null || field.Length > 8192 || !SignatureInput.TryParse(field, out IReadOnlyList<SignatureInput>? inputs))
        {
            return null;
        }

        foreach (SignatureInput input in inputs)
        {
            if (input.KeyId is { } keyId)
            {
                return keyId;
            }
        }

        return null;
    }

    private static KeyActivity Activity(HttpContext context) => context.RequestServices.GetRequiredService<KeyActivity>();
}
