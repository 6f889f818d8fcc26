using KeyPairAuth.Issuance;
using KeyPairAuth.Keys;
using KeyPairAuth.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.Tests.Issuance;

public sealed class KeyRevocationNotifierTests
{
    [Fact]
    public async Task RevokeAsync_KnownKey_NotifiesEveryRegisteredNotifierWithTheKeyIdAfterDroppingItLocally()
    {
        var first = new RecordingNotifier();
        var second = new RecordingNotifier();
        await using ServiceProvider provider = Provider(first, second);
        PublicKeyCache cache = provider.GetRequiredService<PublicKeyCache>();
        IKeyPairIssuer issuer = provider.GetRequiredService<IKeyPairIssuer>();
        using IssuedKeyPair issued = await issuer.IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "CI key" });
        Assert.NotNull(await cache.FindAsync(issued.KeyId));

        // The notifier looks at the local cache when called: the key must already be gone (and revoked in the store).
        first.OnNotify = async keyId => first.SawRevokedInCache = (await cache.FindAsync(keyId))?.IsRevoked;
        await issuer.RevokeAsync(issued.KeyId);

        Assert.Equal([issued.KeyId], first.KeyIds);
        Assert.Equal([issued.KeyId], second.KeyIds);
        Assert.True(first.SawRevokedInCache);
    }

    [Fact]
    public async Task RevokeAsync_NotifierThrows_RevocationStillReturned_AndLaterNotifiersStillCalled()
    {
        var failing = new RecordingNotifier { OnNotify = _ => throw new InvalidOperationException("pub/sub down") };
        var second = new RecordingNotifier();
        await using ServiceProvider provider = Provider(failing, second);
        IKeyPairIssuer issuer = provider.GetRequiredService<IKeyPairIssuer>();
        using IssuedKeyPair issued = await issuer.IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "CI key" });

        PublicKeyRecord? revoked = await issuer.RevokeAsync(issued.KeyId);

        Assert.True(revoked!.IsRevoked);
        Assert.Equal([issued.KeyId], failing.KeyIds);
        Assert.Equal([issued.KeyId], second.KeyIds);
        Assert.True((await provider.GetRequiredService<PublicKeyCache>().FindAsync(issued.KeyId))!.IsRevoked);
    }

    [Fact]
    public async Task RevokeAsync_UnknownKey_NotifiesNobody()
    {
        var notifier = new RecordingNotifier();
        await using ServiceProvider provider = Provider(notifier);

        Assert.Null(await provider.GetRequiredService<IKeyPairIssuer>().RevokeAsync(KeyId.New()));

        Assert.Empty(notifier.KeyIds);
    }

    [Fact]
    public async Task RevokeAsync_NoNotifierRegistered_StillRevokes()
    {
        await using ServiceProvider provider = Provider();
        IKeyPairIssuer issuer = provider.GetRequiredService<IKeyPairIssuer>();
        using IssuedKeyPair issued = await issuer.IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "CI key" });

        Assert.True((await issuer.RevokeAsync(issued.KeyId))!.IsRevoked);
    }

    private static ServiceProvider Provider(params RecordingNotifier[] notifiers)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)));
        foreach (RecordingNotifier notifier in notifiers)
        {
            services.AddSingleton<IKeyRevocationNotifier>(notifier);
        }

        services.AddKeyPairAuth();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    private sealed class RecordingNotifier : IKeyRevocationNotifier
    {
        public List<string> KeyIds { get; } = [];

        public Func<string, Task>? OnNotify { get; set; }

        public bool? SawRevokedInCache { get; set; }

        public async ValueTask NotifyRevokedAsync(string keyId, CancellationToken cancellationToken = default)
        {
            KeyIds.Add(keyId);
            if (OnNotify is { } onNotify)
            {
                await onNotify(keyId);
            }
        }
    }
}
