using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using KeyPairAuth.Replay;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace KeyPairAuth.Redis.Internal;

/// <summary>
/// An <see cref="IReplayCache"/> shared by every instance through Redis: one <c>SET key 1 NX PXAT until</c> per
/// request, so the check and the insert are one atomic step on the server and a request replayed to another instance
/// is still refused.
/// </summary>
/// <remarks>
/// <para>
/// Fails closed: when Redis is not connected, answers an error or does not answer within
/// <see cref="KeyPairAuthRedisOptions.Timeout"/>, the result is <see cref="ReplayCheckResult.Unavailable"/> (503
/// <c>replay_cache_unavailable</c>), never <see cref="ReplayCheckResult.Accepted"/>. The outage is logged once at Error
/// when it starts and once at Information when Redis answers again; recovery needs no restart (the multiplexer
/// reconnects by itself).
/// </para>
/// <para>
/// <c>PXAT</c> (Redis 6.2 or newer) takes the absolute instant the verifier passes, so every instance agrees on when a
/// pair may be forgotten; Redis's clock must be synchronised like the app servers' (a Redis clock running ahead would
/// forget pairs early by that much).
/// </para>
/// </remarks>
internal sealed class RedisReplayCache : IReplayCache
{
    // Domain separation, and a version so a future change of derivation cannot collide with old keys.
    private static readonly byte[] HashDomain = "keypairauth/replay/v1\0"u8.ToArray();
    private static readonly int EncodedHashLength = Base64Url.GetEncodedLength(SHA256.HashSizeInBytes);
    private const int StackInputLimit = 512;
    private const string SetCommand = "SET";
    private const string Value = "1";
    private const string NotExists = "NX";
    private const string AbsoluteExpiryMilliseconds = "PXAT";

    private readonly RedisConnection _connection;
    private readonly byte[] _prefix;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    // 1 while Redis is considered down (logged once); the instant it went down and how many requests were refused since.
    private int _down;
    private long _downSince;
    private long _refused;

    public RedisReplayCache(RedisConnection connection, IOptions<KeyPairAuthRedisOptions> options, TimeProvider timeProvider, ILogger<RedisReplayCache>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        KeyPairAuthRedisOptions value = options.Value;
        _connection = connection;
        _prefix = Encoding.UTF8.GetBytes(value.KeyPrefix);
        _timeout = value.Timeout;
        _timeProvider = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public async ValueTask<ReplayCheckResult> TryAddAsync(string keyId, string nonce, DateTimeOffset rememberUntil, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        ArgumentNullException.ThrowIfNull(nonce);
        cancellationToken.ThrowIfCancellationRequested();

        long start = _timeProvider.GetTimestamp();
        object[] arguments = [(RedisKey)Key(keyId, nonce), Value, NotExists, AbsoluteExpiryMilliseconds, ExpiryMilliseconds(rememberUntil)];
        Task<RedisResult>? pending = null;
        try
        {
            Task<IConnectionMultiplexer> connecting = _connection.GetAsync();
            IConnectionMultiplexer multiplexer = connecting.IsCompletedSuccessfully
                ? connecting.Result
                : await connecting.WaitAsync(_timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
            if (!multiplexer.IsConnected)
            {
                return Unavailable("not connected", null);
            }

            // The bound is on this call itself, not only the multiplexer's own (coarse, seconds) timeout.
            TimeSpan remaining = _timeout - _timeProvider.GetElapsedTime(start);
            pending = multiplexer.GetDatabase().ExecuteAsync(SetCommand, arguments, CommandFlags.DemandMaster);
            RedisResult result = pending.IsCompleted
                ? await pending.ConfigureAwait(false)
                : await pending.WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _timeProvider, cancellationToken).ConfigureAwait(false);

            Recovered();

            // SET … NX answers OK when it stored the pair and nil when the key already existed.
            return result.IsNull ? ReplayCheckResult.Replayed : ReplayCheckResult.Accepted;
        }
        catch (TimeoutException ex)
        {
            // Ours (WaitAsync) or the multiplexer's own RedisTimeoutException.
            Observe(pending);
            return Unavailable(ex is RedisTimeoutException ? nameof(RedisTimeoutException) : $"no answer within {_timeout.TotalMilliseconds:F0} ms", ex);
        }
        catch (RedisException ex)
        {
            return Unavailable(ex.GetType().Name, ex);
        }
        catch (ObjectDisposedException ex)
        {
            // The connection was closed under us (shutting down).
            return Unavailable("connection closed", ex);
        }
        catch (OperationCanceledException)
        {
            Observe(pending);
            throw;
        }
    }

    /// <summary>
    /// The Redis key of a pair: the prefix and the unpadded base64url SHA-256 of a domain tag, the key id's UTF-8 length
    /// (4 bytes, big-endian), the key id and the nonce (UTF-8). The length keeps ("ab", "c") and ("a", "bc") apart;
    /// hashing keeps caller-chosen nonces out of Redis's key space and bounds every key's length.
    /// </summary>
    internal byte[] Key(string keyId, string nonce)
    {
        int keyBytes = Encoding.UTF8.GetByteCount(keyId);
        int length = checked(HashDomain.Length + sizeof(int) + keyBytes + Encoding.UTF8.GetByteCount(nonce));
        byte[]? rented = null;
        Span<byte> input = length <= StackInputLimit ? stackalloc byte[StackInputLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            HashDomain.CopyTo(input);
            int at = HashDomain.Length;
            BinaryPrimitives.WriteInt32BigEndian(input[at..], keyBytes);
            at += sizeof(int);
            at += Encoding.UTF8.GetBytes(keyId, input[at..]);
            at += Encoding.UTF8.GetBytes(nonce, input[at..]);

            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(input[..at], hash);
            byte[] key = new byte[_prefix.Length + EncodedHashLength];
            _prefix.CopyTo(key, 0);
            Base64Url.EncodeToUtf8(hash, key.AsSpan(_prefix.Length));
            return key;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// The <c>PXAT</c> argument: <paramref name="rememberUntil"/> in Unix milliseconds, rounded up, and at least one
    /// second from now (remembering longer is always the safe side; Redis drops a key whose expiry has passed at once).
    /// </summary>
    internal long ExpiryMilliseconds(DateTimeOffset rememberUntil)
    {
        long until = (rememberUntil.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
        long floor = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds() + 1000;
        return Math.Max(until, floor);
    }

    private ReplayCheckResult Unavailable(string reason, Exception? exception)
    {
        Interlocked.Increment(ref _refused);
        if (Interlocked.CompareExchange(ref _down, 1, 0) == 0)
        {
            Volatile.Write(ref _downSince, _timeProvider.GetTimestamp());
            Log.ReplayCacheUnavailable(_logger, reason, exception);
        }

        return ReplayCheckResult.Unavailable;
    }

    private void Recovered()
    {
        if (Volatile.Read(ref _down) == 1 && Interlocked.CompareExchange(ref _down, 0, 1) == 1)
        {
            TimeSpan outage = _timeProvider.GetElapsedTime(Volatile.Read(ref _downSince));
            long refused = Interlocked.Exchange(ref _refused, 0);
            Log.ReplayCacheRecovered(_logger, outage.TotalSeconds, refused);
        }
    }

    /// <summary>A call given up on may still fail later: observe it so it never surfaces as an unobserved exception.</summary>
    private static void Observe(Task? task) =>
        task?.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
