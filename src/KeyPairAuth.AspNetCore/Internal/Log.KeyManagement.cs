using Microsoft.Extensions.Logging;

namespace KeyPairAuth.AspNetCore.Internal;

/// <summary>Log messages of the key self-service endpoints (event ids 180–189).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 180, EventName = "KeyManagementOtherOwnersKey", Level = LogLevel.Information,
        Message = "A {Method} request for key {KeyId}, which belongs to another owner, was answered 404.")]
    public static partial void KeyManagementOtherOwnersKey(ILogger logger, string keyId, string method);

    [LoggerMessage(EventId = 181, EventName = "KeyManagementApiKeyCallerRefused", Level = LogLevel.Warning,
        Message = "A request authenticated with key {KeyId} tried to manage keys and was refused; keys are managed by the signed-in user.")]
    public static partial void KeyManagementApiKeyCallerRefused(ILogger logger, string keyId);
}
