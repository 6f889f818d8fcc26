using System.Security.Claims;
using KeyPairAuth.AspNetCore;
using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;

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
        OnAuthenticationFailed = async context =>
        {
            if (context.FailureReason is { } reason && ClaimedKeyId(context.Request) is { } keyId &&
                await ExistsAsync(context.HttpContext, keyId))
            {
                Activity(context.HttpContext).Record(keyId, reason.ToErrorCode());
            }
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

    /// <summary>
    /// Whether a claimed key id names a stored key. Anyone can claim any id: counting made-up ones would let a flood of
    /// them fill the bounded activity table and hide the attempts on real keys. The key cache answers (the scheme has
    /// just looked the id up for most refusals), and it bounds store lookups for unknown ids.
    /// </summary>
    private static async Task<bool> ExistsAsync(HttpContext context, string keyId)
    {
        if (!KeyId.IsValid(keyId))
        {
            return false;
        }

        try
        {
            return await context.RequestServices.GetRequiredService<PublicKeyCache>().FindAsync(keyId, context.RequestAborted) is not null;
        }
#pragma warning disable CA1031 // Counting is best effort: a store failure here must not turn a 401 into a 500.
        catch (Exception exception) when (exception is not OperationCanceledException)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    private static KeyActivity Activity(HttpContext context) => context.RequestServices.GetRequiredService<KeyActivity>();
}
