namespace KeyPairAuth.Stores;

/// <summary>Options for <see cref="PublicKeyCache"/>. Validated at start-up when registered through <c>AddKeyPairAuth()</c>.</summary>
public sealed class PublicKeyCacheOptions
{
    /// <summary>
    /// Gets or sets how long a lookup's answer is served from memory: a found key (the bound on revocation delay across
    /// instances) and, for exactly as long, an unknown key id.
    /// </summary>
    /// <remarks>
    /// One duration for both answers, so a key id that exists and one that does not cost the same store lookups over
    /// time: the number of store round trips does not tell a prober which key ids exist.
    /// </remarks>
    /// <value>The default value is 30 seconds. <see cref="TimeSpan.Zero"/> disables caching (every request asks the store).</value>
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the maximum number of found keys held.</summary>
    /// <remarks>Only keys the store returned enter this table, so traffic with made-up key ids cannot evict a real key.</remarks>
    /// <value>The default value is 100,000.</value>
    public int MaxEntries { get; set; } = 100_000;

    /// <summary>Gets or sets the maximum number of unknown key ids remembered as unknown (a table of its own).</summary>
    /// <value>The default value is 10,000.</value>
    public int MaxUnknownEntries { get; set; } = 10_000;

    /// <summary>
    /// Gets or sets how many store lookups per second may find no key before lookups of key ids this instance has not
    /// found before are suspended (answered as unknown without asking the store) until the rate drops.
    /// </summary>
    /// <remarks>
    /// Protects the store from a flood of random, well-formed key ids, which no cache can absorb because each id is new.
    /// Lookups that find a key never count, so a restart with many cold keys is not held back; keys this instance has
    /// found before are always refreshed. While suspended, a key used for the first time on this instance is refused
    /// as unknown: a flood of made-up key ids can delay new keys, never keys in use. Bursts of concurrent lookups can
    /// overdraw the budget by at most a minute's worth, which then suspends for as long.
    /// </remarks>
    /// <value>The default value is 20.</value>
    public int MaxUnknownLookupsPerSecond { get; set; } = 20;
}
