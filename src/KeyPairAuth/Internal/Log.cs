using Microsoft.Extensions.Logging;

namespace KeyPairAuth.Internal;

/// <summary>
/// The core's log messages (event ids 1–99). Key ids and owners are not secret; secrets, seeds and signatures are
/// never logged.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, EventName = "KeyIssued", Level = LogLevel.Information,
        Message = "Issued key {KeyId} named '{KeyName}' for owner {Owner} with {ScopeCount} scope(s); the private key was handed out once and not kept.")]
    public static partial void KeyIssued(ILogger logger, string keyId, string keyName, string owner, int scopeCount);

    [LoggerMessage(EventId = 2, EventName = "KeyRegistered", Level = LogLevel.Information,
        Message = "Registered public key {KeyId} named '{KeyName}' for owner {Owner} with {ScopeCount} scope(s).")]
    public static partial void KeyRegistered(ILogger logger, string keyId, string keyName, string owner, int scopeCount);

    [LoggerMessage(EventId = 3, EventName = "KeyRevoked", Level = LogLevel.Information,
        Message = "Revoked key {KeyId} of owner {Owner}; revoked at {RevokedAt:O}.")]
    public static partial void KeyRevoked(ILogger logger, string keyId, string owner, DateTimeOffset revokedAt);

    [LoggerMessage(EventId = 4, EventName = "UnknownKeyLookupsSuspended", Level = LogLevel.Warning,
        Message = "More than {LookupsPerSecond} key lookups per second found no key (likely a flood of made-up key ids): key ids this instance has not found before are answered as unknown without a store lookup until the rate drops. See PublicKeyCacheOptions.MaxUnknownLookupsPerSecond.")]
    public static partial void UnknownKeyLookupsSuspended(ILogger logger, int lookupsPerSecond);

    [LoggerMessage(EventId = 5, EventName = "RevocationNoticeFailed", Level = LogLevel.Warning,
        Message = "Key {KeyId} is revoked, but {Notifier} could not tell other instances; they stop accepting it when their key-cache entry expires.")]
    public static partial void RevocationNoticeFailed(ILogger logger, string keyId, string notifier, Exception exception);
}
