using System.Net;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Replay;
using KeyPairAuth.Stores;
using KeyPairAuth.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KeyPairAuth.AspNetCore.Tests;

/// <summary>Load, hostile input and infrastructure failures.</summary>
public sealed class ResilienceTests(DefaultAppFixture fixture) : IClassFixture<DefaultAppFixture>
{
    private TestApp App => fixture.App;

    [Fact]
    public async Task TwoHundredConcurrentSignedRequests_AllSucceed()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest[] requests = Enumerable.Range(0, 200)
            .Select(i => i % 2 == 0
                ? TestApp.Sign(App.Get($"/orders?i={i}"), key)
                : TestApp.Sign(App.PostJson($"/orders?i={i}", $"{{\"i\":{i}}}"), key))
            .ToArray();

        HttpResponseMessage[] responses = await Task.WhenAll(requests.Select(App.SendAsync));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (HttpResponseMessage response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task BurstOfRandomlyMalformedHeaders_NeverYields5xx()
    {
        TestKey key = await App.AddKeyAsync();
        var random = new Random(4242);
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789=;:,()\"\\*-_.@ ?/+%";
        string Mutate(string value)
        {
            char[] chars = value.ToCharArray();
            int edits = random.Next(1, 6);
            for (int e = 0; e < edits && chars.Length > 0; e++)
            {
                chars[random.Next(chars.Length)] = Alphabet[random.Next(Alphabet.Length)];
            }

            string mutated = new(chars);
            return random.Next(4) switch
            {
                0 => mutated[..random.Next(mutated.Length + 1)],
                1 => mutated + mutated,
                _ => mutated,
            };
        }

        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 300; i++)
        {
            OutgoingRequest request = i % 3 == 0
                ? TestApp.Sign(App.PostJson("/orders", "{\"n\":" + i + "}"), key)
                : TestApp.Sign(App.Get($"/orders?n={i}"), key);
            string field = (i % 3) switch
            {
                0 => "Content-Digest",
                1 => "Signature-Input",
                _ => "Signature",
            };
            request.Set(field, Mutate(request.GetFieldValues(field).ToString()));

            using HttpResponseMessage response = await App.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        Assert.All(statuses, s => Assert.True((int)s < 500, $"status {(int)s}"));
        Assert.Contains(statuses, s => s is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task KeyStoreOutage_IsA500NotA401_AndLoggedAtError()
    {
        await using TestApp app = await TestApp.StartAsync(services: s => s.AddSingleton<IPublicKeyStore>(FakePublicKeyStore.Unavailable()));
        OutgoingRequest request = TestApp.Sign(app.Get("/orders"), TestKey.Create());

        using HttpResponseMessage response = await app.SendAsync(request);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains(CapturingLoggerProvider.Messages, m => m.StartsWith("Error", StringComparison.Ordinal) && m.Contains("[102:VerificationError]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReplayCacheFull_Returns503WithRetryAfter()
    {
        await using TestApp app = await TestApp.StartAsync(services: s => s.AddSingleton<IReplayCache, FullReplayCache>());
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/orders"), key));

        await Problem.AssertAsync(response, HttpStatusCode.ServiceUnavailable, "replay_cache_full");
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task AllowAnonymousEndpoint_SignedRequest_DoesNotTouchTheStore()
    {
        var store = new FakePublicKeyStore();
        await using TestApp app = await TestApp.StartAsync(services: s => s.AddSingleton<IPublicKeyStore>(store));
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/anon"), key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, store.FindCalls);
    }

    [Fact]
    public async Task IncludeErrorDetails_On_ProblemCarriesDetail()
    {
        await using TestApp app = await TestApp.StartAsync(o => o.IncludeErrorDetails = true);

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/orders"), TestKey.Create()));

        Assert.Contains("\"detail\":\"The signature does not verify.\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LastUsed_ManyRequests_OneStoreWritePerKey()
    {
        var store = new FakePublicKeyStore();
        await using TestApp app = await TestApp.StartAsync(services: s => s.AddSingleton<IPublicKeyStore>(store));
        TestKey key = await app.AddKeyAsync();

        for (int i = 0; i < 10; i++)
        {
            using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/orders"), key));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await store.FirstLastUsedCall.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, store.LastUsedCalls);
    }

    [Fact]
    public async Task InvalidOptions_FailAtStartupNamingTheSetting()
    {
        OptionsValidationExceptionOrAggregate exception = await OptionsValidationExceptionOrAggregate.CatchAsync(
            () => TestApp.StartAsync(o => o.MaxBodySize = 0));

        Assert.Contains("KeyPairAuthenticationOptions.MaxBodySize", exception.Message, StringComparison.Ordinal);
    }

    internal sealed class OptionsValidationExceptionOrAggregate
    {
        public string Message { get; private init; } = string.Empty;

        public static async Task<OptionsValidationExceptionOrAggregate> CatchAsync(Func<Task<TestApp>> start)
        {
            try
            {
                await using TestApp app = await start();
            }
            catch (Exception ex)
            {
                return new OptionsValidationExceptionOrAggregate { Message = ex.ToString() };
            }

            throw new Xunit.Sdk.XunitException("The app started with invalid options.");
        }
    }
}
