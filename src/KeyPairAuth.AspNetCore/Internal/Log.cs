using Microsoft.Extensions.Logging;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>
/// The assembly's log messages (event ids 100–199). Never logs signature values, keys, seeds or bodies;
/// key ids are not secret and may appear.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, EventName = "SignatureVerified", Level = LogLevel.Debug,
        Message = "The request signature verified with key {KeyId}.")]
    public static partial void SignatureVerified(ILogger logger, string keyId);

    [LoggerMessage(EventId = 101, EventName = "AuthenticationRefused", Level = LogLevel.Information,
        Message = "The signed request was refused: {FailureReason}.")]
    public static partial void AuthenticationRefused(ILogger logger, string failureReason);

    [LoggerMessage(EventId = 102, EventName = "VerificationError", Level = LogLevel.Error,
        Message = "Verifying the signed request failed because a dependency threw (for example the key store is unavailable); the request is not answered as unauthenticated.")]
    public static partial void VerificationError(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 103, EventName = "LastUsedRecordFailed", Level = LogLevel.Warning,
        Message = "Recording the last use of key {KeyId} failed; it will be retried on a later request. Further failures are not logged until a write succeeds again.")]
    public static partial void LastUsedRecordFailed(ILogger logger, string keyId, Exception exception);

    [LoggerMessage(EventId = 119, EventName = "LastUsedRecordRecovered", Level = LogLevel.Information,
        Message = "Recording last-used times works again; {FailedCount} write(s) failed meanwhile.")]
    public static partial void LastUsedRecordRecovered(ILogger logger, long failedCount);

    [LoggerMessage(EventId = 104, EventName = "LastUsedQueueFull", Level = LogLevel.Debug,
        Message = "The last-used queue is full; the last use of key {KeyId} was not queued.")]
    public static partial void LastUsedQueueFull(ILogger logger, string keyId);

    [LoggerMessage(EventId = 105, EventName = "AnonymousEndpointSkipped", Level = LogLevel.Debug,
        Message = "The endpoint allows anonymous access; the request signature was not verified.")]
    public static partial void AnonymousEndpointSkipped(ILogger logger);

    [LoggerMessage(EventId = 106, EventName = "ScopeMissing", Level = LogLevel.Information,
        Message = "The authenticated key lacks the scope {Scope}; answering 403.")]
    public static partial void ScopeMissing(ILogger logger, string scope);

    [LoggerMessage(EventId = 107, EventName = "RequestAlteredAfterAuthentication", Level = LogLevel.Information,
        Message = "The request's {Component} was changed after a KeyPair scheme authenticated it; authorization refuses it. Middleware that rewrites the request must run before UseAuthentication.")]
    public static partial void RequestAlteredAfterAuthentication(ILogger logger, string component);

    [LoggerMessage(EventId = 108, EventName = "InMemoryFallback", Level = LogLevel.Warning,
        Message = "KeyPairAuth is using the in-memory {Parts} because the application chose none: {Consequences}. Choose durable parts with the AddKeyPairAuth() builder (AddPublicKeyStore<TStore>(), AddReplayCache<TCache>()), or call AddKeyPairAuth().UseInMemoryStores() to keep the in-memory ones on purpose.")]
    public static partial void InMemoryFallback(ILogger logger, string parts, string consequences);

    [LoggerMessage(EventId = 109, EventName = "SignatureBaseRebuilt", Level = LogLevel.Debug,
        Message = "The request was refused ({FailureReason}); for signature {Label} with key {KeyId} the server used authority {Authority} and target {RequestTarget} and rebuilt this signature base:\n{SignatureBase}")]
    public static partial void SignatureBaseRebuilt(ILogger logger, string failureReason, string label, string keyId, string authority, string requestTarget, string signatureBase);

    [LoggerMessage(EventId = 110, EventName = "AuthenticationRejectedByApplication", Level = LogLevel.Information,
        Message = "The application's {EventName} event refused the signed request: {FailureReason}.")]
    public static partial void AuthenticationRejectedByApplication(ILogger logger, string eventName, string failureReason);
}
