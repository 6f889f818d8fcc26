using KeyPairAuth.Keys;
using KeyPairAuth.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace KeyPairAuth.EntityFrameworkCore;

/// <summary>
/// The <see cref="IPublicKeyStore"/> on the application's own <typeparamref name="TContext"/> (registered scoped,
/// like the context). Provider-neutral: only LINQ, <c>ExecuteUpdate</c> and a transaction.
/// </summary>
/// <remarks>
/// <para>
/// Database errors are never turned into "not found": they propagate, and the authentication handler reports them as
/// an infrastructure failure (logged at Error, 500), not as an unknown key.
/// </para>
/// <para>
/// <b>The active-key limit.</b> <see cref="AddAsync"/> runs, in one transaction: an <c>UPDATE</c> of the owner's row
/// in the key-owners table, a count of the owner's active keys, and the insert. The <c>UPDATE</c> takes that row's
/// write lock until commit, so two writers for the same owner run one after the other (under READ COMMITTED, the
/// default of PostgreSQL and SQL Server, the second one's count then sees the first one's key), while writers for
/// other owners do not wait. A stored counter of active keys would be cheaper to check but goes stale by itself:
/// a key that expires stops counting without any write. Counting under the owner's lock matches the in-memory store
/// exactly: a key counts when it is neither revoked nor expired at the new key's creation time, so revocation and
/// expiry free a slot with nothing to keep in sync. A unique index cannot express "at most N", and SERIALIZABLE
/// would serialize (or abort) far more than one owner's writers.
/// </para>
/// <para>
/// The owner's first key has no row to lock yet: the row is inserted with the key. Two first writers racing both
/// insert it; the primary key refuses the second, whose transaction rolls back and runs again, now behind the lock.
/// SQLite takes a database-wide write lock at <c>BEGIN IMMEDIATE</c> (what Microsoft.Data.Sqlite issues), so there
/// the writers queue on that lock (waiting up to the command timeout) and the row lock changes nothing.
/// </para>
/// <para>
/// The key is inserted with <c>SaveChanges</c> on the shared context, as ASP.NET Core Identity's stores do: changes
/// the application left pending on the same context instance are saved with it. Revocation and last-used times are
/// single conditional <c>UPDATE</c> statements (no read-modify-write), so they never overwrite each other.
/// </para>
/// </remarks>
internal sealed class EntityFrameworkCorePublicKeyStore<TContext> : IPublicKeyStore
    where TContext : DbContext
{
    // A retry only follows losing the race to create an owner's row; a second loss would need that row deleted.
    private const int MaxAddAttempts = 4;

    private readonly TContext _context;

    public EntityFrameworkCorePublicKeyStore(TContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Model.FindEntityType(typeof(PublicKeyEntity)) is null || context.Model.FindEntityType(typeof(KeyOwnerEntity)) is null)
        {
            throw new InvalidOperationException(
                $"{typeof(TContext).Name} has no KeyPairAuth tables in its model: call modelBuilder.AddKeyPairAuth() in its OnModelCreating.");
        }

        _context = context;
    }

    private enum AttemptOutcome
    {
        Added,
        DuplicateKeyId,
        ActiveKeyLimitReached,
        Conflict,
    }

    private DbSet<PublicKeyEntity> Keys => _context.Set<PublicKeyEntity>();

    public async ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        // Not an EF compiled query: those refuse a second model for the same context type (one context class used
        // with two providers or schemas); EF's query cache already skips recompiling this shape.
        PublicKeyEntity? entity = await Keys.AsNoTracking().FirstOrDefaultAsync(k => k.KeyId == keyId, cancellationToken).ConfigureAwait(false);
        return entity is null ? null : ToRecord(entity);
    }

    public async ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        List<PublicKeyEntity> entities = await Keys.AsNoTracking()
            .Where(k => k.Owner == owner)
            .OrderBy(k => k.CreatedAt)
            .ThenBy(k => k.Id)
            .ToListAsync(cancellationToken)
            .ConfigureAwait(false);
        return [.. entities.Select(ToRecord)];
    }

    public async ValueTask<PublicKeyAddResult> AddAsync(PublicKeyRecord record, int maxActiveKeysPerOwner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxActiveKeysPerOwner);

        // A record that is not active at its own creation (already expired or revoked) takes no slot, as in memory.
        bool takesSlot = record.IsActiveAt(record.CreatedAt);
        for (int attempt = 1; ; attempt++)
        {
            (AttemptOutcome outcome, DbUpdateException? conflict) = _context.Database.CurrentTransaction is not null
                // The application's own transaction: take part in it (it commits) and let any conflict propagate,
                // since a failed statement may have aborted it.
                ? await TryAddAsync(record, maxActiveKeysPerOwner, takesSlot, ownTransaction: false, cancellationToken).ConfigureAwait(false)
                // The execution strategy re-runs the whole transaction when the app configured retries on transient errors.
                : await _context.Database.CreateExecutionStrategy().ExecuteAsync(
                    (Store: this, Record: record, Max: maxActiveKeysPerOwner, TakesSlot: takesSlot),
                    static (_, state, ct) => state.Store.TryAddAsync(state.Record, state.Max, state.TakesSlot, ownTransaction: true, ct),
                    verifySucceeded: null,
                    cancellationToken).ConfigureAwait(false);

            switch (outcome)
            {
                case AttemptOutcome.Added:
                    return PublicKeyAddResult.Added;
                case AttemptOutcome.DuplicateKeyId:
                    return PublicKeyAddResult.DuplicateKeyId;
                case AttemptOutcome.ActiveKeyLimitReached:
                    return PublicKeyAddResult.ActiveKeyLimitReached;
            }

            // Conflict: the insert was refused, most likely by a unique index. Either the key id was taken meanwhile (by
            // any owner: the owner lock does not cover that) or another writer created this owner's row first; then run
            // again, behind its lock. Anything else (a value too long, the database gone) fails again and is rethrown.
            if (await Keys.AsNoTracking().AnyAsync(k => k.KeyId == record.KeyId, cancellationToken).ConfigureAwait(false))
            {
                return PublicKeyAddResult.DuplicateKeyId;
            }

            if (attempt >= MaxAddAttempts)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(conflict!);
            }
        }
    }

    public async ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        DateTime at = StoredTime.ToStored(revokedAt);

        // Only the first revocation writes; concurrent ones find revoked_at set once the first commits.
        await Keys.Where(k => k.KeyId == keyId && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, at), cancellationToken)
            .ConfigureAwait(false);
        return await FindAsync(keyId, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask RecordLastUsedAsync(string keyId, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        DateTime at = StoredTime.ToStored(lastUsedAt);

        // One statement; the condition keeps a late, older time from moving last_used backwards.
        await Keys.Where(k => k.KeyId == keyId && (k.LastUsedAt == null || k.LastUsedAt < at))
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, at), cancellationToken)
            .ConfigureAwait(false);
    }

    private static PublicKeyEntity ToEntity(PublicKeyRecord record) => new()
    {
        KeyId = record.KeyId,
        Owner = record.Owner,
        Name = record.Name,
        PublicKey = record.PublicKey.RawBytes.ToArray(),
        Scopes = ScopesJson.Write(record.Scopes),
        CreatedAt = StoredTime.ToStored(record.CreatedAt),
        ExpiresAt = StoredTime.ToStored(record.ExpiresAt),
        RevokedAt = StoredTime.ToStored(record.RevokedAt),
        LastUsedAt = StoredTime.ToStored(record.LastUsedAt),
    };

    private static PublicKeyRecord ToRecord(PublicKeyEntity entity) => new()
    {
        KeyId = entity.KeyId,
        Owner = entity.Owner,
        Name = entity.Name,
        PublicKey = Ed25519PublicKey.FromRawBytes(entity.PublicKey),
        Scopes = ScopesJson.Read(entity.Scopes),
        CreatedAt = StoredTime.FromStored(entity.CreatedAt),
        ExpiresAt = StoredTime.FromStored(entity.ExpiresAt),
        RevokedAt = StoredTime.FromStored(entity.RevokedAt),
        LastUsedAt = StoredTime.FromStored(entity.LastUsedAt),
    };

    private async Task<(AttemptOutcome Outcome, DbUpdateException? Conflict)> TryAddAsync(PublicKeyRecord record, int max, bool takesSlot, bool ownTransaction, CancellationToken cancellationToken)
    {
        IDbContextTransaction? transaction = ownTransaction
            ? await _context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false)
            : null;
        PublicKeyEntity key = ToEntity(record);
        KeyOwnerEntity? newOwner = null;
        try
        {
            // Lock the owner's row first (see the class remarks); 0 rows means this is the owner's first key.
            int locked = await _context.Set<KeyOwnerEntity>()
                .Where(o => o.Owner == record.Owner)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.Version, o => o.Version + 1), cancellationToken)
                .ConfigureAwait(false);

            if (await Keys.AsNoTracking().AnyAsync(k => k.KeyId == record.KeyId, cancellationToken).ConfigureAwait(false))
            {
                return (AttemptOutcome.DuplicateKeyId, null);
            }

            if (takesSlot)
            {
                DateTime now = key.CreatedAt;
                int active = await Keys.AsNoTracking()
                    .CountAsync(k => k.Owner == record.Owner && k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now), cancellationToken)
                    .ConfigureAwait(false);
                if (active >= max)
                {
                    return (AttemptOutcome.ActiveKeyLimitReached, null);
                }
            }

            if (locked == 0)
            {
                newOwner = new KeyOwnerEntity { Owner = record.Owner, Version = 1 };
                _context.Add(newOwner);
            }

            _context.Add(key);
            try
            {
                await _context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException ex) when (ownTransaction)
            {
                // Rolled back below; AddAsync finds out what conflicted.
                return (AttemptOutcome.Conflict, ex);
            }

            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            return (AttemptOutcome.Added, null);
        }
        finally
        {
            // The context is the application's: leave nothing of ours tracked, whatever happened.
            _context.Entry(key).State = EntityState.Detached;
            if (newOwner is not null)
            {
                _context.Entry(newOwner).State = EntityState.Detached;
            }

            if (transaction is not null)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
