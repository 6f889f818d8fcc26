using System.Diagnostics;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>
/// The names the scheme's metrics and traces share (OpenTelemetry semantic-convention style) and the
/// <c>KeyPairAuth</c> activity source: one <c>keypairauth.verification</c> span per signed request, tagged like the
/// metrics. Tags are bounded: the outcome, the closed failure code (or exception type) and the scheme name, never key
/// ids or owners.
/// </summary>
internal static class KeyPairAuthenticationTelemetry
{
    /// <summary>The name of both the meter and the activity source.</summary>
    public const string SourceName = "KeyPairAuth";

    public const string VerificationActivityName = "keypairauth.verification";

    /// <summary><c>success</c>, <c>failure</c> (refused: a 4xx/503 answer) or <c>error</c> (a dependency threw).</summary>
    public const string OutcomeTag = "keypairauth.outcome";

    /// <summary>The authentication scheme's name (<c>KeyPair</c> by default): bounded by the application's configuration.</summary>
    public const string SchemeTag = "keypairauth.scheme";

    /// <summary>OpenTelemetry's <c>error.type</c>: the failure code (<c>invalid_signature</c>, …) or the exception's full type name.</summary>
    public const string ErrorTypeTag = "error.type";

    public const string Success = "success";
    public const string Failure = "failure";
    public const string Error = "error";

    public static readonly ActivitySource ActivitySource = new(SourceName);

    public static Activity? StartVerification(string scheme)
    {
        Activity? activity = ActivitySource.StartActivity(VerificationActivityName);
        activity?.SetTag(SchemeTag, scheme);
        return activity;
    }

    public static void Succeeded(Activity? activity) => activity?.SetTag(OutcomeTag, Success);

    public static void Refused(Activity? activity, string failureCode)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(OutcomeTag, Failure);
        activity.SetTag(ErrorTypeTag, failureCode);
        activity.SetStatus(ActivityStatusCode.Error, failureCode);
    }

    public static void Failed(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        // The type only: an exception message may hold a connection string or other configuration.
        string type = exception.GetType().FullName ?? exception.GetType().Name;
        activity.SetTag(OutcomeTag, Error);
        activity.SetTag(ErrorTypeTag, type);
        activity.SetStatus(ActivityStatusCode.Error, type);
    }
}
