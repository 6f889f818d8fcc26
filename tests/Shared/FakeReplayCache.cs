using KeyPairAuth.Replay;

namespace KeyPairAuth.Testing;

/// <summary>A replay cache that remembers every (key id, nonce) pair for ever, lists the calls, and can be forced to one answer.</summary>
internal sealed class FakeReplayCache : IReplayCache
{
    private readonly Lock _lock = new();
    private readonly HashSet<(string, string)> _seen = [];
    private readonly List<(string KeyId, string Nonce, DateTimeOffset RememberUntil)> _calls = [];

    /// <summary>Gets the calls received, in order.</summary>
    public IReadOnlyList<(string KeyId, string Nonce, DateTimeOffset RememberUntil)> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>Gets or sets the answer to every call instead of the real check (e.g. <see cref="ReplayCheckResult.CapacityExceeded"/>).</summary>
    public ReplayCheckResult? ForcedResult { get; set; }

    public ValueTask<ReplayCheckResult> TryAddAsync(string keyId, string nonce, DateTimeOffset rememberUntil, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _calls.Add((keyId, nonce, rememberUntil));
            if (ForcedResult is { } forced)
            {
                return ValueTask.FromResult(forced);
            }

            return ValueTask.FromResult(_seen.Add((keyId, nonce)) ? ReplayCheckResult.Accepted : ReplayCheckResult.Replayed);
        }
    }
}
