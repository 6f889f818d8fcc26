using System.Security.Cryptography;
using KeyPairAuth.AspNetCore;
using KeyPairAuth.Keys;
using KeyPairAuth.SampleServer.Activity;
using KeyPairAuth.SampleServer.Tests.Infrastructure;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace KeyPairAuth.SampleServer.Tests.Dashboard;

/// <summary>The KeyPair scheme's events feeding the activity panel, on the running sample server's own services.</summary>
public sealed class ActivityEventsTests
{
    [Fact]
    public async Task AuthenticationFailed_ClaimsOfKeyIdsThatDoNotExist_CannotCrowdOutARealKeysAttempts()
    {
        // Anyone can claim any well-formed key id. Were every claimed id tracked, a flood of made-up ids would fill the
        // bounded table, and for the next hour attempts on a real key would go uncounted: the panel blinded first.
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        (string realKeyId, _) = await server.IssueAsync("alice");
        KeyPairAuthenticationEvents events = ActivityEvents.Create();
        KeyActivity activity = server.Services.GetRequiredService<KeyActivity>();

        // The key has signed requests on this instance before: the scheme looked it up, so the key cache knows it.
        Assert.NotNull(await server.Services.GetRequiredService<PublicKeyCache>().FindAsync(realKeyId));

        for (int i = 0; i < KeyActivity.MaxTrackedKeys; i++)
        {
            await FailAsync(events, server.Services, KeyId.New());
        }

        await FailAsync(events, server.Services, realKeyId);

        Assert.Equal(new Dictionary<string, int> { ["invalid_signature"] = 1 }, activity.LastHour(realKeyId));
        Assert.Equal(0, activity.Untracked);
    }

    private static async Task FailAsync(KeyPairAuthenticationEvents events, IServiceProvider services, string claimedKeyId)
    {
        var http = new DefaultHttpContext { RequestServices = services };
        http.Request.Headers["Signature-Input"] = $"sig1=(\"@method\");created=1;keyid=\"{claimedKeyId}\";nonce=\"{Convert.ToHexString(RandomNumberGenerator.GetBytes(8))}\"";
        var scheme = new AuthenticationScheme(KeyPairAuthenticationDefaults.AuthenticationScheme, null, typeof(CookieAuthenticationHandler));
        await events.AuthenticationFailed(new KeyPairAuthenticationFailedContext(http, scheme, new KeyPairAuthenticationOptions())
        {
            FailureReason = KeyPairFailureReason.InvalidSignature,
        });
    }
}
