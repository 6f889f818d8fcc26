using KeyPairAuth.Keys;
using KeyPairAuth.Stores;
using KeyPairAuth.Testing.Internal;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace KeyPairAuth.Testing;

/// <summary>
/// The store conformance suite: every <see cref="IPublicKeyStore"/> (the in-memory store, the EF Core store, a store
/// you write) derives a test class from this one and must pass every test in it.
/// </summary>
/// <remarks>
/// <para>
/// xunit creates a new instance per test, so each test gets fresh services from <see cref="ConfigureServices"/>
/// over fresh, empty storage. The suite resolves the store in a new DI scope for every operation (as the key cache
/// does), so a singleton, scoped (a <c>DbContext</c>) or transient store is tested as it runs in an app; the provider
/// is built with <see cref="ServiceProviderOptions.ValidateScopes"/> on.
/// </para>
/// <para>
/// Times used by the suite are whole milliseconds, so a store may keep timestamps at millisecond precision or finer.
/// Key ids and owners are compared ordinally (case-sensitive), as the in-memory store does.
/// </para>
/// <para>
/// A store that needs a server: put <see cref="RequiresEnvironmentVariableAttribute"/> on the test class, so a run
/// without the server reports every test skipped with the reason, and a run with it fails when it is unreachable.
/// </para>
/// </remarks>
public abstract class PublicKeyStoreConformanceTests : IAsyncLifetime
{
    /// <summary>The instant the suite's records are created around (whole seconds, UTC).</summary>
    protected static readonly DateTimeOffset Epoch = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private ServiceProvider? _services;

    /// <summary>Initializes a new instance of the <see cref="PublicKeyStoreConformanceTests"/> class.</summary>
    protected PublicKeyStoreConformanceTests()
    {
    }

    /// <summary>Gets the services of the current test (built from <see cref="ConfigureServices"/>).</summary>
    /// <exception cref="InvalidOperationException">The test has not been initialized.</exception>
    protected IServiceProvider Services => _services ?? throw new InvalidOperationException("The services are built in InitializeAsync, before each test.");

    /// <summary>Gets how many writers race in the parallel tests.</summary>
    /// <value>The default value is 32.</value>
    protected virtual int ParallelWriters => 32;

    /// <summary>
    /// Registers the store under test as <see cref="IPublicKeyStore"/>, with any lifetime, over fresh, empty storage
    /// (a new database, file or instance for this test), plus whatever it depends on.
    /// </summary>
    /// <param name="services">The service collection.</param>
    protected abstract void ConfigureServices(IServiceCollection services);

    /// <summary>Prepares the storage after the services are built, for example creates the schema.</summary>
    /// <param name="services">The services of this test.</param>
    /// <returns>A task that completes when the store is ready.</returns>
    protected virtual Task InitializeStoreAsync(IServiceProvider services) => Task.CompletedTask;

    /// <summary>Releases the storage after the test, for example drops the database or deletes the file.</summary>
    /// <param name="services">The services of this test (disposed after this call).</param>
    /// <returns>A task that completes when the storage is released.</returns>
    protected virtual Task DisposeStoreAsync(IServiceProvider services) => Task.CompletedTask;

    /// <summary>
    /// Reads back every value the store has persisted, as raw as possible: every column of every row of its tables
    /// (with plain SQL, not through the store), every field of every object it holds in memory, every hash field
    /// and value in a key-value store. <see cref="Store_AfterEveryWrite_HoldsNoSeedNorSecret"/> searches them for the
    /// private key.
    /// </summary>
    /// <param name="services">The services of this test.</param>
    /// <returns>The values: byte arrays, strings and other values (compared as text).</returns>
    protected abstract Task<IReadOnlyCollection<object?>> ReadStoredValuesAsync(IServiceProvider services);

    /// <summary>Builds this test's services and prepares the store.</summary>
    /// <returns>A task that completes when the store is ready.</returns>
    public async Task InitializeAsync()
    {
        ServiceCollection services = new();
        ConfigureServices(services);
        if (!services.Any(d => d.ServiceType == typeof(IPublicKeyStore)))
        {
            throw new InvalidOperationException("ConfigureServices must register the store under test as IPublicKeyStore.");
        }

        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await InitializeStoreAsync(_services);
    }

