using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Stores;
using KeyPairAuth.Testing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace KeyPairAuth.AspNetCore.Tests.Diagnostics;

/// <summary>
/// Metric and trace names: <c>keypairauth.*</c> instruments and a <c>keypairauth.verification</c> span on the
/// <c>KeyPairAuth</c> meter and activity source, tagged with the same bounded set (outcome, <c>error.type</c>, scheme).
/// Metrics are collected from each app's own <c>IMeterFactory</c>; spans are matched to the test's own trace id.
/// </summary>
public sealed class SchemeTelemetryTests
{
    private static readonly string[] AllowedTags = ["keypairauth.outcome", "keypairauth.scheme", "error.type"];

    [Fact]
    public async Task Metrics_SuccessAndInvalidSignature_TaggedWithOutcomeErrorTypeAndSchemeOnly()
    {
        await using TestApp app = await TestApp.StartAsync(services: SchemeTelemetry.AddLogCollector);
        using var telemetry = SchemeTelemetry.For(app);
        TestKey key = await app.AddKeyAsync();

        using (HttpResponseMessage ok = await app.SendAsync(TestApp.Sign(app.Get("/orders"), key)))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (HttpResponseMessage bad = await app.SendAsync(TestApp.Sign(app.Get("/orders"), TestKey.Create(key.KeyId))))
        {
            await Problem.AssertAsync(bad, HttpStatusCode.Unauthorized, "invalid_signature");
        }

        IReadOnlyList<CollectedMeasurement<long>> requests = telemetry.Requests.GetMeasurementSnapshot();
        Assert.Equal(2, requests.Count);
        Assert.Equal(new Dictionary<string, object?> { ["keypairauth.outcome"] = "success", ["keypairauth.scheme"] = "KeyPair" }, requests[0].Tags);
        Assert.Equal(
            new Dictionary<string, object?> { ["keypairauth.outcome"] = "failure", ["keypairauth.scheme"] = "KeyPair", ["error.type"] = "invalid_signature" },
            requests[1].Tags);
        Assert.All(requests, m => Assert.Equal(1, m.Value));
        Assert.Equal("{request}", telemetry.Requests.Instrument!.Unit);

        IReadOnlyList<CollectedMeasurement<double>> durations = telemetry.Duration.GetMeasurementSnapshot();
        Assert.Equal(2, durations.Count);
        Assert.Equal(requests[0].Tags, durations[0].Tags);
        Assert.Equal(requests[1].Tags, durations[1].Tags);
        Assert.All(durations, m => Assert.True(m.Value >= 0));
        Assert.Equal("s", telemetry.Duration.Instrument!.Unit);
        Assert.All(requests, m => Assert.All(m.Tags, t => Assert.Contains(t.Key, AllowedTags)));
        Assert.DoesNotContain(requests, m => m.Tags.Values.Any(v => Equals(v, key.KeyId) || Equals(v, "alice")));
    }

    [Fact]
    public async Task Metrics_TwoKeyPairSchemes_EachMeasurementTaggedWithItsSchemeName()
    {
        await using TestApp app = await TestApp.StartAsync(
            services: s => s.AddAuthentication().AddKeyPair("Partner", _ => { }),
            pipeline: a =>
            {
                a.UseAuthentication();
                a.UseAuthorization();
                a.MapGet("/partner", () => "ok").RequireAuthorization(new AuthorizationPolicyBuilder("Partner").RequireAuthenticatedUser().Build());
            });
        using var telemetry = SchemeTelemetry.For(app);
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/partner"), key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        IReadOnlyList<CollectedMeasurement<long>> requests = telemetry.Requests.GetMeasurementSnapshot();
        Assert.Equal(["KeyPair", "Partner"], requests.Select(m => (string)m.Tags["keypairauth.scheme"]!).Order(StringComparer.Ordinal));
        Assert.All(requests, m => Assert.Equal("success", m.Tags["keypairauth.outcome"]));
    }

