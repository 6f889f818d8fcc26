using KeyPairAuth.Keys;
using KeyPairAuth.Stores;

namespace KeyPairAuth.Tests.Stores;

public sealed class InMemoryPublicKeyStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    internal static PublicKeyRecord NewRecord(string owner = "alice", DateTimeOffset? createdAt = null, DateTimeOffset? expiresAt = null, string? keyId = null)
    {
        using SigningKey key = SigningKey.Generate();
        return new PublicKeyRecord
        {
            KeyId = keyId ?? key.KeyId,
            Owner = owner,
            Name = "test",
            PublicKey = key.PublicKey,
            CreatedAt = createdAt ?? T0,
            ExpiresAt = expiresAt,
        };
    }

    [Fact]
    public async Task AddAsync_ThenFindAsync_ReturnsRecord()
    {
        InMemoryPublicKeyStore store = new();
        PublicKeyRecord record = NewRecord();
        Assert.Equal(PublicKeyAddResult.Added, await store.AddAsync(record, 10));
        Assert.Same(record, await store.FindAsync(record.KeyId));
        Assert.Null(await store.FindAsync(KeyId.New()));
    }

    [Fact]
    public async Task AddAsync_DuplicateKeyId_WritesNothing()
    {
        InMemoryPublicKeyStore store = new();
        PublicKeyRecord first = NewRecord();
        PublicKeyRecord second = NewRecord(owner: "bob", keyId: first.KeyId);
        await store.AddAsync(first, 10);
        Assert.Equal(PublicKeyAddResult.DuplicateKeyId, await store.AddAsync(second, 10));
        Assert.Same(first, await store.FindAsync(first.KeyId));
        Assert.Empty(await store.ListByOwnerAsync("bob"));
    }

    [Fact]
    public async Task AddAsync_AtLimit_RefusesUntilOneIsRevokedOrExpired()
    {
        InMemoryPublicKeyStore store = new();
        PublicKeyRecord a = NewRecord(expiresAt: T0.AddHours(1));
        PublicKeyRecord b = NewRecord();
        Assert.Equal(PublicKeyAddResult.Added, await store.AddAsync(a, 2));
        Assert.Equal(PublicKeyAddResult.Added, await store.AddAsync(b, 2));
        Assert.Equal(PublicKeyAddResult.ActiveKeyLimitReached, await store.AddAsync(NewRecord(), 2));

        // Another owner is unaffected.
        Assert.Equal(PublicKeyAddResult.Added, await store.AddAsync(NewRecord(owner: "bob"), 2));

        // Once a has expired (at the new record's CreatedAt) there is room again.
        Assert.Equal(PublicKeyAddResult.Added, await store.AddAsync(NewRecord(createdAt: T0.AddHours(1)), 2));
        Assert.Equal(PublicKeyAddResult.ActiveKeyLimitReached, await store.AddAsync(NewRecord(createdAt: T0.AddHours(1)), 2));

        await store.RevokeAsync(b.KeyId, T0.AddHours(2));
        Assert.Equal(PublicKeyAddResult.Added, await store.AddAsync(NewRecord(createdAt: T0.AddHours(2)), 2));
        Assert.Equal(4, (await store.ListByOwnerAsync("alice")).Count);
    }

    [Fact]
    public async Task AddAsync_ConcurrentAdds_NeverExceedLimit()
    {
        InMemoryPublicKeyStore store = new();
        PublicKeyRecord[] records = [.. Enumerable.Range(0, 200).Select(_ => NewRecord())];
        PublicKeyAddResult[] results = await Task.WhenAll(records.Select(r => Task.Run(async () => await store.AddAsync(r, 7))));
        Assert.Equal(7, results.Count(r => r == PublicKeyAddResult.Added));
        Assert.Equal(193, results.Count(r => r == PublicKeyAddResult.ActiveKeyLimitReached));
        Assert.Equal(7, (await store.ListByOwnerAsync("alice")).Count);
    }

    [Fact]
    public async Task RevokeAsync_IsIdempotent_KeepsFirstTime()
    {
        InMemoryPublicKeyStore store = new();
        PublicKeyRecord record = NewRecord();
        await store.AddAsync(record, 10);
        PublicKeyRecord? first = await store.RevokeAsync(record.KeyId, T0.AddMinutes(1));
        PublicKeyRecord? second = await store.RevokeAsync(record.KeyId, T0.AddMinutes(5));
        Assert.Equal(T0.AddMinutes(1), first!.RevokedAt);
        Assert.Equal(T0.AddMinutes(1), second!.RevokedAt);
        Assert.Equal(T0.AddMinutes(1), (await store.FindAsync(record.KeyId))!.RevokedAt);
        Assert.Null(await store.RevokeAsync(KeyId.New(), T0));
    }

    [Fact]
    public async Task RecordLastUsedAsync_NeverMovesBackwards()
    {
        InMemoryPublicKeyStore store = new();
        PublicKeyRecord record = NewRecord();
        await store.AddAsync(record, 10);
        await store.RecordLastUsedAsync(record.KeyId, T0.AddMinutes(10));
        await store.RecordLastUsedAsync(record.KeyId, T0.AddMinutes(3));
        Assert.Equal(T0.AddMinutes(10), (await store.FindAsync(record.KeyId))!.LastUsedAt);
        await store.RecordLastUsedAsync(record.KeyId, T0.AddMinutes(11));
        Assert.Equal(T0.AddMinutes(11), (await store.FindAsync(record.KeyId))!.LastUsedAt);
        await store.RecordLastUsedAsync(KeyId.New(), T0); // unknown: no-op, no throw
    }

    [Fact]
    public async Task ListByOwnerAsync_OrderedByCreatedAt_OnlyThatOwner()
    {
        InMemoryPublicKeyStore store = new();
        PublicKeyRecord late = NewRecord(createdAt: T0.AddDays(2));
        PublicKeyRecord early = NewRecord(createdAt: T0);
        PublicKeyRecord middle = NewRecord(createdAt: T0.AddDays(1));
        await store.AddAsync(late, 10);
        await store.AddAsync(early, 10);
        await store.AddAsync(middle, 10);
        await store.AddAsync(NewRecord(owner: "bob"), 10);
        Assert.Equal([early.KeyId, middle.KeyId, late.KeyId], (await store.ListByOwnerAsync("alice")).Select(r => r.KeyId));
        Assert.Empty(await store.ListByOwnerAsync("nobody"));
    }
}
