using KeyPairAuth.Replay;

namespace KeyPairAuth.AspNetCore.Tests.Infrastructure;

/// <summary>A replay cache at its hard capacity.</summary>
internal sealed class FullReplayCache : IReplayCache
{
    public ValueTask<ReplayCheckResult> TryAddAsync(string keyId, string nonce, DateTimeOffset rememberUntil, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(ReplayCheckResult.CapacityExceeded);
}