    /// <summary>Releases the store and disposes this test's services.</summary>
    /// <returns>A task that completes when everything is released.</returns>
    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            try
            {
                await DisposeStoreAsync(_services);
            }
            finally
            {
                await _services.DisposeAsync();
                _services = null;
            }
        }
    }

    /// <summary>A record is found by its key id with every field as added, times compared as instants.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task Add_NewKey_IsFoundWithEveryField()
    {
        DateTimeOffset created = new(2030, 1, 2, 3, 4, 5, 678, TimeSpan.FromHours(5));
        PublicKeyRecord record = NewRecord(NewOwner("alice"), created) with
        {
            Name = "ci deploy",
            Scopes = ["orders:read", "orders:write"],
            ExpiresAt = created.AddDays(90).ToOffset(TimeSpan.FromHours(-8)),
        };

        Assert.Equal(PublicKeyAddResult.Added, await AddAsync(record, 10));

        PublicKeyRecord? found = await FindAsync(record.KeyId);
        AssertSameRecord(record, found);
        Assert.Null(found!.RevokedAt);
        Assert.Null(found.LastUsedAt);
    }

    /// <summary>No scopes and no expiry come back as no scopes and no expiry.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task Add_KeyWithoutScopesOrExpiry_IsFoundWithoutThem()
    {
        PublicKeyRecord record = NewRecord(NewOwner("alice"), Epoch);

        Assert.Equal(PublicKeyAddResult.Added, await AddAsync(record, 10));

        PublicKeyRecord? found = await FindAsync(record.KeyId);
        AssertSameRecord(record, found);
        Assert.Empty(found!.Scopes);
        Assert.Null(found.ExpiresAt);
    }

    /// <summary>An unknown key id is not found (and is not an error).</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task Find_UnknownKeyId_ReturnsNull()
    {
        Assert.Equal(PublicKeyAddResult.Added, await AddAsync(NewRecord(NewOwner("alice"), Epoch), 10));

        Assert.Null(await FindAsync(KeyId.New()));
    }

    /// <summary>Key ids are case-sensitive: base64url ids that differ only in case are different keys.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task Find_KeyIdDifferingOnlyInCase_ReturnsNull()
    {
        PublicKeyRecord record = NewRecord(NewOwner("alice"), Epoch) with { KeyId = "kpa_AbCdEfGhIjKlMnOp" };
        Assert.Equal(PublicKeyAddResult.Added, await AddAsync(record, 10));

        Assert.Null(await FindAsync("kpa_abcdefghijklmnop"));
        Assert.Null(await FindAsync("KPA_ABCDEFGHIJKLMNOP"));
        Assert.NotNull(await FindAsync("kpa_AbCdEfGhIjKlMnOp"));
    }

    /// <summary>
    /// An owner's keys (active, revoked and expired) come back oldest first by instant, whatever offsets the times
    /// carry, and no other owner's key is listed.
    /// </summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ListByOwner_KeysWithMixedOffsets_ReturnsThatOwnersKeysOldestFirst()
    {
        string owner = NewOwner("alice");
        string other = NewOwner("bob");

        // The latest instant has the smallest local text and the earliest the largest: an order by the text of a
        // time with its offset gets this wrong.
        PublicKeyRecord latest = NewRecord(owner, Epoch.AddHours(3).ToOffset(TimeSpan.FromHours(-8)));
        PublicKeyRecord early = NewRecord(owner, Epoch.AddHours(1).ToOffset(TimeSpan.FromHours(5)));
        PublicKeyRecord revoked = NewRecord(owner, Epoch.AddHours(2));
        PublicKeyRecord expired = NewRecord(owner, Epoch.AddMinutes(30).AddMilliseconds(1)) with { ExpiresAt = Epoch.AddMinutes(45) };
        PublicKeyRecord otherOwners = NewRecord(other, Epoch);
        foreach (PublicKeyRecord record in new[] { latest, early, revoked, expired, otherOwners })
        {
            Assert.Equal(PublicKeyAddResult.Added, await AddAsync(record, 10));
        }

        Assert.NotNull(await RevokeAsync(revoked.KeyId, Epoch.AddHours(4)));

        IReadOnlyList<PublicKeyRecord> listed = await ListAsync(owner);
        Assert.Equal([expired.KeyId, early.KeyId, revoked.KeyId, latest.KeyId], listed.Select(r => r.KeyId));
        AssertSameRecord(latest, listed[3]);
        Assert.Equal(Epoch.AddHours(4), listed[2].RevokedAt);

        Assert.Equal([otherOwners.KeyId], (await ListAsync(other)).Select(r => r.KeyId));
    }

    /// <summary>An owner without keys has an empty list.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ListByOwner_UnknownOwner_ReturnsEmpty()
    {
        Assert.Equal(PublicKeyAddResult.Added, await AddAsync(NewRecord(NewOwner("alice"), Epoch), 10));

        Assert.Empty(await ListAsync(NewOwner("nobody")));
    }

    /// <summary>Owners are case-sensitive: an owner that differs only in case is another owner, with its own limit.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ListByOwner_OwnerDifferingOnlyInCase_IsAnotherOwner()
    {
        string owner = NewOwner("alice");
        string upper = owner.ToUpperInvariant();
        PublicKeyRecord mine = NewRecord(owner, Epoch);
        PublicKeyRecord theirs = NewRecord(upper, Epoch);

        Assert.Equal(PublicKeyAddResult.Added, await AddAsync(mine, 1));
        Assert.Equal(PublicKeyAddResult.Added, await AddAsync(theirs, 1));

        Assert.Equal([mine.KeyId], (await ListAsync(owner)).Select(r => r.KeyId));
        Assert.Equal([theirs.KeyId], (await ListAsync(upper)).Select(r => r.KeyId));
    }

    /// <summary>A second record with a key id already stored (same owner or another) is refused and changes nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task Add_DuplicateKeyId_ReturnsDuplicateAndKeepsTheFirstRecord()
    {
        string owner = NewOwner("alice");
        string other = NewOwner("bob");
        PublicKeyRecord first = NewRecord(owner, Epoch);
        Assert.Equal(PublicKeyAddResult.Added, await AddAsync(first, 10));

        PublicKeyRecord sameOwner = NewRecord(owner, Epoch.AddMinutes(1)) with { KeyId = first.KeyId, Name = "second" };
        PublicKeyRecord otherOwner = NewRecord(other, Epoch.AddMinutes(2)) with { KeyId = first.KeyId, Name = "third" };
        Assert.Equal(PublicKeyAddResult.DuplicateKeyId, await AddAsync(sameOwner, 10));
        Assert.Equal(PublicKeyAddResult.DuplicateKeyId, await AddAsync(otherOwner, 10));

        AssertSameRecord(first, await FindAsync(first.KeyId));
        Assert.Single(await ListAsync(owner));
        Assert.Empty(await ListAsync(other));
    }

    /// <summary>Writers racing to add the same key id for different owners: exactly one wins, the rest get a duplicate.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task Add_SameKeyIdInParallel_ExactlyOneIsAdded()
    {
        string keyId = KeyId.New();
        PublicKeyRecord[] records = [.. Enumerable.Range(0, ParallelWriters).Select(i => NewRecord(NewOwner($"racer{i}"), Epoch) with { KeyId = keyId })];

        PublicKeyAddResult[] results = await RaceAsync(records.Length, i => UseStoreAsync(s => s.AddAsync(records[i], 10)));

        Assert.Equal(1, results.Count(r => r == PublicKeyAddResult.Added));
        Assert.Equal(records.Length - 1, results.Count(r => r == PublicKeyAddResult.DuplicateKeyId));
        PublicKeyRecord winner = records[Array.IndexOf(results, PublicKeyAddResult.Added)];
        AssertSameRecord(winner, await FindAsync(keyId));
    }

    /// <summary>At the limit, an owner's next key is refused and nothing is written; other owners are unaffected.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task Add_AtActiveKeyLimit_IsRefusedAndWritesNothing()
    {
        string owner = NewOwner("alice");
        Assert.Equal(PublicKeyAddResult.Added, await AddAsync(NewRecord(owner, Epoch), 2));
        Assert.Equal(PublicKeyAddResult.Added, await AddAsync(NewRecord(owner, Epoch.AddMinutes(1)), 2));

        PublicKeyRecord refused = NewRecord(owner, Epoch.AddMinutes(2));
        Assert.Equal(PublicKeyAddResult.ActiveKeyLimitReached, await AddAsync(refused, 2));

        Assert.Null(await FindAsync(refused.KeyId));
        Assert.Equal(2, (await ListAsync(owner)).Count);
        Assert.Equal(PublicKeyAddResult.Added, await AddAsync(NewRecord(NewOwner("bob"), Epoch.AddMinutes(2)), 2));
    }

    /// <summary>
    /// Only keys active at the new record's creation time count: a revoked key frees its slot, and a key whose expiry
    /// is at or before that time does too.
    /// </summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task Add_RevokedAndExpiredKeys_DoNotCountTowardTheLimit()
    {
        string owner = NewOwner("alice");
        PublicKeyRecord expiring = NewRecord(owner, Epoch) with { ExpiresAt = Epoch.AddHours(1) };
        PublicKeyRecord revoked = NewRecord(owner, Epoch);
        Assert.Equal(PublicKeyAddResult.Added, await AddAsync(expiring, 2));
        Assert.Equal(PublicKeyAddResult.Added, await AddAsync(revoked, 2));
        Assert.Equal(PublicKeyAddResult.ActiveKeyLimitReached, await AddAsync(NewRecord(owner, Epoch.AddMinutes(5)), 2));

        Assert.NotNull(await RevokeAsync(revoked.KeyId, Epoch.AddMinutes(10)));
        PublicKeyRecord afterRevoke = NewRecord(owner, Epoch.AddMinutes(20));
        Assert.Equal(PublicKeyAddResult.Added, await AddAsync(afterRevoke, 2));
        Assert.Equal(PublicKeyAddResult.ActiveKeyLimitReached, await AddAsync(NewRecord(owner, Epoch.AddMinutes(59)), 2));

        // Created exactly when the first key expires: an expiry at or before "now" means expired.
        Assert.Equal(PublicKeyAddResult.Added, await AddAsync(NewRecord(owner, Epoch.AddHours(1)), 2));
        Assert.Equal(PublicKeyAddResult.ActiveKeyLimitReached, await AddAsync(NewRecord(owner, Epoch.AddHours(2)), 2));
        Assert.Equal(4, (await ListAsync(owner)).Count);
    }

    /// <summary>
    /// <see cref="ParallelWriters"/> writers add keys for one owner at once: exactly the limit succeed, every other one
    /// is refused, and exactly the limit is stored. A check-then-insert without atomicity fails this.
    /// </summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task Add_ParallelWritersForOneOwner_ExactlyMaxAreAdded()
    {
        const int max = 5;
        string owner = NewOwner("alice");
        PublicKeyRecord[] records = [.. Enumerable.Range(0, ParallelWriters).Select(i => NewRecord(owner, Epoch.AddMilliseconds(i)))];

        PublicKeyAddResult[] results = await RaceAsync(records.Length, i => UseStoreAsync(s => s.AddAsync(records[i], max)));

        Assert.Equal(max, results.Count(r => r == PublicKeyAddResult.Added));
        Assert.Equal(records.Length - max, results.Count(r => r == PublicKeyAddResult.ActiveKeyLimitReached));
        IReadOnlyList<PublicKeyRecord> stored = await ListAsync(owner);
        Assert.Equal(max, stored.Count);
        Assert.Equal(
            records.Where((_, i) => results[i] == PublicKeyAddResult.Added).Select(r => r.KeyId).Order(StringComparer.Ordinal),
            stored.Select(r => r.KeyId).Order(StringComparer.Ordinal));
    }

    /// <summary>Writers for several owners at once: each owner gets exactly its own limit (the limit is per owner).</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task Add_ParallelWritersForSeveralOwners_EachOwnerGetsExactlyMax()
    {
        const int max = 3;
        string[] owners = [NewOwner("alice"), NewOwner("bob"), NewOwner("carol"), NewOwner("dave")];
        PublicKeyRecord[] records = [.. Enumerable.Range(0, ParallelWriters).Select(i => NewRecord(owners[i % owners.Length], Epoch.AddMilliseconds(i)))];

        PublicKeyAddResult[] results = await RaceAsync(records.Length, i => UseStoreAsync(s => s.AddAsync(records[i], max)));

        foreach (string owner in owners)
        {
            int writers = records.Count(r => r.Owner == owner);
            Assert.Equal(Math.Min(max, writers), results.Where((_, i) => records[i].Owner == owner).Count(r => r == PublicKeyAddResult.Added));
            Assert.Equal(Math.Min(max, writers), (await ListAsync(owner)).Count);
        }
    }

    /// <summary>Revoking twice keeps the first revocation time, even when the second time is earlier.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task Revoke_Twice_KeepsTheFirstRevocationTime()
    {
        PublicKeyRecord record = NewRecord(NewOwner("alice"), Epoch);
        Assert.Equal(PublicKeyAddResult.Added, await AddAsync(record, 10));
        DateTimeOffset first = Epoch.AddHours(1).ToOffset(TimeSpan.FromHours(2));

        PublicKeyRecord? revoked = await RevokeAsync(record.KeyId, first);
        PublicKeyRecord? again = await RevokeAsync(record.KeyId, Epoch.AddHours(2));
        PublicKeyRecord? earlier = await RevokeAsync(record.KeyId, Epoch.AddMinutes(30));

        Assert.Equal(first, revoked?.RevokedAt);
        Assert.Equal(first, again?.RevokedAt);
        Assert.Equal(first, earlier?.RevokedAt);
        PublicKeyRecord? found = await FindAsync(record.KeyId);
        Assert.Equal(first, found?.RevokedAt);
        Assert.True(found?.IsRevoked);
        AssertSameRecord(record, revoked);
    }

    /// <summary>Writers racing to revoke one key with different times: one time wins and every caller is told that time.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task Revoke_InParallel_EveryCallerSeesTheOneStoredTime()
    {
        PublicKeyRecord record = NewRecord(NewOwner("alice"), Epoch);
        Assert.Equal(PublicKeyAddResult.Added, await AddAsync(record, 10));
        DateTimeOffset[] times = [.. Enumerable.Range(0, ParallelWriters).Select(i => Epoch.AddHours(1).AddMilliseconds(i * 7))];

        PublicKeyRecord?[] results = await RaceAsync(times.Length, i => UseStoreAsync(s => s.RevokeAsync(record.KeyId, times[i])));

        DateTimeOffset? stored = (await FindAsync(record.KeyId))?.RevokedAt;
        Assert.NotNull(stored);
        Assert.Contains(stored.Value, times);
        Assert.All(results, r => Assert.Equal(stored, r?.RevokedAt));
    }

    /// <summary>Revoking an unknown key id returns null and creates nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task Revoke_UnknownKeyId_ReturnsNullAndCreatesNothing()
    {
        string keyId = KeyId.New();

        Assert.Null(await RevokeAsync(keyId, Epoch));

        Assert.Null(await FindAsync(keyId));
    }

    /// <summary>Last-used moves forward only: an earlier (late-arriving) time is ignored, a later one is kept.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task RecordLastUsed_EarlierTime_NeverMovesBackwards()
    {
        PublicKeyRecord record = NewRecord(NewOwner("alice"), Epoch);
        Assert.Equal(PublicKeyAddResult.Added, await AddAsync(record, 10));

        await RecordLastUsedAsync(record.KeyId, Epoch.AddMinutes(10));
        Assert.Equal(Epoch.AddMinutes(10), (await FindAsync(record.KeyId))?.LastUsedAt);

        // Earlier, also when its local text looks later.
        await RecordLastUsedAsync(record.KeyId, Epoch.AddMinutes(5).ToOffset(TimeSpan.FromHours(9)));
        await RecordLastUsedAsync(record.KeyId, Epoch.AddMinutes(9).AddMilliseconds(999));
        Assert.Equal(Epoch.AddMinutes(10), (await FindAsync(record.KeyId))?.LastUsedAt);

        // Later, also when its local text looks earlier.
        DateTimeOffset later = Epoch.AddMinutes(10).AddMilliseconds(1).ToOffset(TimeSpan.FromHours(-10));
        await RecordLastUsedAsync(record.KeyId, later);
        Assert.Equal(later, (await FindAsync(record.KeyId))?.LastUsedAt);
    }

    /// <summary>Writers racing to record last-used times in random order: the latest time is what stays.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task RecordLastUsed_InParallel_KeepsTheLatestTime()
    {
        PublicKeyRecord record = NewRecord(NewOwner("alice"), Epoch);
        Assert.Equal(PublicKeyAddResult.Added, await AddAsync(record, 10));
        DateTimeOffset[] times = [.. Enumerable.Range(0, ParallelWriters).Select(i => Epoch.AddSeconds(1 + i))];
        System.Security.Cryptography.RandomNumberGenerator.Shuffle(times.AsSpan());

        await RaceAsync(times.Length, i => UseStoreAsync(async s =>
        {
            await s.RecordLastUsedAsync(record.KeyId, times[i]);
            return true;
        }));

        Assert.Equal(times.Max(), (await FindAsync(record.KeyId))?.LastUsedAt);
    }

    /// <summary>Recording last-used for an unknown key id is not an error and creates nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task RecordLastUsed_UnknownKeyId_CreatesNothing()
    {
        string keyId = KeyId.New();

        await RecordLastUsedAsync(keyId, Epoch);

        Assert.Null(await FindAsync(keyId));
    }

    /// <summary>
    /// A revocation and a last-used write racing on the same keys both land: neither overwrites the other with a stale
    /// copy of the record (a read-modify-write of the whole record fails this).
    /// </summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task RevokeAndRecordLastUsed_InParallel_NeitherIsLost()
    {
        int keys = Math.Max(1, ParallelWriters / 2);
        string owner = NewOwner("alice");
        PublicKeyRecord[] records = [.. Enumerable.Range(0, keys).Select(i => NewRecord(owner, Epoch.AddMilliseconds(i)))];
        foreach (PublicKeyRecord record in records)
        {
            Assert.Equal(PublicKeyAddResult.Added, await AddAsync(record, keys));
        }

        DateTimeOffset revokedAt = Epoch.AddHours(1);
        DateTimeOffset usedAt = Epoch.AddMinutes(59);
        await RaceAsync(keys * 2, i => UseStoreAsync(async s =>
        {
            string keyId = records[i / 2].KeyId;
            if (i % 2 == 0)
            {
                await s.RevokeAsync(keyId, revokedAt);
            }
            else
            {
                await s.RecordLastUsedAsync(keyId, usedAt);
            }

            return true;
        }));

        foreach (PublicKeyRecord record in records)
        {
            PublicKeyRecord? found = await FindAsync(record.KeyId);
            Assert.Equal(revokedAt, found?.RevokedAt);
            Assert.Equal(usedAt, found?.LastUsedAt);
        }
    }

    /// <summary>
    /// After a key is added, used and revoked, nothing the store persisted holds the private key: not the 32-byte
    /// seed, nor its base64, base64url or hex text, nor the secret string. The public key must be among the values
    /// read (so the read is real).
    /// </summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task Store_AfterEveryWrite_HoldsNoSeedNorSecret()
    {
        using SigningKey key = SigningKey.Generate();
        string secret = key.ExportSecret();
        byte[] seed = SecretScan.SeedOf(secret);
        PublicKeyRecord record = NewRecord(NewOwner("alice"), Epoch) with { KeyId = key.KeyId, PublicKey = key.PublicKey, Scopes = ["orders:read"] };
        Assert.Equal(PublicKeyAddResult.Added, await AddAsync(record, 10));
        await RecordLastUsedAsync(record.KeyId, Epoch.AddMinutes(1));
        Assert.NotNull(await RevokeAsync(record.KeyId, Epoch.AddMinutes(2)));

        IReadOnlyCollection<object?> values = await ReadStoredValuesAsync(Services);

        byte[] publicKey = key.PublicKey.RawBytes.ToArray();
        Assert.True(values.Any(v => SecretScan.Holds(v, publicKey)), "The stored values read back do not contain the public key's bytes: ReadStoredValuesAsync must return what the store persisted.");
        string? leak = SecretScan.Find(values, seed, secret);
        Assert.True(leak is null, leak);
    }

    /// <summary>Creates a record for the suite: a fresh key pair's public key and key id, name "test", no scopes.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="createdAt">When it is created.</param>
    /// <returns>The record.</returns>
    protected static PublicKeyRecord NewRecord(string owner, DateTimeOffset createdAt)
    {
        using SigningKey key = SigningKey.Generate();
        return new PublicKeyRecord
        {
            KeyId = key.KeyId,
            Owner = owner,
            Name = "test",
            PublicKey = key.PublicKey,
            CreatedAt = createdAt,
        };
    }

    /// <summary>Creates an owner name unique to this test (so a store whose storage is shared still isolates tests).</summary>
    /// <param name="name">A readable prefix.</param>
    /// <returns>The owner.</returns>
    protected static string NewOwner(string name) => $"{name}-{Guid.NewGuid():N}";

    /// <summary>Runs one operation on the store resolved in a new DI scope, as the key cache and the issuer use it.</summary>
    /// <typeparam name="T">The operation's result.</typeparam>
    /// <param name="operation">The operation.</param>
    /// <returns>The operation's result.</returns>
    protected async Task<T> UseStoreAsync<T>(Func<IPublicKeyStore, ValueTask<T>> operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        AsyncServiceScope scope = Services.CreateAsyncScope();
        await using (scope)
        {
            return await operation(scope.ServiceProvider.GetRequiredService<IPublicKeyStore>());
        }
    }

    /// <summary>Asserts that two records hold the same fields (times compared as instants).</summary>
    /// <param name="expected">The expected record.</param>
    /// <param name="actual">The record read back.</param>
    protected static void AssertSameRecord(PublicKeyRecord expected, PublicKeyRecord? actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        Assert.NotNull(actual);
        Assert.Equal(expected.KeyId, actual.KeyId);
        Assert.Equal(expected.Owner, actual.Owner);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.PublicKey.RawBytes.ToArray(), actual.PublicKey.RawBytes.ToArray());
        Assert.Equal(expected.Scopes, actual.Scopes);
        Assert.Equal(expected.CreatedAt, actual.CreatedAt);
        Assert.Equal(expected.ExpiresAt, actual.ExpiresAt);
    }

    private Task<PublicKeyAddResult> AddAsync(PublicKeyRecord record, int max) => UseStoreAsync(s => s.AddAsync(record, max));

    private Task<PublicKeyRecord?> FindAsync(string keyId) => UseStoreAsync(s => s.FindAsync(keyId));

    private Task<IReadOnlyList<PublicKeyRecord>> ListAsync(string owner) => UseStoreAsync(s => s.ListByOwnerAsync(owner));

    private Task<PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset at) => UseStoreAsync(s => s.RevokeAsync(keyId, at));

    private Task<bool> RecordLastUsedAsync(string keyId, DateTimeOffset at) => UseStoreAsync(async s =>
    {
        await s.RecordLastUsedAsync(keyId, at);
        return true;
    });

    // Every racer waits on one gate so they start together, each on the thread pool with its own scope.
    private static async Task<T[]> RaceAsync<T>(int count, Func<int, Task<T>> racer)
    {
        TaskCompletionSource gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<T>[] tasks = [.. Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            await gate.Task.ConfigureAwait(false);
            return await racer(i).ConfigureAwait(false);
        }))];
        gate.SetResult();
        return await Task.WhenAll(tasks);
    }
}
