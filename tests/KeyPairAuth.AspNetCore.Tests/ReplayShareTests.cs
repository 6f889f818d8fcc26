using System.Net;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KeyPairAuth.AspNetCore.Tests;

/// <summary>
/// One key cannot fill the in-memory replay cache for everyone: past its share it alone is told to slow down (429
/// <c>rate_limited</c> with <c>Retry-After</c>), while other keys keep working. Real Kestrel.
/// </summary>
public sealed class ReplayShareTests
{
    [Fact]
    public async Task KeyOverItsReplayCacheShare_Gets429WithRetryAfter_OtherKeysKeepWorking()
    {
        await using TestApp app = await TestApp.StartAsync(
            o => o.ReplayCacheFullRetryAfter = TimeSpan.FromSeconds(2),
            services: s => s.AddKeyPairAuth().UseInMemoryStores(o =>
            {
                o.MaxEntries = 100;
                o.MaxEntriesPerKey = 3;
            }));
        TestKey noisy = await app.AddKeyAsync("noisy");
        TestKey other = await app.AddKeyAsync("other");

        for (int i = 0; i < 3; i++)
        {
            using HttpResponseMessage accepted = await app.SendAsync(TestApp.Sign(app.Get($"/orders?i={i}"), noisy));
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        using HttpResponseMessage limited = await app.SendAsync(TestApp.Sign(app.Get("/orders?i=3"), noisy));
        await Problem.AssertAsync(limited, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Equal(TimeSpan.FromSeconds(2), limited.Headers.RetryAfter?.Delta);
        Assert.False(limited.Headers.Contains("Accept-Signature"), "a correctly signed request is not told how to sign");

        for (int i = 0; i < 3; i++)
        {
            using HttpResponseMessage fine = await app.SendAsync(TestApp.Sign(app.Get($"/orders?i={i}"), other));
            Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
        }
    }
}
