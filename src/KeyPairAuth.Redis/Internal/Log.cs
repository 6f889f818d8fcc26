using Microsoft.Extensions.Logging;

namespace KeyPairAuth.Redis.Internal;

/// <summary>
/// KeyPairAuth.Redis's log messages (event ids 300–399). Key ids are not secret; the connection string (which may hold
/// a password) is never logged.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 300, EventName = "ReplayCacheUnavailable", Level = LogLevel.Error,
        Message = "The Redis replay cache is unavailable ({Reason}); signed requests are refused with 503 replay_cache_unavailable until it answers again. Logged once per outage.")]
    public static partial void ReplayCacheUnavailable(ILogger logger, string reason, Exception? exception);

    [LoggerMessage(EventId = 301, EventName = "ReplayCacheRecovered", Level = LogLevel.Information,
        Message = "The Redis replay cache answers again after {OutageSeconds:F1} s; {RefusedCount} request(s) were refused during the outage.")]
    public static partial void ReplayCacheRecovered(ILogger logger, double outageSeconds, long refusedCount);

    [LoggerMessage(EventId = 302, EventName = "RevocationPublishFailed", Level = LogLevel.Error,
        Message = "Could not publish the revocation of key {KeyId} on Redis channel {Channel} ({Reason}); the key is revoked, and other instances stop accepting it within their key-cache duration.")]
    public static partial void RevocationPublishFailed(ILogger logger, string keyId, string channel, string reason, Exception? exception);

    [LoggerMessage(EventId = 303, EventName = "RevocationPublished", Level = LogLevel.Debug,
        Message = "Published the revocation of key {KeyId} on Redis channel {Channel} to {ReceiverCount} subscribed connection(s).")]
    public static partial void RevocationPublished(ILogger logger, string keyId, string channel, long receiverCount);

    [LoggerMessage(EventId = 304, EventName = "RevocationReceived", Level = LogLevel.Debug,
        Message = "Dropped key {KeyId} from the key cache: another instance revoked it.")]
    public static partial void RevocationReceived(ILogger logger, string keyId);

    [LoggerMessage(EventId = 305, EventName = "RevocationMessageIgnored", Level = LogLevel.Debug,
        Message = "Ignored a message of {Length} bytes on Redis channel {Channel}: not a key id.")]
    public static partial void RevocationMessageIgnored(ILogger logger, string channel, long length);

    [LoggerMessage(EventId = 306, EventName = "RevocationSubscribed", Level = LogLevel.Information,
        Message = "Listening for revocations from other instances on Redis channel {Channel}.")]
    public static partial void RevocationSubscribed(ILogger logger, string channel);

    [LoggerMessage(EventId = 307, EventName = "RevocationSubscriptionDown", Level = LogLevel.Warning,
        Message = "Revocations from other instances are not being received on Redis channel {Channel} ({Reason}); until the subscription is back, a key revoked elsewhere is refused here within the key-cache duration. Retrying in the background.")]
    public static partial void RevocationSubscriptionDown(ILogger logger, string channel, string reason, Exception? exception);

    [LoggerMessage(EventId = 308, EventName = "RevocationSubscriptionRestored", Level = LogLevel.Information,
        Message = "The Redis subscription to channel {Channel} is back; revocations published while it was down were missed here and expire from the key cache within its duration.")]
    public static partial void RevocationSubscriptionRestored(ILogger logger, string channel);

    [LoggerMessage(EventId = 309, EventName = "RedisConnecting", Level = LogLevel.Information,
        Message = "Connecting to Redis at {Endpoints} for KeyPairAuth (in the background; requests are refused until it answers).")]
    public static partial void Connecting(ILogger logger, string endpoints);
}
