using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using KeyPairAuth.AspNetCore.Internal;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KeyPairAuth.AspNetCore;

/// <summary>
/// Authenticates requests signed per RFC 9421 with an Ed25519 key registered in the key store, checks the body
/// against RFC 9530 <c>Content-Digest</c> before the application runs, and answers challenges with
/// <c>Accept-Signature</c> and a problem body.
/// </summary>
internal sealed class KeyPairAuthenticationHandler : AuthenticationHandler<KeyPairAuthenticationOptions>
{
    private const string WwwAuthenticateScheme = "KeyPair";
    private const string ApplicationRefusalDetail = "The application refused the request.";

    private readonly KeyPairVerifierFactory _verifiers;
    private readonly LastUsedRecorder _lastUsed;
    private readonly KeyPairAuthenticationMetrics _metrics;

    // Set when an event decided this signed request's result without a KeyPair reason (NoResult, or a failure that is
    // not a KeyPairAuthenticationException): its challenge then says rejected_by_application. A handler serves one request.
    private bool _refusedByApplication;

    public KeyPairAuthenticationHandler(
        IOptionsMonitor<KeyPairAuthenticationOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder,
        KeyPairVerifierFactory verifiers,
        LastUsedRecorder lastUsed,
        KeyPairAuthenticationMetrics metrics)
        : base(options, logger, encoder)
    {
        _verifiers = verifiers;
        _lastUsed = lastUsed;
        _metrics = metrics;
    }

    private new KeyPairAuthenticationEvents Events
    {
        get => (KeyPairAuthenticationEvents)base.Events!;
        set => base.Events = value;
    }

    protected override Task<object> CreateEventsAsync() => Task.FromResult<object>(new KeyPairAuthenticationEvents());

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        IHeaderDictionary headers = Request.Headers;
        if (!headers.ContainsKey(SignatureFields.SignatureInputFieldName) && !headers.ContainsKey(SignatureFields.SignatureFieldName))
        {
            // Not ours: let cookies, JWT bearer or any other scheme answer.
            return AuthenticateResult.NoResult();
        }

        if (!Options.AuthenticateAllowAnonymousEndpoints && Context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            Log.AnonymousEndpointSkipped(Logger);
            return AuthenticateResult.NoResult();
        }

