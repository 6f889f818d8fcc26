using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;

namespace KeyPairAuth.AspNetCore.Tests.Infrastructure;

/// <summary>
/// The metrics and logs of one test app only: collectors bound to the app's own <c>IMeterFactory</c> and a fake log
/// collector registered in the app's services, so tests running in parallel never see each other's measurements.
/// Start the app with <c>services: SchemeTelemetry.AddLogCollector</c>.
/// </summary>
internal sealed class SchemeTelemetry : IDisposable
{
    public const string MeterName = "KeyPairAuth";
    public const string RequestsInstrument = "keypairauth.verification.requests";
    public const string DurationInstrument = "keypairauth.verification.duration";

    private readonly FakeLogCollector? _logs;

    private SchemeTelemetry(IServiceProvider services)
    {
        var meterFactory = services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        Requests = new MetricCollector<long>(meterFactory, MeterName, RequestsInstrument);
        Duration = new MetricCollector<double>(meterFactory, MeterName, DurationInstrument);
        _logs = services.GetService<FakeLogCollector>();
    }

    public MetricCollector<long> Requests { get; }

    public MetricCollector<double> Duration { get; }

    public FakeLogCollector Logs => _logs ?? throw new InvalidOperationException("Start the app with services: SchemeTelemetry.AddLogCollector.");

    public static void AddLogCollector(IServiceCollection services) => services.AddFakeLogging();

    public static SchemeTelemetry For(TestApp app) => new(app.Services);
    /// <summary>The one request measurement recorded so far; fails when there is none or more than one.</summary>
    public CollectedMeasurement<long> SingleRequest() => Assert.Single(Requests.GetMeasurementSnapshot());

    /// <summary>The records of log event <paramref name="eventId"/> logged by the KeyPair scheme's handler.</summary>
    public IReadOnlyList<FakeLogRecord> Events(int eventId) =>
        [.. Logs.GetSnapshot().Where(r => r.Id.Id == eventId && r.Category == "KeyPairAuth.AspNetCore.KeyPairAuthenticationHandler")];

    public void Dispose()
    {
        Requests.Dispose();
        Duration.Dispose();
    }
}
