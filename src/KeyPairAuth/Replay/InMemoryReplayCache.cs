using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace KeyPairAuth.Replay;

/// <summary>
/// An <see cref="IReplayCache"/> for a single process: remembers each accepted (key id, nonce) pair in 20 bytes of a
/// sharded open-addressing table until its <c>rememberUntil</c>, with a hard capacity that fails closed.
/// </summary>
/// <remarks>
/// <para>
/// Pairs are not stored as strings: each is reduced to a 128-bit SHA-256 digest of a random per-instance salt, the
/// length-prefixed key id and the nonce, stored beside its expiry in whole seconds. Two different pairs with the same
/// digest (about 2<sup>-128</sup> per pair) make the second look like a replay: a collision can only refuse a fresh
/// request (fail closed), never accept a replayed one, because a replayed pair always has the same digest.
/// </para>
/// <para>
/// Expired pairs are reclaimed without a timer: their slots are reused by later inserts and dropped whenever a shard
/// rehashes. A pair is forgotten at most one second after its <c>rememberUntil</c> (expiry is rounded up), never
/// before. When the cache holds <see cref="InMemoryReplayCacheOptions.MaxEntries"/> unexpired pairs it answers
/// <see cref="ReplayCheckResult.CapacityExceeded"/> rather than evict one, which would re-open replay.
/// </para>
/// <para>
/// The table is split into up to 64 shards, each with its own lock and an equal share of the capacity, so with many
/// shards the first <see cref="ReplayCheckResult.CapacityExceeded"/> can come slightly (a few percent) before the
/// total reaches <see cref="InMemoryReplayCacheOptions.MaxEntries"/>; it never holds more.
/// Several instances behind a load balancer need a shared cache (Redis) instead.
/// </para>
/// <para>
/// Each key may hold at most <see cref="InMemoryReplayCacheOptions.MaxEntriesPerKey"/> of the pairs (a tenth of the
/// capacity by default); beyond it that key alone gets <see cref="ReplayCheckResult.RateLimited"/>, so one key cannot
/// fill the cache and turn every other key's requests into <see cref="ReplayCheckResult.CapacityExceeded"/>. The
/// per-key counts live in a fixed-size table of hashed counters beside the pair table (see <see cref="KeyShares"/>):
/// no key id is stored and the memory per remembered pair is unchanged.
/// </para>
/// </remarks>
public sealed partial class InMemoryReplayCache : ISpanReplayCache
{
    private const int MaxShards = 64;
    private const int MinEntriesPerShard = 4096;
    private const int SaltSize = 32;
    private const int StackHashInputLimit = 1024;

    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    private readonly TimeProvider _timeProvider;
    private readonly byte[] _salt = RandomNumberGenerator.GetBytes(SaltSize);
    private readonly Shard[] _shards;
    private readonly int _shardShift;
    private readonly long _originTicks;
    private readonly int _maxEntries;

    // Null when a key may hold the whole capacity (MaxEntriesPerKey = MaxEntries): nothing to count.
    private readonly KeyShares? _shares;

    /// <summary>Initializes a new instance of the <see cref="InMemoryReplayCache"/> class.</summary>
    /// <param name="timeProvider">The clock that decides when remembered pairs expire.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the parameter name names the setting.</exception>
    public InMemoryReplayCache(TimeProvider timeProvider, InMemoryReplayCacheOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        options ??= new InMemoryReplayCacheOptions();
        if (InMemoryReplayCacheOptionsValidator.FirstFailure(options) is { } failure)
        {
            throw new ArgumentOutOfRangeException($"InMemoryReplayCacheOptions.{failure.Setting}", failure.Message);
        }

        _timeProvider = timeProvider;
        _originTicks = timeProvider.GetUtcNow().UtcTicks;
        _maxEntries = options.MaxEntries;

        // A power of two, at most MaxShards, each holding at least MinEntriesPerShard pairs (one shard for small caches).
        int shardCount = Math.Min(MaxShards, 1 << BitOperations.Log2((uint)Math.Max(1, options.MaxEntries / MinEntriesPerShard)));
        _shardShift = 64 - BitOperations.Log2((uint)shardCount);
        int perShard = options.MaxEntries / shardCount;
        int remainder = options.MaxEntries % shardCount;
        _shards = new Shard[shardCount];
        for (int i = 0; i < shardCount; i++)
        {
            _shards[i] = new Shard(perShard + (i < remainder ? 1 : 0));
        }

        int share = options.MaxEntriesPerKey ?? Math.Max(1, options.MaxEntries / 10);
        MaxEntriesPerKey = share;
        _shares = share < options.MaxEntries ? new KeyShares(share, options.MaxEntries) : null;
    }

