using KeyPairAuth.Keys;
using KeyPairAuth.SampleServer.Activity;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.SampleServer.Tests.Dashboard;

public sealed class KeyActivityTests
{
    [Fact]
    public void LastHour_CountsByOutcome_AndForgetsMinutesOlderThanAnHour()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var activity = new KeyActivity(time);
        string keyId = KeyId.New();

        activity.Record(keyId, KeyActivity.Accepted);
        activity.Record(keyId, KeyActivity.Accepted);
        activity.Record(keyId, "invalid_signature");
        time.Advance(TimeSpan.FromMinutes(59));
        activity.Record(keyId, KeyActivity.Accepted);

        Assert.Equal(new Dictionary<string, int> { ["accepted"] = 3, ["invalid_signature"] = 1 }, activity.LastHour(keyId));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(new Dictionary<string, int> { ["accepted"] = 1 }, activity.LastHour(keyId));
        time.Advance(TimeSpan.FromMinutes(60));
        Assert.Empty(activity.LastHour(keyId));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-key-id")]
    [InlineData("kpa_sk_AAAAAAAAAAAAA")]
    public void Record_MalformedKeyId_IsIgnored(string? keyId)
    {
        var activity = new KeyActivity(new FakeTimeProvider());

        activity.Record(keyId, "invalid_signature");

        Assert.Equal(0, activity.Untracked);
        Assert.Empty(activity.LastHour(keyId ?? string.Empty));
    }

    [Fact]
    public void Record_BeyondTheTrackedKeyLimit_IsNotCounted_UntilOldKeysAgeOut()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var activity = new KeyActivity(time);
        for (int i = 0; i < KeyActivity.MaxTrackedKeys; i++)
        {
            activity.Record(KeyId.New(), "invalid_signature");
        }

        string late = KeyId.New();
        activity.Record(late, "invalid_signature");
        Assert.Equal(1, activity.Untracked);
        Assert.Empty(activity.LastHour(late));

        time.Advance(TimeSpan.FromMinutes(61));
        activity.Record(late, "invalid_signature");
        Assert.Equal(new Dictionary<string, int> { ["invalid_signature"] = 1 }, activity.LastHour(late));
    }
}
