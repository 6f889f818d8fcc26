using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;

namespace KeyPairAuth.AspNetCore.Tests;

public sealed class MetricsTests
{
    [Fact]
    public async Task Verification_RecordsOutcomesTaggedByReasonOnly_NeverKeyIds()
    {
        var measurements = new ConcurrentQueue<(string Instrument, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "KeyPairAuth")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, _, tags, _) => measurements.Enqueue((i.Name, Collect(tags))));
        listener.SetMeasurementEventCallback<double>((i, _, tags, _) => measurements.Enqueue((i.Name, Collect(tags))));
        listener.Start();

        await using TestApp app = await TestApp.StartAsync();
        TestKey key = await app.AddKeyAsync();
        using (HttpResponseMessage ok = await app.SendAsync(TestApp.Sign(app.Get("/orders"), key)))
        using (HttpResponseMessage bad = await app.SendAsync(TestApp.Sign(app.Get("/orders"), TestKey.Create())))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        }

        Assert.Contains(measurements, m => m.Instrument == "keypairauth.verification.outcomes" && Equals(m.Tags["outcome"], "success"));
        Assert.Contains(measurements, m => m.Instrument == "keypairauth.verification.outcomes" && Equals(m.Tags.GetValueOrDefault("reason"), "invalid_signature"));
        Assert.Contains(measurements, m => m.Instrument == "keypairauth.verification.duration");
        Assert.All(measurements, m => Assert.All(m.Tags.Keys, k => Assert.Contains(k, new[] { "outcome", "reason" })));
        Assert.DoesNotContain(measurements, m => m.Tags.Values.Any(v => Equals(v, key.KeyId)));
    }

    private static Dictionary<string, object?> Collect(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>();
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            result[tag.Key] = tag.Value;
        }

        return result;
    }
}