    /// <summary>Gets the effective per-key share (the option, or its default of a tenth of the capacity).</summary>
    internal int MaxEntriesPerKey { get; }

    /// <summary>Gets the bytes held by the per-key counters (0 when there is no per-key limit).</summary>
    internal int KeyShareBytes => _shares?.Bytes ?? 0;

    /// <summary>Gets the number of remembered pairs that have not expired. Walks the whole table: for diagnostics and tests.</summary>
    internal int Count
    {
        get
        {
            uint now = NowSeconds();
            int count = 0;
            foreach (Shard shard in _shards)
            {
                count += shard.CountLive(now);
            }

            return count;
        }
    }

    /// <summary>Gets the number of table slots allocated across all shards (each <see cref="SlotSize"/> bytes).</summary>
    internal long SlotCapacity
    {
        get
        {
            long slots = 0;
            foreach (Shard shard in _shards)
            {
                slots += shard.Capacity;
            }

            return slots;
        }
    }

    /// <summary>Gets the number of shards.</summary>
    internal int ShardCount => _shards.Length;

    /// <summary>Gets the size of one table slot in bytes.</summary>
    internal static int SlotSize => Marshal.SizeOf<Slot>();

    /// <inheritdoc />
    public ValueTask<ReplayCheckResult> TryAddAsync(string keyId, string nonce, DateTimeOffset rememberUntil, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        ArgumentNullException.ThrowIfNull(nonce);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<ReplayCheckResult>(cancellationToken);
        }

