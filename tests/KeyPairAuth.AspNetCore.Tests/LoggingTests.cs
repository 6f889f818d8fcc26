using System.Net;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;

namespace KeyPairAuth.AspNetCore.Tests;

/// <summary>Logs captured across the whole suite (every test app logs to the same sink at Trace) never hold a secret.</summary>
public sealed class LoggingTests(DefaultAppFixture fixture) : IClassFixture<DefaultAppFixture>
{
    private TestApp App => fixture.App;

    [Fact]
    public async Task Logs_AfterSuccessAndEveryKindOfFailure_ContainNoSeedOrSignature()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest ok = TestApp.Sign(App.PostJson("/orders", "{\"a\":1}"), key);
        OutgoingRequest replay = ok;
        OutgoingRequest impostor = TestApp.Sign(App.Get("/orders"), TestKey.Create(key.KeyId));
        OutgoingRequest tampered = TestApp.Sign(App.PostJson("/orders", "{\"a\":1}"), key);
        tampered.Body = "{\"a\":2}"u8.ToArray();
        foreach (OutgoingRequest request in new[] { ok, replay, impostor, tampered })
        {
            using HttpResponseMessage response = await App.SendAsync(request);
            Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        }

        string[] messages = [.. CapturingLoggerProvider.Messages];
        Assert.Contains(messages, m => m.Contains("[101:AuthenticationRefused]", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("[100:SignatureVerified]", StringComparison.Ordinal));
        string[] secrets = [.. Secrets.All];
        Assert.NotEmpty(secrets);
        foreach (string message in messages)
        {
            foreach (string secret in secrets)
            {
                Assert.False(message.Contains(secret, StringComparison.Ordinal), $"A log message contains a secret or signature value: {message[..Math.Min(80, message.Length)]}");
            }
        }
    }
}
