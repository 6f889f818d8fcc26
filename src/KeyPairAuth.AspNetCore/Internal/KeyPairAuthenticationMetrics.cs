using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>
/// Server metrics on the <c>KeyPairAuth</c> meter, tagged like the <c>keypairauth.verification</c> span
/// (<see cref="KeyPairAuthenticationTelemetry"/>): the outcome, <c>error.type</c> and the scheme name, never key ids or
/// owners. Each request carrying signature fields that a scheme handles is measured once.
/// </summary>
internal sealed class KeyPairAuthenticationMetrics
{
    public const string MeterName = KeyPairAuthenticationTelemetry.SourceName;
    public const string DurationName = "keypairauth.verification.duration";
    public const string RequestsName = "keypairauth.verification.requests";

    private readonly Histogram<double> _duration;
    private readonly Counter<long> _requests;

    public KeyPairAuthenticationMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter meter = meterFactory.Create(MeterName);
        _duration = meter.CreateHistogram<double>(DurationName, unit: "s",
            description: "Time to authenticate a signed request: events, signature, replay check and body digest.");
        _requests = meter.CreateCounter<long>(RequestsName, unit: "{request}",
            description: "Signed requests authenticated, by outcome and error type.");
    }

    public void Success(string scheme, long startTimestamp) => Record(scheme, KeyPairAuthenticationTelemetry.Success, null, startTimestamp);

    public void Failure(string scheme, string failureCode, long startTimestamp) => Record(scheme, KeyPairAuthenticationTelemetry.Failure, failureCode, startTimestamp);

    public void Error(string scheme, Exception exception, long startTimestamp) =>
        Record(scheme, KeyPairAuthenticationTelemetry.Error, exception.GetType().FullName ?? exception.GetType().Name, startTimestamp);

    private void Record(string scheme, string outcome, string? errorType, long startTimestamp)
    {
        if (!_duration.Enabled && !_requests.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { KeyPairAuthenticationTelemetry.OutcomeTag, outcome },
            { KeyPairAuthenticationTelemetry.SchemeTag, scheme },
        };
        if (errorType is not null)
        {
            tags.Add(KeyPairAuthenticationTelemetry.ErrorTypeTag, errorType);
        }

        _requests.Add(1, tags);
        _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
    }
}