        return new ValueTask<ReplayCheckResult>(TryAdd(keyId, nonce, rememberUntil));
    }

    /// <summary>
    /// The check-and-set of <see cref="TryAddAsync"/> on spans, completing synchronously: the verifier's hot path calls it
    /// (through <see cref="ISpanReplayCache"/>) with the key id and nonce still inside the <c>Signature-Input</c> value, so
    /// no strings are allocated.
    /// </summary>
    /// <param name="keyId">The key id of the verified signature.</param>
    /// <param name="nonce">The signature's <c>nonce</c> parameter.</param>
    /// <param name="rememberUntil">When the pair may be forgotten.</param>
    /// <returns>Whether the pair was new, a replay, or could not be recorded.</returns>
    internal ReplayCheckResult TryAdd(ReadOnlySpan<char> keyId, ReadOnlySpan<char> nonce, DateTimeOffset rememberUntil)
    {
        uint now = NowSeconds();

        // Round up, and keep even an already-past pair for a second: remembering longer is always the safe side.
        long until = (rememberUntil.UtcTicks - _originTicks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
        uint expiry = (uint)Math.Clamp(until, now + 1L, uint.MaxValue);

        // The key's share is reserved before the pair is looked up (a key over its share costs no hash) and given back
        // unless the pair is remembered, so replays and refusals never count against it.
        KeyShares.Reservation reservation = default;
        if (_shares is not null && !_shares.TryReserve(keyId, expiry, now, out reservation))
        {
            return ReplayCheckResult.RateLimited;
        }

        (ulong hi, ulong lo) = DigestOverride is { } digest ? digest(keyId, nonce) : Digest(keyId, nonce);
        Shard shard = _shards[_shards.Length == 1 ? 0 : (int)(hi >> _shardShift)];
        ReplayCheckResult result = shard.TryAdd(hi, lo, expiry, now, AfterProbe);
        if (result != ReplayCheckResult.Accepted)
        {
            _shares?.Release(reservation);
        }

        return result;
    }

    /// <inheritdoc />
    ReplayCheckResult ISpanReplayCache.TryAdd(ReadOnlySpan<char> keyId, ReadOnlySpan<char> nonce, DateTimeOffset rememberUntil) =>
        TryAdd(keyId, nonce, rememberUntil);

    /// <summary>
    /// Gets or sets a test seam run inside the check-and-set, between the lookup and the insert. Tests use it to
    /// widen the race window so a missing lock would show up as a double acceptance.
    /// </summary>
    internal Action? AfterProbe { get; set; }

    /// <summary>
    /// Gets or sets a test seam that replaces the salted SHA-256 digest of a pair. Tests use it to give two pairs digests
    /// that share one half (odds of 2<sup>-64</sup> with the real digest), so the table must compare both halves.
    /// </summary>
    internal PairDigest? DigestOverride { get; set; }

    /// <summary>Drops every expired pair and shrinks the tables to fit what is left.</summary>
    internal void TrimExpired()
    {
        uint now = NowSeconds();
        foreach (Shard shard in _shards)
        {
            shard.Trim(now);
        }
    }

    private uint NowSeconds()
    {
        long seconds = (_timeProvider.GetUtcNow().UtcTicks - _originTicks) / TimeSpan.TicksPerSecond;
        return (uint)Math.Clamp(seconds, 0, uint.MaxValue - 1);
    }

    private (ulong Hi, ulong Lo) Digest(ReadOnlySpan<char> keyId, ReadOnlySpan<char> nonce)
    {
        // salt || keyId length (chars, big-endian) || keyId UTF-16 || nonce UTF-16: the length prefix keeps
        // ("ab", "c") and ("a", "bc") apart. UTF-16 bytes avoid an encoding pass; the input is never decoded.
        ReadOnlySpan<byte> keyBytes = MemoryMarshal.AsBytes(keyId);
        ReadOnlySpan<byte> nonceBytes = MemoryMarshal.AsBytes(nonce);
        long length = (long)SaltSize + sizeof(int) + keyBytes.Length + nonceBytes.Length;

        byte[]? rented = null;
        // Exactly the input's size on the stack (a fixed 1 KB buffer would be zeroed on every call).
        Span<byte> input = length <= StackHashInputLimit
            ? stackalloc byte[(int)length]
            : (rented = ArrayPool<byte>.Shared.Rent(checked((int)length)));
        try
        {
            _salt.CopyTo(input);
            BinaryPrimitives.WriteInt32BigEndian(input[SaltSize..], keyId.Length);
            keyBytes.CopyTo(input[(SaltSize + sizeof(int))..]);
            nonceBytes.CopyTo(input[(SaltSize + sizeof(int) + keyBytes.Length)..]);

            // A per-thread reused IncrementalHash gives the same digest as SHA256.HashData without OpenSSL's per-call
            // context setup (≈ 0.3 µs instead of ≈ 0.5 µs per pair, perf-baseline §3b). GetHashAndReset leaves it
            // ready for the next pair; the salt is part of the input, so one instance serves every cache.
            IncrementalHash sha256 = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            sha256.AppendData(input[..(int)length]);
            sha256.GetHashAndReset(hash);
            return (BinaryPrimitives.ReadUInt64LittleEndian(hash), BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Computes the 128-bit digest a pair is remembered by (see <see cref="DigestOverride"/>).</summary>
    internal delegate (ulong Hi, ulong Lo) PairDigest(ReadOnlySpan<char> keyId, ReadOnlySpan<char> nonce);

    /// <summary>
    /// Per-key counts of remembered pairs, without storing key ids: a count-min sketch over time. A key id is hashed
    /// (the process's randomized string hash, mixed with a per-instance random seed) to one counter in each of
    /// <see cref="Rows"/> rows; its count is the smallest of its counters, so it is never under-counted and is
    /// over-counted only when every one of its counters is shared with busier keys. Each counter is split into
    /// <see cref="Layers"/> buckets by the pairs' expiry (<see cref="EpochSeconds"/> each), so counts fall as pairs expire:
    /// a bucket counts until its last possible expiry has passed and is cleared when its slot is reused by a later
    /// epoch. Fixed size: rows × width × layers 32-bit counters.
    /// </summary>
    internal sealed class KeyShares
    {
        internal const int Rows = 3;
        internal const int Layers = 8;
        internal const int EpochSeconds = 64;
        private const int MinWidth = 1024;
        private const int MaxWidth = 65_536;

        private readonly int _share;
        private readonly int _widthMask;
        private readonly ulong _seed = BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(sizeof(ulong)));

        // [row][slot][layer]: one key's buckets in a row are adjacent (32 bytes), read together.
        private readonly int[] _counts;

        // The expiry epoch each layer currently counts (-1: none yet). A layer is live while (epoch + 1) × EpochSeconds > now.
        private readonly long[] _epochs = [-1, -1, -1, -1, -1, -1, -1, -1];
        private readonly Lock _rotationLock = new();

        public KeyShares(int share, int maxEntries)
        {
            _share = share;

            // Wide enough that even a full cache, spread over a row, leaves at most 1/64 of the counters at a whole share:
            // a key is refused with others only if all three of its counters are among them (below 1 in 250,000).
            long wanted = 64L * maxEntries / share;
            int width = (int)Math.Clamp(BitOperations.RoundUpToPowerOf2((ulong)Math.Max(1, wanted)), MinWidth, MaxWidth);
            _widthMask = width - 1;
            _counts = new int[Rows * width * Layers];
        }

        public int Bytes => _counts.Length * sizeof(int);

        /// <summary>Counts one more pair for the key unless that takes it over its share.</summary>
        public bool TryReserve(ReadOnlySpan<char> keyId, uint expiry, uint now, out Reservation reservation)
        {
            long nowEpoch = now / EpochSeconds;

            // Pairs expiring beyond the tracked horizon count in its last bucket (they stop counting a little early).
            long epoch = Math.Min(expiry / EpochSeconds, nowEpoch + Layers - 1);
            int layer = (int)(epoch % Layers);
            if (Volatile.Read(ref _epochs[layer]) < epoch)
            {
                Rotate(layer, epoch);
            }

            ulong hash = Mix((((ulong)(uint)string.GetHashCode(keyId) << 32) | (uint)keyId.Length) ^ _seed);
            int liveMask = LiveLayers(now);
            int i0 = Index(0, hash, layer);
            int i1 = Index(1, hash, layer);
            int i2 = Index(2, hash, layer);
            Interlocked.Increment(ref _counts[i0]);
            Interlocked.Increment(ref _counts[i1]);
            Interlocked.Increment(ref _counts[i2]);
            reservation = new Reservation(i0, i1, i2);

            int held = Math.Min(Sum(i0 - layer, liveMask), Math.Min(Sum(i1 - layer, liveMask), Sum(i2 - layer, liveMask)));
            if (held <= _share)
            {
                return true;
            }

            Release(reservation);
            reservation = default;
            return false;
        }

        public void Release(in Reservation reservation)
        {
            if (reservation.IsSet)
            {
                Interlocked.Decrement(ref _counts[reservation.Row0]);
                Interlocked.Decrement(ref _counts[reservation.Row1]);
                Interlocked.Decrement(ref _counts[reservation.Row2]);
            }
        }

        // SplitMix64's finaliser: every output bit depends on every input bit.
        private static ulong Mix(ulong x)
        {
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
            return x ^ (x >> 31);
        }

        private int Index(int row, ulong hash, int layer)
        {
            int slot = (int)(hash >> (row * 20)) & _widthMask;
            return (((row * (_widthMask + 1)) + slot) * Layers) + layer;
        }

        private int LiveLayers(uint now)
        {
            int mask = 0;
            for (int layer = 0; layer < Layers; layer++)
            {
                if ((Volatile.Read(ref _epochs[layer]) + 1) * EpochSeconds > now)
                {
                    mask |= 1 << layer;
                }
            }

            return mask;
        }

        private int Sum(int first, int liveMask)
        {
            int sum = 0;
            for (int layer = 0; layer < Layers; layer++)
            {
                if ((liveMask & (1 << layer)) != 0)
                {
                    sum += Math.Max(0, Volatile.Read(ref _counts[first + layer]));
                }
            }

            return sum;
        }

        /// <summary>Gives <paramref name="layer"/> to a later epoch: every pair its old epoch counted has expired by now.</summary>
        private void Rotate(int layer, long epoch)
        {
            lock (_rotationLock)
            {
                if (_epochs[layer] >= epoch)
                {
                    return;
                }

                for (int i = layer; i < _counts.Length; i += Layers)
                {
                    Volatile.Write(ref _counts[i], 0);
                }

                Volatile.Write(ref _epochs[layer], epoch);
            }
        }

        /// <summary>The three counters a reservation incremented, to give back if the pair is not remembered.</summary>
        internal readonly record struct Reservation(int Row0, int Row1, int Row2)
        {
            public bool IsSet => Row0 != Row1;
        }
    }

    /// <summary>One remembered pair: the 128-bit digest and the expiry in seconds since the cache's origin (0 = empty).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct Slot
    {
        public ulong Hi;
        public ulong Lo;
        public uint Expiry;
    }

    /// <summary>
    /// An open-addressing table with triangular probing over a power-of-two array. An expired slot works as a
    /// tombstone: it does not end a probe chain and is reused by the next insert on that chain.
    /// </summary>
    private sealed class Shard
    {
        private const int MinCapacity = 16;

        private readonly Lock _lock = new();
        private readonly int _maxEntries;
        private Slot[] _slots = new Slot[MinCapacity];

        // Slots holding a pair, expired or not. Live pairs <= _used <= 3/4 of the capacity.
        private int _used;

        // Earliest second at which a full shard can have something to reclaim; spares a full scan per request.
        private uint _nextReclaim;

        public Shard(int maxEntries) => _maxEntries = maxEntries;

        public int Capacity
        {
            get
            {
                lock (_lock)
                {
                    return _slots.Length;
                }
            }
        }

        public ReplayCheckResult TryAdd(ulong hi, ulong lo, uint expiry, uint now, Action? afterProbe)
        {
            lock (_lock)
            {
                int reusable = Find(hi, lo, now, out bool found, out int empty);
                if (found)
                {
                    return ReplayCheckResult.Replayed;
                }

                afterProbe?.Invoke();

                if (reusable >= 0)
                {
                    _slots[reusable] = new Slot { Hi = hi, Lo = lo, Expiry = expiry };
                    return ReplayCheckResult.Accepted;
                }

                if (_used >= _maxEntries)
                {
                    if (now < _nextReclaim || Rehash(now, _slots.Length) >= _maxEntries)
                    {
                        return ReplayCheckResult.CapacityExceeded;
                    }

                    empty = FindEmpty(lo);
                }
                else if (_used + 1 > _slots.Length / 4 * 3)
                {
                    Rehash(now, GrowTo(now));
                    empty = FindEmpty(lo);
                }

                _slots[empty] = new Slot { Hi = hi, Lo = lo, Expiry = expiry };
                _used++;
                return ReplayCheckResult.Accepted;
            }
        }

        public int CountLive(uint now)
        {
            lock (_lock)
            {
                return CountLiveUnlocked(now);
            }
        }

        public void Trim(uint now)
        {
            lock (_lock)
            {
                int live = CountLiveUnlocked(now);
                Rehash(now, CapacityFor(live));
            }
        }

        // The smallest table that holds the live pairs at <= 5/8 load. After a rehash the load is then in (5/16, 5/8]:
        // at most 20 / (5/16) = 64 bytes per pair, with at least 1/8 of the table to fill before the next rehash.
        private static int CapacityFor(int live) =>
            (int)Math.Max(MinCapacity, BitOperations.RoundUpToPowerOf2((uint)((live * 8L / 5) + 1)));

        private int CountLiveUnlocked(uint now)
        {
            int live = 0;
            foreach (ref readonly Slot slot in _slots.AsSpan())
            {
                if (slot.Expiry > now)
                {
                    live++;
                }
            }

            return live;
        }

        // No cap needed: the table grows only while _used < _maxEntries, when _used is exactly 3/4 of it, so the new size
        // (at most twice the old) is never above the largest table that holds _maxEntries below the 3/4 limit.
        private int GrowTo(uint now) => CapacityFor(CountLiveUnlocked(now));

        /// <summary>Looks the digest up; returns the first expired slot on its chain (or -1) for reuse.</summary>
        private int Find(ulong hi, ulong lo, uint now, out bool found, out int empty)
        {
            Slot[] slots = _slots;
            int mask = slots.Length - 1;
            int index = (int)lo & mask;
            int reusable = -1;
            for (int step = 1; ; step++)
            {
                ref Slot slot = ref slots[index];
                if (slot.Expiry == 0)
                {
                    found = false;
                    empty = index;
                    return reusable;
                }

                if (slot.Expiry > now)
                {
                    if (slot.Hi == hi && slot.Lo == lo)
                    {
                        found = true;
                        empty = -1;
                        return -1;
                    }
                }
                else if (reusable < 0)
                {
                    reusable = index;
                }

                // Triangular steps visit every slot of a power-of-two table; the load limit guarantees an empty one.
                index = (index + step) & mask;
            }
        }

        private int FindEmpty(ulong lo)
        {
            Slot[] slots = _slots;
            int mask = slots.Length - 1;
            int index = (int)lo & mask;
            for (int step = 1; slots[index].Expiry != 0; step++)
            {
                index = (index + step) & mask;
            }

            return index;
        }

        /// <summary>Rebuilds the table at <paramref name="capacity"/> without the expired pairs; returns the live count.</summary>
        /// <remarks>
        /// Every caller passes a capacity that holds the live pairs within the 3/4 load limit: <see cref="CapacityFor"/>
        /// (at most 5/8 full), or the current size when the shard is full (live &lt;= used &lt;= 3/4 of it). A full
        /// shard whose live pairs are exactly 3/4 of its table is rebuilt at the same size and refuses the pair.
        /// </remarks>
        private int Rehash(uint now, int capacity)
        {
            Slot[] old = _slots;
            int live = CountLiveUnlocked(now);
            _slots = new Slot[capacity];
            uint earliest = uint.MaxValue;
            foreach (ref readonly Slot slot in old.AsSpan())
            {
                if (slot.Expiry > now)
                {
                    _slots[FindEmpty(slot.Lo)] = slot;
                    earliest = Math.Min(earliest, slot.Expiry);
                }
            }

            _used = live;
            _nextReclaim = live >= _maxEntries ? earliest : 0;
            return live;
        }
    }
}
