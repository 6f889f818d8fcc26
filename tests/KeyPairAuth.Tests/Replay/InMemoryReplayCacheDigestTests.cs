using KeyPairAuth.Replay;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.Tests.Replay;

/// <summary>
/// The table remembers a pair by its 128-bit digest and must compare all of it: a fresh nonce whose digest shares one
/// 64-bit half with a remembered one (odds of 2^-64, not 2^-128) is a different pair, not a replay.
/// </summary>
public sealed class InMemoryReplayCacheDigestTests
{
    // Same table start index (low bits of Lo) and same shard (high bits of Hi) for every digest below, so each
    // lookup probes the slots of the others.
    private const ulong Hi = 0x0123_4567_89AB_CDEFUL;
    private const ulong Lo = 0x0000_0000_0000_0005UL;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TryAdd_NonceSharingOneHalfOfARememberedDigest_IsAcceptedNotReplayed(bool sharesHighHalf)
    {
        InMemoryReplayCache cache = CacheWithDigests(new()
        {
            ["first"] = (Hi, Lo),
            ["second"] = sharesHighHalf ? (Hi, Lo | (1UL << 63)) : (Hi ^ 1, Lo),
        });
        DateTimeOffset until = _time.GetUtcNow().AddMinutes(5);

        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", "first", until));
        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", "second", until));
        Assert.Equal(ReplayCheckResult.Replayed, cache.TryAdd("kpa_a", "first", until));
        Assert.Equal(ReplayCheckResult.Replayed, cache.TryAdd("kpa_a", "second", until));
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void TryAdd_ExpiredSlotWithTheSameDigest_IsReusedAndTheNonceAccepted()
    {
        InMemoryReplayCache cache = CacheWithDigests(new()
        {
            ["first"] = (Hi, Lo),
            ["second"] = (Hi, Lo | (1UL << 63)),
        });

        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", "first", _time.GetUtcNow().AddSeconds(10)));
        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", "second", _time.GetUtcNow().AddMinutes(5)));
        _time.Advance(TimeSpan.FromSeconds(11));

        // "first" expired: it may be accepted again, and the live "second" behind it on the same chain stays a replay.
        Assert.Equal(ReplayCheckResult.Accepted, cache.TryAdd("kpa_a", "first", _time.GetUtcNow().AddMinutes(5)));
        Assert.Equal(ReplayCheckResult.Replayed, cache.TryAdd("kpa_a", "second", _time.GetUtcNow().AddMinutes(5)));
        Assert.Equal(2, cache.Count);
    }

    private InMemoryReplayCache CacheWithDigests(Dictionary<string, (ulong Hi, ulong Lo)> digests) =>
        new(_time, new InMemoryReplayCacheOptions { MaxEntries = 1000 })
        {
            DigestOverride = (_, nonce) => digests[nonce.ToString()],
        };
}
