using System.Net;
using System.Security.Claims;
using System.Text.Json;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using KeyPairAuth.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace KeyPairAuth.AspNetCore.Tests.Events;

/// <summary>
/// What each event result does: a refusal by the application is answered, logged and counted as
/// <c>rejected_by_application</c> (never <c>missing_signature</c> or <c>invalid_signature</c>); an event's success is
/// a success like any other.
/// </summary>
public sealed class ApplicationRefusalTests
{
    private const int RejectedByApplicationEvent = 110;
    private const int AuthenticationRefusedEvent = 101;
    private const int SignatureVerifiedEvent = 100;

    public enum Refusal
    {
        MessageReceivedFails,
        SignatureValidatedFails,
        SignatureValidatedClearsPrincipal,
    }

    [Theory]
    [InlineData(Refusal.MessageReceivedFails, "MessageReceived")]
    [InlineData(Refusal.SignatureValidatedFails, "SignatureValidated")]
    [InlineData(Refusal.SignatureValidatedClearsPrincipal, "SignatureValidated")]
    public async Task Get_EventRefuses_AnswersRejectedByApplicationLoggedAndCounted(Refusal refusal, string refusingEvent)
    {
        await using TestApp app = await TestApp.StartAsync(o =>
        {
            switch (refusal)
            {
                case Refusal.MessageReceivedFails:
                    o.Events.OnMessageReceived = context =>
                    {
                        context.Fail("refused by the application");
                        return Task.CompletedTask;
                    };
                    break;
                case Refusal.SignatureValidatedFails:
                    o.Events.OnSignatureValidated = context =>
                    {
                        context.Fail("refused by the application");
                        return Task.CompletedTask;
                    };
                    break;
                case Refusal.SignatureValidatedClearsPrincipal:
                    o.Events.OnSignatureValidated = context =>
                    {
                        context.Principal = null;
                        return Task.CompletedTask;
                    };
                    break;
            }
        }, SchemeTelemetry.AddLogCollector);
        using var telemetry = SchemeTelemetry.For(app);
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/orders"), key));

        await AssertRejectedAsync(response, telemetry, refusingEvent);
    }

    [Fact]
    public async Task Get_OnSignatureValidatedNoResult_AnswersRejectedByApplicationWithoutFailedEvent()
    {
        int failedEvents = 0;
        await using TestApp app = await TestApp.StartAsync(o =>
        {
            o.Events.OnSignatureValidated = context =>
            {
                context.NoResult();
                return Task.CompletedTask;
            };
            o.Events.OnAuthenticationFailed = _ =>
            {
                failedEvents++;
                return Task.CompletedTask;
            };
        }, SchemeTelemetry.AddLogCollector);
        using var telemetry = SchemeTelemetry.For(app);
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/orders"), key));

        await AssertRejectedAsync(response, telemetry, "SignatureValidated");
        Assert.Equal(0, failedEvents);
    }

