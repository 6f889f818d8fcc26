namespace KeyPairAuth.Stores;

/// <summary>
/// A bounded, time-limited cache in front of <see cref="IPublicKeyStore"/> so the hot path does not wait on the
/// database for keys seen recently. Revocation is visible after at most <see cref="PublicKeyCacheOptions.Duration"/>,
/// immediately in the process that calls <see cref="Invalidate"/>.
/// </summary>
public sealed class PublicKeyCache
{
    /// <summary>Initializes a new instance of the <see cref="PublicKeyCache"/> class.</summary>
    /// <param name="store">The store.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    public PublicKeyCache(IPublicKeyStore store, TimeProvider timeProvider, PublicKeyCacheOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(timeProvider);
        throw new NotImplementedException();
    }

    /// <summary>Finds a key, from the cache when fresh, else from the store.</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="cancellationToken">Cancels the store call.</param>
    /// <returns>The record, or <see langword="null"/> when unknown.</returns>
    public ValueTask<PublicKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>Drops a key from the cache (after revocation or update).</summary>
    /// <param name="keyId">The key id.</param>
    public void Invalidate(string keyId) => throw new NotImplementedException();
}

/// <summary>Options for <see cref="PublicKeyCache"/>.</summary>
public sealed class PublicKeyCacheOptions
{
    /// <summary>Gets or sets how long a found key is served from memory (the bound on revocation delay across instances).</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long an unknown key id is remembered as unknown (so random key ids cannot hammer the store).</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan NegativeDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the maximum number of cached entries.</summary>
    /// <value>The default value is 100,000.</value>
    public int MaxEntries { get; set; } = 100_000;
}