        // The span and the measurement cover the events too: a request an event refuses is counted like any other.
        long started = Stopwatch.GetTimestamp();
        using Activity? activity = KeyPairAuthenticationTelemetry.StartVerification(Scheme.Name);
        try
        {
            // The event context is only built when someone handles the event (a replaced delegate or a derived class).
            KeyPairAuthenticationEvents events = Events;
            if (!events.IsDefaultMessageReceived)
            {
                var messageReceived = new KeyPairMessageReceivedContext(Context, Scheme, Options);
                await events.MessageReceived(messageReceived).ConfigureAwait(false);
                if (messageReceived.Result is { } decided)
                {
                    if (decided.Succeeded)
                    {
                        // The application vouched for the caller without verification: counted as a success.
                        _metrics.Success(Scheme.Name, started);
                        KeyPairAuthenticationTelemetry.Succeeded(activity);
                        return decided;
                    }

                    return await RefusedByApplicationAsync(decided, nameof(KeyPairAuthenticationEvents.MessageReceived), started, activity).ConfigureAwait(false);
                }
            }

            return await VerifyAsync(started, activity).ConfigureAwait(false);
        }
        catch (Exception ex) when (!Context.RequestAborted.IsCancellationRequested)
        {
            // A client that went away (reset, abort) is not an infrastructure failure: that exception propagates unlogged.
            // Infrastructure failure (the store is down): an error, never a 401 that blames the caller.
            Log.VerificationError(Logger, ex);
            _metrics.Error(Scheme.Name, ex, started);
            KeyPairAuthenticationTelemetry.Failed(activity, ex);

            var failed = new KeyPairAuthenticationFailedContext(Context, Scheme, Options) { Exception = ex };
            await Events.AuthenticationFailed(failed).ConfigureAwait(false);
            if (failed.Result is not null)
            {
                return FromApplication(failed.Result);
            }

            throw;
        }
    }

    // A ValueTask: on the usual path everything completes synchronously and no second Task is allocated per request
    // (HandleAuthenticateAsync's own Task is the framework's contract).
    private async ValueTask<AuthenticateResult> VerifyAsync(long started, Activity? activity)
    {
        var view = new HttpContextRequestView(Request);
        Endpoint? endpoint = Context.GetEndpoint();
        view.VerifiedFor(endpoint);
        HttpMessageVerifier verifier = _verifiers.Get(Options, TimeProvider, endpoint);

        // The public entry point's own pipeline: target and size checks, signature, then the body; Succeeded only after all.
        SignatureVerificationResult result = await HttpMessageVerifierExtensions.VerifyViewAsync(
            verifier, view, Options.MaxBodySize, Options.BodyBufferThreshold, Options.Verification.FieldLimits).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            KeyPairFailureReason reason = result.Failure!.Value;
            if (!IsBodyOrTargetFailure(reason))
            {
                // Diagnosable failures: at Debug, what the server rebuilt, to compare with the client's base (no work otherwise).
                SignatureBaseDiagnostics.LogRebuiltBases(Logger, view, reason.ToErrorCode());
            }

            return await FailAsync(reason, result.FailureDetail, started, activity).ConfigureAwait(false);
        }

        PublicKeyRecord key = result.Key!;
        ClaimsPrincipal principal = CreatePrincipal(key);
        KeyPairSignatureValidatedContext? validated = null;
        if (!Events.IsDefaultSignatureValidated)
        {
            validated = new KeyPairSignatureValidatedContext(Context, Scheme, Options, key) { Principal = principal };
            await Events.SignatureValidated(validated).ConfigureAwait(false);

            // Success() (or no decision with a principal) continues as a verified request; Fail(), NoResult() or a
            // cleared principal is the application's refusal.
            if (validated.Result is { Succeeded: false } || (validated.Result is null && validated.Principal is null))
            {
                return await RefusedByApplicationAsync(validated.Result, nameof(KeyPairAuthenticationEvents.SignatureValidated), started, activity).ConfigureAwait(false);
            }
        }

        if (Options.RecordLastUsed)
        {
            _lastUsed.Record(key.KeyId, TimeProvider.GetUtcNow(), Options.LastUsedInterval);
        }

        Log.SignatureVerified(Logger, key.KeyId);
        _metrics.Success(Scheme.Name, started);
        KeyPairAuthenticationTelemetry.Succeeded(activity);
        view.MarkAuthenticated();
        if (validated is null)
        {
            return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
        }

        if (validated.Result is null)
        {
            validated.Success();
        }

        return validated.Result!;
    }

    /// <summary>
    /// An event refused the request (<c>Fail</c>, <c>NoResult</c>, or a cleared principal when <paramref name="decided"/>
    /// is <see langword="null"/>): answered, logged and counted as <see cref="KeyPairFailureReason.RejectedByApplication"/>,
    /// or as the reason of a <see cref="KeyPairAuthenticationException"/> the application failed with. The application's
    /// own failure message is never sent to the client.
    /// </summary>
    private async ValueTask<AuthenticateResult> RefusedByApplicationAsync(AuthenticateResult? decided, string eventName, long started, Activity? activity)
    {
        if (decided is { None: true })
        {
            // NoResult: this scheme does not authenticate the request (another scheme may), and it is no failure for
            // OnAuthenticationFailed; but the request was signed, so it is counted and a challenge names the refusal.
            _refusedByApplication = true;
            RecordRefusal(KeyPairFailureReason.RejectedByApplication.ToErrorCode(), started, activity, eventName);
            return decided;
        }

        return decided?.Failure is KeyPairAuthenticationException chosen
            ? await FailAsync(chosen.Reason, chosen.Message, started, activity, eventName).ConfigureAwait(false)
            : await FailAsync(KeyPairFailureReason.RejectedByApplication, ApplicationRefusalDetail, started, activity, eventName).ConfigureAwait(false);
    }

    private static bool IsBodyOrTargetFailure(KeyPairFailureReason reason) => reason is KeyPairFailureReason.UnsupportedRequestTarget
        or KeyPairFailureReason.BodyTooLarge or KeyPairFailureReason.DigestMismatch or KeyPairFailureReason.BodyDecodedBeforeAuthentication;

    private ClaimsPrincipal CreatePrincipal(PublicKeyRecord key)
    {
        // Each claim is created with the identity as its subject: ClaimsIdentity(IEnumerable<Claim>) would clone every
        // claim whose Subject is not the identity, allocating each claim twice (plus the list).
        var identity = new ClaimsIdentity(Scheme.Name, ClaimTypes.NameIdentifier, ClaimTypes.Role);
        string issuer = ClaimsIssuer;
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, key.Owner, ClaimValueTypes.String, issuer, issuer, identity));
        identity.AddClaim(new Claim(KeyPairClaimTypes.KeyId, key.KeyId, ClaimValueTypes.String, issuer, issuer, identity));
        identity.AddClaim(new Claim(KeyPairClaimTypes.KeyName, key.Name, ClaimValueTypes.String, issuer, issuer, identity));
        IReadOnlyList<string> scopes = key.Scopes;
        for (int i = 0; i < scopes.Count; i++)
        {
            identity.AddClaim(new Claim(KeyPairClaimTypes.Scope, scopes[i], ClaimValueTypes.String, issuer, issuer, identity));
        }

        return new ClaimsPrincipal(identity);
    }

    private async Task<AuthenticateResult> FailAsync(KeyPairFailureReason reason, string? detail, long started, Activity? activity, string? refusingEvent = null)
    {
        RecordRefusal(reason.ToErrorCode(), started, activity, refusingEvent);

        var exception = new KeyPairAuthenticationException(reason, detail ?? "The request signature was refused.");
        var failed = new KeyPairAuthenticationFailedContext(Context, Scheme, Options) { FailureReason = reason };
        await Events.AuthenticationFailed(failed).ConfigureAwait(false);
        return failed.Result is null ? AuthenticateResult.Fail(exception) : FromApplication(failed.Result);
    }

    private AuthenticateResult FromApplication(AuthenticateResult result)
    {
        if (result.None || result.Failure is { } and not KeyPairAuthenticationException)
        {
            _refusedByApplication = true;
        }

        return result;
    }

    private void RecordRefusal(string code, long started, Activity? activity, string? refusingEvent)
    {
        if (refusingEvent is null)
        {
            Log.AuthenticationRefused(Logger, code);
        }
        else
        {
            Log.AuthenticationRejectedByApplication(Logger, refusingEvent, code);
        }

        _metrics.Failure(Scheme.Name, code, started);
        KeyPairAuthenticationTelemetry.Refused(activity, code);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        AuthenticateResult authResult = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        KeyPairFailureReason reason = KeyPairFailureReason.MissingSignature;
        string? detail = "The request carries no HTTP message signature.";
        if (authResult.Failure is KeyPairAuthenticationException refused)
        {
            reason = refused.Reason;
            detail = refused.Message;
        }
        else if (_refusedByApplication)
        {
            reason = KeyPairFailureReason.RejectedByApplication;
            detail = ApplicationRefusalDetail;
        }

        var challenge = new KeyPairChallengeContext(Context, Scheme, Options, properties, reason) { FailureDetail = detail };
        await Events.Challenge(challenge).ConfigureAwait(false);
        if (challenge.Handled || Response.HasStarted)
        {
            return;
        }

        int status = ProblemResponse.StatusCodeFor(reason);
        string code = reason.ToErrorCode();
        if (status is StatusCodes.Status401Unauthorized or StatusCodes.Status400BadRequest)
        {
            // RFC 9421 §5.1: tell the client which signature we require.
            // The endpoint's own set: the default coverage, the scheme's additional components and the endpoint's.
            SignatureVerificationOptions policy = _verifiers.GetPolicy(Options, TimeProvider, Context.GetEndpoint()).Options;
            Response.Headers[ProblemResponse.AcceptSignatureFieldName] = ProblemResponse.BuildAcceptSignature(policy, new HttpContextRequestView(Request).HasContent);
        }

        if (status is StatusCodes.Status503ServiceUnavailable or StatusCodes.Status429TooManyRequests)
        {
            // Fail closed when the replay cache cannot remember the nonce, but tell the client it may retry.
            Response.Headers.RetryAfter = ((long)Math.Ceiling(Options.ReplayCacheFullRetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (status == StatusCodes.Status401Unauthorized)
        {
            Response.Headers.WWWAuthenticate = $"{WwwAuthenticateScheme} error=\"{code}\"";
        }

        await ProblemResponse.WriteAsync(Response, status, code, Options.IncludeErrorDetails ? challenge.FailureDetail : null).ConfigureAwait(false);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        // Authorization refused the request because what was verified was rewritten afterwards (KeyPairRequestIntegrityHandler):
        // that is an authentication failure, answered like one.
        if (HttpContextRequestView.FindAlteration(Context) is { } changed)
        {
            await WriteAlteredAsync(changed).ConfigureAwait(false);
            return;
        }

        List<string> missingScopes = Context.Items.TryGetValue(KeyPairScopeRequirement.MissingScopeItemKey, out object? value) && value is List<string> missing
            ? missing
            : [];
        var forbidden = new KeyPairForbiddenContext(Context, Scheme, Options, properties, missingScopes);
        await Events.Forbidden(forbidden).ConfigureAwait(false);
        if (forbidden.Handled || Response.HasStarted)
        {
            return;
        }

        if (missingScopes.Count == 0)
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        string scope = string.Join(' ', missingScopes);
        Log.ScopeMissing(Logger, scope);

        // RFC 6750 §3 / §3.1: name the scope the resource needs, so a client can tell which scope its key lacks.
        string? headerScope = ProblemResponse.ScopeAttribute(missingScopes);
        Response.Headers.WWWAuthenticate = headerScope is null
            ? $"{WwwAuthenticateScheme} error=\"insufficient_scope\""
            : $"{WwwAuthenticateScheme} error=\"insufficient_scope\", scope=\"{headerScope}\"";
        string? detail = Options.IncludeErrorDetails
            ? missingScopes.Count == 1
                ? string.Create(CultureInfo.InvariantCulture, $"The key lacks the scope '{scope}'.")
                : string.Create(CultureInfo.InvariantCulture, $"The key lacks the scopes '{string.Join("', '", missingScopes)}'.")
            : null;
        await ProblemResponse.WriteAsync(Response, StatusCodes.Status403Forbidden, KeyPairFailureReason.ScopeMissing.ToErrorCode(), detail, scope).ConfigureAwait(false);
    }

    private async Task WriteAlteredAsync(string changed)
    {
        Log.RequestAlteredAfterAuthentication(Logger, changed);
        if (Response.HasStarted)
        {
            return;
        }

        string code = KeyPairFailureReason.RequestAlteredAfterAuthentication.ToErrorCode();
        Response.Headers.WWWAuthenticate = $"{WwwAuthenticateScheme} error=\"{code}\"";
        string? detail = Options.IncludeErrorDetails
            ? string.Create(CultureInfo.InvariantCulture, $"The request's {changed} was changed after authentication; middleware that rewrites the request must run before UseAuthentication.")
            : null;
        await ProblemResponse.WriteAsync(Response, StatusCodes.Status401Unauthorized, code, detail).ConfigureAwait(false);
    }
}