    [Fact]
    public async Task Get_OnMessageReceivedNoResult_AnswersRejectedByApplicationAndAnotherSchemeMayAuthenticate()
    {
        await using TestApp app = await TestApp.StartAsync(o => o.Events.OnMessageReceived = context =>
        {
            context.NoResult();
            return Task.CompletedTask;
        }, SchemeTelemetry.AddLogCollector);
        using var telemetry = SchemeTelemetry.For(app);
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage refused = await app.SendAsync(TestApp.Sign(app.Get("/orders"), key));
        await AssertRejectedAsync(refused, telemetry, "MessageReceived");

        using HttpResponseMessage other = await app.SendAsync(TestApp.Sign(app.Get("/either"), key).Set("X-Test-User", "carol"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.StartsWith("owner=carol|", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_OnMessageReceivedFails_OnAuthenticationFailedSeesRejectedByApplication()
    {
        var reasons = new List<KeyPairFailureReason?>();
        await using TestApp app = await TestApp.StartAsync(o =>
        {
            o.Events.OnMessageReceived = context =>
            {
                context.Fail("no");
                return Task.CompletedTask;
            };
            o.Events.OnAuthenticationFailed = context =>
            {
                reasons.Add(context.FailureReason);
                return Task.CompletedTask;
            };
        });
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/orders"), key));

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "rejected_by_application");
        Assert.Equal([KeyPairFailureReason.RejectedByApplication], reasons);
    }

    [Fact]
    public async Task Get_OnAuthenticationFailedTurnsAStoreOutageIntoAFailure_AnswersRejectedByApplication()
    {
        await using TestApp app = await TestApp.StartAsync(
            o => o.Events.OnAuthenticationFailed = context =>
            {
                Assert.IsType<InvalidOperationException>(context.Exception);
                context.Fail("the key store is down");
                return Task.CompletedTask;
            },
            s => s.AddSingleton<IPublicKeyStore>(FakePublicKeyStore.Unavailable()));

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/orders"), TestKey.Create()));

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "rejected_by_application");
        Assert.Equal("KeyPair error=\"rejected_by_application\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Get_OnMessageReceivedThrows_IsAnErrorLoggedAndCountedNotA401()
    {
        await using TestApp app = await TestApp.StartAsync(
            o => o.Events.OnMessageReceived = _ => throw new TimeoutException("the tenant service did not answer"),
            SchemeTelemetry.AddLogCollector);
        using var telemetry = SchemeTelemetry.For(app);

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/orders"), TestKey.Create()));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        FakeLogRecord logged = Assert.Single(telemetry.Events(102));
        Assert.Equal(LogLevel.Error, logged.Level);
        CollectedMeasurement<long> measurement = telemetry.SingleRequest();
        Assert.Equal("error", measurement.Tags["keypairauth.outcome"]);
        Assert.Equal("System.TimeoutException", measurement.Tags["error.type"]);
    }

    [Fact]
    public async Task Get_ApplicationFailureMessage_NeverReachesTheClient()
    {
        await using TestApp app = await TestApp.StartAsync(o =>
        {
            o.IncludeErrorDetails = true;
            o.Events.OnSignatureValidated = context =>
            {
                context.Fail("tenant 42 is over its internal quota");
                return Task.CompletedTask;
            };
        });
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/orders"), key));

        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("tenant 42", body, StringComparison.Ordinal);
        using JsonDocument json = JsonDocument.Parse(body);
        Assert.Equal("rejected_by_application", json.RootElement.GetProperty("error").GetString());
        Assert.Equal("The application refused the request.", json.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Get_OnSignatureValidatedFailsWithKeyPairException_AnswersItsReasonAndDetail()
    {
        await using TestApp app = await TestApp.StartAsync(o =>
        {
            o.IncludeErrorDetails = true;
            o.Events.OnSignatureValidated = context =>
            {
                context.Fail(new KeyPairAuthenticationException(KeyPairFailureReason.KeyRevoked, "The key was revoked by the tenant."));
                return Task.CompletedTask;
            };
        }, SchemeTelemetry.AddLogCollector);
        using var telemetry = SchemeTelemetry.For(app);
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/orders"), key));

        string body = await response.Content.ReadAsStringAsync();
        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "key_revoked");
        Assert.Contains("The key was revoked by the tenant.", body, StringComparison.Ordinal);
        Assert.Equal("KeyPair error=\"key_revoked\"", response.Headers.WwwAuthenticate.ToString());
        CollectedMeasurement<long> measurement = telemetry.SingleRequest();
        Assert.Equal("key_revoked", measurement.Tags["error.type"]);
        FakeLogRecord logged = Assert.Single(telemetry.Events(RejectedByApplicationEvent));
        Assert.Contains("key_revoked", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_OnMessageReceivedSucceeds_AuthenticatesTheEventsPrincipalWithoutVerifying()
    {
        await using TestApp app = await TestApp.StartAsync(o => o.Events.OnMessageReceived = context =>
        {
            context.Principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "from-event")], "event"));
            context.Success();
            return Task.CompletedTask;
        }, SchemeTelemetry.AddLogCollector);
        using var telemetry = SchemeTelemetry.For(app);

        // Signed with a key the store does not hold: verification would refuse it.
        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/orders"), TestKey.Create()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("owner=from-event|", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        CollectedMeasurement<long> measurement = telemetry.SingleRequest();
        Assert.Equal("success", measurement.Tags["keypairauth.outcome"]);
        Assert.Empty(telemetry.Events(SignatureVerifiedEvent));
    }

    [Fact]
    public async Task Get_OnSignatureValidatedSucceeds_IsLoggedAndCountedLikeAnyVerifiedRequest()
    {
        await using TestApp app = await TestApp.StartAsync(o => o.Events.OnSignatureValidated = context =>
        {
            ((ClaimsIdentity)context.Principal!.Identity!).AddClaim(new Claim(ClaimTypes.Name, "from-event"));
            context.Success();
            return Task.CompletedTask;
        }, SchemeTelemetry.AddLogCollector);
        using var telemetry = SchemeTelemetry.For(app);
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/orders"), key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("owner=alice|", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        CollectedMeasurement<long> measurement = telemetry.SingleRequest();
        Assert.Equal("success", measurement.Tags["keypairauth.outcome"]);
        Assert.False(measurement.Tags.ContainsKey("error.type"));
        Assert.Single(telemetry.Events(SignatureVerifiedEvent));
    }

    private static async Task AssertRejectedAsync(HttpResponseMessage response, SchemeTelemetry telemetry, string eventName)
    {
        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "rejected_by_application");
        Assert.Equal("KeyPair error=\"rejected_by_application\"", response.Headers.WwwAuthenticate.ToString());

        FakeLogRecord logged = Assert.Single(telemetry.Events(RejectedByApplicationEvent));
        Assert.Equal(LogLevel.Information, logged.Level);
        Assert.Equal("AuthenticationRejectedByApplication", logged.Id.Name);
        Assert.Contains(eventName, logged.Message, StringComparison.Ordinal);
        Assert.Contains("rejected_by_application", logged.Message, StringComparison.Ordinal);
        Assert.Empty(telemetry.Events(AuthenticationRefusedEvent));

        CollectedMeasurement<long> measurement = telemetry.SingleRequest();
        Assert.Equal(1, measurement.Value);
        Assert.Equal("failure", measurement.Tags["keypairauth.outcome"]);
        Assert.Equal("rejected_by_application", measurement.Tags["error.type"]);
        Assert.Equal("KeyPair", measurement.Tags["keypairauth.scheme"]);
        CollectedMeasurement<double> duration = Assert.Single(telemetry.Duration.GetMeasurementSnapshot());
        Assert.Equal("rejected_by_application", duration.Tags["error.type"]);
    }
}
