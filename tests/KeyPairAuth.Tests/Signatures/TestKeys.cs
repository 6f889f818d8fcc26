using KeyPairAuth.Keys;
using KeyPairAuth.Replay;
using KeyPairAuth.Stores;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>RFC 9421 B.1.4 test-key-ed25519, and hand-written store / replay-cache fakes.</summary>
internal static class TestKeys
{
    public const string RfcKeyId = "test-key-ed25519";

    public static byte[] RfcSeed => Convert.FromHexString("9f8362f87a484a954e6e740c5b4c0e84229139a20aa8ab56ff66586f6a7d29c5");

    public static byte[] RfcPublic => Convert.FromHexString("26b40b8f93fff3d897112f7ebc582b232dbd72517d082fe83cfb30ddce43d1bb");

    public static SigningKey RfcSigningKey(string keyId = RfcKeyId) => SigningKey.FromSeed(keyId, RfcSeed);

    public static SigningKey NewSigningKey(string keyId, byte fill)
    {
        byte[] seed = new byte[32];
        Array.Fill(seed, fill);
        return SigningKey.FromSeed(keyId, seed);
    }

    public static PublicKeyRecord Record(SigningKey key, DateTimeOffset? expiresAt = null, DateTimeOffset? revokedAt = null) => new()
    {
        KeyId = key.KeyId,
        Owner = "owner-1",
        Name = "test",
        PublicKey = key.PublicKey,
        CreatedAt = DateTimeOffset.UnixEpoch,
        ExpiresAt = expiresAt,
        RevokedAt = revokedAt,
    };
}

internal sealed class FakeKeyStore : IPublicKeyStore
{
    private readonly Dictionary<string, PublicKeyRecord> _records = new(StringComparer.Ordinal);

    public int FindCalls { get; private set; }

    public Exception? Failure { get; set; }

    public FakeKeyStore Add(PublicKeyRecord record)
    {
        _records[record.KeyId] = record;
        return this;
    }

    public ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default)
    {
        FindCalls++;
        if (Failure is not null)
        {
            throw Failure;
        }

        return ValueTask.FromResult(_records.GetValueOrDefault(keyId));
    }

    public ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<PublicKeyRecord>>([.. _records.Values.Where(r => r.Owner == owner)]);

    public ValueTask<PublicKeyAddResult> AddAsync(PublicKeyRecord record, int maxActiveKeysPerOwner, CancellationToken cancellationToken = default)
    {
        _records[record.KeyId] = record;
        return ValueTask.FromResult(PublicKeyAddResult.Added);
    }

    public ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public ValueTask RecordLastUsedAsync(string keyId, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default) =>
        ValueTask.CompletedTask;
}

internal sealed class FakeReplayCache : IReplayCache
{
    private readonly HashSet<(string, string)> _seen = [];

    public List<(string KeyId, string Nonce, DateTimeOffset RememberUntil)> Calls { get; } = [];

    public ReplayCheckResult? ForcedResult { get; set; }

    public ValueTask<ReplayCheckResult> TryAddAsync(string keyId, string nonce, DateTimeOffset rememberUntil, CancellationToken cancellationToken = default)
    {
        Calls.Add((keyId, nonce, rememberUntil));
        if (ForcedResult is { } forced)
        {
            return ValueTask.FromResult(forced);
        }

        return ValueTask.FromResult(_seen.Add((keyId, nonce)) ? ReplayCheckResult.Accepted : ReplayCheckResult.Replayed);
    }
}