    [Fact]
    public async Task Metrics_KeyStoreThrows_RecordsErrorTaggedWithTheExceptionType()
    {
        await using TestApp app = await TestApp.StartAsync(services: s => s.AddSingleton<IPublicKeyStore>(FakePublicKeyStore.Unavailable()));
        using var telemetry = SchemeTelemetry.For(app);

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.Get("/orders"), TestKey.Create()));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        CollectedMeasurement<long> measurement = telemetry.SingleRequest();
        Assert.Equal("error", measurement.Tags["keypairauth.outcome"]);
        Assert.Equal(typeof(InvalidOperationException).FullName, measurement.Tags["error.type"]);
        Assert.Equal("KeyPair", measurement.Tags["keypairauth.scheme"]);
    }

    [Fact]
    public async Task Metrics_RequestWithoutSignature_RecordsNothing()
    {
        await using TestApp app = await TestApp.StartAsync();
        using var telemetry = SchemeTelemetry.For(app);

        using HttpResponseMessage response = await app.SendAsync(app.Get("/orders"));

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "missing_signature");
        Assert.Empty(telemetry.Requests.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task Trace_InvalidSignature_SpanCarriesTheMetricTagsAndErrorStatus()
    {
        await using TestApp app = await TestApp.StartAsync();
        TestKey key = await app.AddKeyAsync();
        using var spans = new SpanCapture();

        using HttpResponseMessage response = await app.SendAsync(spans.Propagate(TestApp.Sign(app.Get("/orders"), TestKey.Create(key.KeyId))));

        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "invalid_signature");
        Activity span = spans.Single();
        Assert.Equal("keypairauth.verification", span.OperationName);
        Assert.Equal("KeyPairAuth", span.Source.Name);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("invalid_signature", span.StatusDescription);
        Assert.Equal("failure", span.GetTagItem("keypairauth.outcome"));
        Assert.Equal("invalid_signature", span.GetTagItem("error.type"));
        Assert.Equal("KeyPair", span.GetTagItem("keypairauth.scheme"));
        Assert.All(span.TagObjects, t => Assert.Contains(t.Key, AllowedTags));
        Assert.DoesNotContain(span.TagObjects, t => Equals(t.Value, key.KeyId));
    }

    [Fact]
    public async Task Trace_Success_SpanHasOutcomeAndSchemeAndNoErrorStatus()
    {
        await using TestApp app = await TestApp.StartAsync();
        TestKey key = await app.AddKeyAsync();
        using var spans = new SpanCapture();

        using HttpResponseMessage response = await app.SendAsync(spans.Propagate(TestApp.Sign(app.Get("/orders"), key)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Activity span = spans.Single();
        Assert.Equal("keypairauth.verification", span.OperationName);
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.Equal("success", span.GetTagItem("keypairauth.outcome"));
        Assert.Equal("KeyPair", span.GetTagItem("keypairauth.scheme"));
        Assert.Null(span.GetTagItem("error.type"));
        Assert.DoesNotContain(span.TagObjects, t => Equals(t.Value, key.KeyId));
    }

    [Fact]
    public async Task Trace_KeyStoreThrows_SpanHasErrorTypeOfTheException()
    {
        await using TestApp app = await TestApp.StartAsync(services: s => s.AddSingleton<IPublicKeyStore>(FakePublicKeyStore.Unavailable()));
        using var spans = new SpanCapture();

        using HttpResponseMessage response = await app.SendAsync(spans.Propagate(TestApp.Sign(app.Get("/orders"), TestKey.Create())));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Activity span = spans.Single();
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("error", span.GetTagItem("keypairauth.outcome"));
        Assert.Equal(typeof(InvalidOperationException).FullName, span.GetTagItem("error.type"));
    }

    /// <summary>
    /// Records the <c>KeyPairAuth</c> spans of this test's requests only: each request carries a <c>traceparent</c> with
    /// a trace id of its own, and the server's spans are matched on it (other tests run in parallel).
    /// </summary>
    private sealed class SpanCapture : IDisposable
    {
        private readonly ActivityTraceId _traceId = ActivityTraceId.CreateRandom();
        private readonly ConcurrentQueue<Activity> _stopped = new();
        private readonly ActivityListener _listener;

        public SpanCapture()
        {
            _listener = new ActivityListener
            {
                // The hosting source too: the server's request span takes the traceparent, and ours is its child.
                ShouldListenTo = source => source.Name is "KeyPairAuth" or "Microsoft.AspNetCore",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    if (activity.Source.Name == "KeyPairAuth" && activity.TraceId == _traceId)
                    {
                        _stopped.Enqueue(activity);
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public OutgoingRequest Propagate(OutgoingRequest request) =>
            request.Set("traceparent", $"00-{_traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        public Activity Single() => Assert.Single(_stopped);

        public void Dispose() => _listener.Dispose();
    }
}
