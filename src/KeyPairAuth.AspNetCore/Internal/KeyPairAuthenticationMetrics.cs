using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>
/// Server metrics on the <c>KeyPairAuth</c> meter. Tags are bounded: the outcome and the closed failure-reason code,
/// never key ids or owners.
/// </summary>
internal sealed class KeyPairAuthenticationMetrics
{
    public const string MeterName = "KeyPairAuth";
    public const string DurationName = "keypairauth.verification.duration";
    public const string OutcomesName = "keypairauth.verification.outcomes";

    private readonly Histogram<double> _duration;
    private readonly Counter<long> _outcomes;

    public KeyPairAuthenticationMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter meter = meterFactory.Create(MeterName);
        _duration = meter.CreateHistogram<double>(DurationName, unit: "s",
            description: "Time to verify a signed request: signature, replay check and body digest.");
        _outcomes = meter.CreateCounter<long>(OutcomesName, unit: "{request}",
            description: "Signed requests verified, by outcome and failure reason.");
    }

    public void Success(long startTimestamp) => Record("success", null, startTimestamp);

    public void Failure(string reasonCode, long startTimestamp) => Record("failure", reasonCode, startTimestamp);

    public void Error(long startTimestamp) => Record("error", null, startTimestamp);

    private void Record(string outcome, string? reason, long startTimestamp)
    {
        if (!_duration.Enabled && !_outcomes.Enabled)
        {
            return;
        }

        var tags = new TagList { { "outcome", outcome } };
        if (reason is not null)
        {
            tags.Add("reason", reason);
        }

        _outcomes.Add(1, tags);
        _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
    }
}

/// <summary>The <c>KeyPairAuth</c> activity source: one span around each request verification.</summary>
internal static class KeyPairAuthenticationTelemetry
{
    public const string ActivitySourceName = "KeyPairAuth";
    public const string VerifyActivityName = "KeyPairAuth.VerifyRequest";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);
}
