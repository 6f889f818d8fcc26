namespace KeyPairAuth.Redis;

/// <summary>
/// Options for KeyPairAuth's Redis parts: the shared replay cache (<c>AddRedisReplayCache</c>) and revocation fan-out
/// (<c>AddRedisRevocationFanOut</c>). Bindable from configuration, for example
/// <c>services.AddOptions&lt;KeyPairAuthRedisOptions&gt;().BindConfiguration("KeyPairAuth:Redis")</c>; validated at
/// start-up.
/// </summary>
public sealed class KeyPairAuthRedisOptions
{
    /// <summary>The default <see cref="KeyPrefix"/>.</summary>
    public const string DefaultKeyPrefix = "keypairauth:replay:";

    /// <summary>The default <see cref="RevocationChannel"/>.</summary>
    public const string DefaultRevocationChannel = "keypairauth:revocations";

    /// <summary>The longest <see cref="KeyPrefix"/> or <see cref="RevocationChannel"/> accepted, in characters.</summary>
    public const int MaxNameLength = 256;

    /// <summary>
    /// Gets or sets the StackExchange.Redis configuration string, for example
    /// <c>redis.internal:6380,ssl=true,password=…,user=…</c>: endpoints, TLS and credentials come from here.
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/>: use the <c>IConnectionMultiplexer</c> registered in the service
    /// collection (the app's own connection). One of the two is required.
    /// </value>
    /// <remarks>
    /// When set, KeyPairAuth opens its own connection on first use (never blocking start-up), with
    /// <c>abortConnect=false</c> (it keeps reconnecting in the background) and a fail-fast backlog (commands are not
    /// queued while disconnected, so a dead Redis cannot pile up requests). The string may hold a password: it is never
    /// logged nor put in an exception message.
    /// </remarks>
    public string? Configuration { get; set; }

    /// <summary>Gets or sets the prefix of every replay-cache key, so the cache can share a Redis database with other data.</summary>
    /// <value>The default value is <c>keypairauth:replay:</c>.</value>
    /// <remarks>
    /// A key is the prefix followed by the base64url SHA-256 of the (key id, nonce) pair: a nonce the caller chose is
    /// never a Redis key verbatim, and every key has the same bounded length. Give each application its own prefix
    /// when several share one Redis, and the same prefix to every instance of one application.
    /// </remarks>
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>
    /// Gets or sets the longest wait for one Redis call on the request path (the replay check) and for publishing a
    /// revocation. A call still unanswered then counts as Redis unavailable: the request is refused with 503
    /// <c>replay_cache_unavailable</c> (fail closed).
    /// </summary>
    /// <value>The default value is 250 milliseconds. It must be positive and at most 30 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Gets or sets the pub/sub channel on which instances tell each other about revoked keys.</summary>
    /// <value>The default value is <c>keypairauth:revocations</c>.</value>
    /// <remarks>
    /// Messages carry only the key id. Every instance of one application must use the same channel; applications
    /// that share a Redis should each use their own.
    /// </remarks>
    public string RevocationChannel { get; set; } = DefaultRevocationChannel;
}
