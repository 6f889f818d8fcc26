using System.Collections.Concurrent;
using KeyPairAuth.Keys;

namespace KeyPairAuth.Client.Internal;

/// <summary>
/// Singleton cache of each named client's imported key and signer. Handlers are recycled by <c>IHttpClientFactory</c>;
/// the key outlives them here and is disposed with the service provider.
/// </summary>
internal sealed class KeyPairSigningRegistry : IDisposable
{
    private readonly IServiceProvider _services;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly List<SigningKey> _ownedKeys = [];
    private readonly Lock _lock = new();
    private volatile bool _disposed;

    public KeyPairSigningRegistry(IServiceProvider services, TimeProvider timeProvider)
    {
        _services = services;
        _timeProvider = timeProvider;
    }

    /// <summary>Gets the signer for a client, importing its key once per options instance (a configuration reload yields a new instance).</summary>
    /// <param name="clientName">The client name.</param>
    /// <param name="options">The client's current options.</param>
    /// <returns>The signer.</returns>
    /// <exception cref="KeyFormatException">The configured key is malformed.</exception>
    public RequestSigner GetSigner(string clientName, KeyPairSigningOptions options)
    {
        // Hot path, once per request: no lock while the client's options are unchanged.
        if (_entries.TryGetValue(clientName, out Entry? cached) && ReferenceEquals(cached.Options, options) && !_disposed)
        {
            return cached.Signer;
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_entries.TryGetValue(clientName, out Entry? entry) && ReferenceEquals(entry.Options, options))
            {
                return entry.Signer;
            }

            (SigningKey key, bool owned) = Import(options);
            if (owned)
            {
                // Keys replaced by a reload are kept until disposal: requests in flight may still be signing with them.
                _ownedKeys.Add(key);
            }

            var signer = new RequestSigner(key, options.ToSigningOptions(), options.DigestAlgorithm, _timeProvider)
            {
                AllowInsecureHttp = options.AllowInsecureHttp,
            };
            _entries[clientName] = new Entry(options, signer);
            return signer;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (SigningKey key in _ownedKeys)
            {
                key.Dispose();
            }

            _ownedKeys.Clear();
            _entries.Clear();
        }
    }

    private (SigningKey Key, bool Owned) Import(KeyPairSigningOptions options)
    {
        if (options.KeyFactory is { } factory)
        {
            SigningKey key = factory(_services) ?? throw new InvalidOperationException("KeyFactory returned null.");
            return (key, false);
        }

        if (!string.IsNullOrWhiteSpace(options.Secret))
        {
            return (KeyMaterial.FromSecret(options.Secret.Trim()), true);
        }

        if (!string.IsNullOrWhiteSpace(options.PrivateKeyPem) && !string.IsNullOrWhiteSpace(options.KeyId))
        {
            return (KeyMaterial.FromPkcs8Pem(options.KeyId.Trim(), options.PrivateKeyPem), true);
        }

        throw new InvalidOperationException("No key is configured.");
    }

    private sealed record Entry(KeyPairSigningOptions Options, RequestSigner Signer);
}
