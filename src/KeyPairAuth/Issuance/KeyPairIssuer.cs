using KeyPairAuth.Internal;
using KeyPairAuth.Keys;
using KeyPairAuth.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KeyPairAuth.Issuance;

/// <summary>The <see cref="IKeyPairIssuer"/>: validates requests, generates keys and writes public keys to the store.</summary>
internal sealed class KeyPairIssuer : IKeyPairIssuer
{
    internal const int MaxOwnerLength = 200;
    internal const int MaxNameLength = 100;

    // A fresh key pair's derived 96-bit id collides with probability ~2^-96 per pair; retrying (with a new pair) is
    // for a store that misreports.
    private const int MaxKeyIdAttempts = 3;

    private readonly IPublicKeyStore _store;
    private readonly TimeProvider _timeProvider;
    private readonly IOptions<KeyPairIssuerOptions> _options;
    private readonly PublicKeyCache? _cache;
    private readonly ILogger _logger;
    private readonly IKeyRevocationNotifier[] _revocationNotifiers;

    public KeyPairIssuer(IPublicKeyStore store, TimeProvider timeProvider, IOptions<KeyPairIssuerOptions> options, PublicKeyCache? cache = null, ILogger<KeyPairIssuer>? logger = null,
        IEnumerable<IKeyRevocationNotifier>? revocationNotifiers = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _timeProvider = timeProvider;
        _options = options;
        _cache = cache;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _revocationNotifiers = revocationNotifiers?.ToArray() ?? [];
    }

    public async ValueTask<IssuedKeyPair> IssueAsync(KeyIssueRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        (string owner, string name, string[] scopes, DateTimeOffset? expiresAt) =
            Validate(request.Owner, request.Name, request.Scopes, request.ExpiresAt, now);
        int max = MaxActiveKeysPerOwner();

        for (int attempt = 0; attempt < MaxKeyIdAttempts; attempt++)
        {
            using SigningKey key = SigningKey.Generate();
            PublicKeyRecord record = new()
            {
                KeyId = key.KeyId,
                Owner = owner,
                Name = name,
                PublicKey = key.PublicKey,
                Scopes = scopes,
                CreatedAt = now,
                ExpiresAt = expiresAt,
            };

            PublicKeyAddResult result = await _store.AddAsync(record, max, cancellationToken).ConfigureAwait(false);
            if (result == PublicKeyAddResult.ActiveKeyLimitReached)
            {
                throw LimitReached(max);
            }

            if (result == PublicKeyAddResult.Added)
            {
                // A probe may have left this key id in the key cache as unknown: the key must work at once.
                _cache?.Invalidate(record.KeyId);

                // The one export NSec allows for a generated key; after this the server holds no private key.
                key.ExportPrivateKey(out char[] secret, out char[] pem);
                Log.KeyIssued(_logger, record.KeyId, record.Name, record.Owner, record.Scopes.Count);
                return new IssuedKeyPair(record, secret, pem);
            }
        }

        throw new InvalidOperationException($"The store reported a duplicate key id {MaxKeyIdAttempts} times for freshly generated key pairs.");
    }

    public async ValueTask<PublicKeyRecord> RegisterAsync(KeyRegistrationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        (string owner, string name, string[] scopes, DateTimeOffset? expiresAt) =
            Validate(request.Owner, request.Name, request.Scopes, request.ExpiresAt, now);
        Ed25519PublicKey publicKey = request.PublicKey
            ?? throw new KeyIssuanceException(KeyIssuanceError.InvalidRequest, "A public key is required to register a key.");
        int max = MaxActiveKeysPerOwner();

        // The key id is derived from the public key, so the client that generated the pair already knows it, and a
        // public key registered before (by anyone, even revoked) collides on the key id: re-registering a revoked key
        // would undo its revocation, and one key serving two owners would make the owner ambiguous.
        string keyId = KeyId.FromPublicKey(publicKey);
        if (!KeyId.IsValid(keyId))
        {
            throw new KeyIssuanceException(KeyIssuanceError.InvalidRequest,
                $"This public key's key id would start with '{SigningKey.SecretPrefix}', which is reserved for secrets (about one key in 262,144); generate another key pair.");
        }

        PublicKeyRecord record = new()
        {
            KeyId = keyId,
            Owner = owner,
            Name = name,
            PublicKey = publicKey,
            Scopes = scopes,
            CreatedAt = now,
            ExpiresAt = expiresAt,
        };

        switch (await _store.AddAsync(record, max, cancellationToken).ConfigureAwait(false))
        {
            case PublicKeyAddResult.Added:
                // A lookup of this id before it existed may have left a negative entry: drop it.
                _cache?.Invalidate(record.KeyId);
                Log.KeyRegistered(_logger, record.KeyId, record.Name, record.Owner, record.Scopes.Count);
                return record;
            case PublicKeyAddResult.ActiveKeyLimitReached:
                throw LimitReached(max);
            default:
                // The key id is the public key's: the same public key is registered already (perhaps by another owner,
                // whose records this caller may not see, so nothing about that record is told).
                throw DuplicatePublicKey(keyId);
        }
    }

    public async ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ValidateKeyId(keyId);
        PublicKeyRecord? record = await _store.RevokeAsync(keyId, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (record is not null)
        {
            // This process stops accepting the key at once; other instances within the cache duration.
            _cache?.Invalidate(keyId);
            DateTimeOffset revokedAt = record.RevokedAt.GetValueOrDefault();
            Log.KeyRevoked(_logger, record.KeyId, record.Owner, revokedAt);

            // Other instances (e.g. over Redis pub/sub); their key-cache duration is the backstop if a notice is lost.
            // The revocation has happened: a notifier that fails must neither turn it into an error for the caller
            // (a retry would find the key already revoked) nor keep the other notifiers from running.
            foreach (IKeyRevocationNotifier notifier in _revocationNotifiers)
            {
                try
                {
                    await notifier.NotifyRevokedAsync(record.KeyId, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.RevocationNoticeFailed(_logger, record.KeyId, notifier.GetType().Name, ex);
                }
            }
        }

        return record;
    }

    public ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default)
    {
        ValidateOwner(owner);
        return _store.ListByOwnerAsync(owner, cancellationToken);
    }

    public ValueTask<PublicKeyRecord?> GetAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ValidateKeyId(keyId);
        return _store.FindAsync(keyId, cancellationToken);
    }

    internal static (string Owner, string Name, string[] Scopes, DateTimeOffset? ExpiresAt) Validate(
        string owner, string name, IReadOnlyList<string>? scopes, DateTimeOffset? expiresAt, DateTimeOffset now)
    {
        ValidateOwner(owner);

        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength || ContainsControl(name) || !IsDisplayable(name))
        {
            throw new KeyIssuanceException(KeyIssuanceError.InvalidName,
                $"A key name is required: 1 to {MaxNameLength} characters, not only whitespace or invisible characters, without control characters, bidirectional formatting characters or lone surrogates.");
        }

        scopes ??= [];
        if (scopes.Count > KeyScopes.MaxScopesPerKey)
        {
            throw new KeyIssuanceException(KeyIssuanceError.TooManyScopes,
                $"A key holds at most {KeyScopes.MaxScopesPerKey} scopes; the request has {scopes.Count}.");
        }

        List<string> distinct = new(scopes.Count);
        for (int i = 0; i < scopes.Count; i++)
        {
            string scope = scopes[i];
            if (!KeyScopes.IsValid(scope))
            {
                string shown = scope is null ? "null" : scope.Length > KeyScopes.MaxLength ? $"a {scope.Length}-character scope" : $"'{Printable(scope)}'";
                throw new KeyIssuanceException(KeyIssuanceError.InvalidScope,
                    $"Scope {i} ({shown}) is invalid: a scope matches {KeyScopes.Pattern} and is at most {KeyScopes.MaxLength} characters, for example 'orders:read'.");
            }

            if (!distinct.Contains(scope, StringComparer.Ordinal))
            {
                distinct.Add(scope);
            }
        }

        if (expiresAt is { } expires && expires <= now)
        {
            throw new KeyIssuanceException(KeyIssuanceError.InvalidExpiry,
                $"The expiry {expires:O} is not in the future (now is {now:O}).");
        }

        return (owner, name, [.. distinct], expiresAt);
    }

    private static void ValidateOwner(string owner)
    {
        if (string.IsNullOrEmpty(owner) || owner.Length > MaxOwnerLength || ContainsControl(owner))
        {
            throw new KeyIssuanceException(KeyIssuanceError.InvalidOwner,
                $"An owner is required: 1 to {MaxOwnerLength} characters without control characters or lone surrogates.");
        }
    }

    private static void ValidateKeyId(string keyId)
    {
        if (!KeyId.IsValid(keyId))
        {
            throw new KeyIssuanceException(KeyIssuanceError.InvalidKeyId,
                $"A key id is '{KeyId.Prefix}' followed by 16 base64url characters ({KeyId.Length} characters in all).");
        }
    }

    /// <summary>
    /// Control characters, line separators, or text that is not well-formed UTF-16 (a lone surrogate): databases store
    /// text as UTF-8, where a lone surrogate becomes U+FFFD (SQLite) or is refused, so two owners differing only there
    /// would become one.
    /// </summary>
    private static bool ContainsControl(string value)
    {
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                return true;
            }

            if (char.IsSurrogate(c))
            {
                if (!char.IsHighSurrogate(c) || i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return true;
                }

                i++;
            }
        }

        return false;
    }

    /// <summary>
    /// A name is shown to people (dashboards, key lists, the CLI): it must show something (not only whitespace and
    /// invisible format characters such as U+200B) and may not reorder the text around it (bidirectional embeddings,
    /// overrides, isolates and marks), which would let a name display as something it is not.
    /// </summary>
    private static bool IsDisplayable(string name)
    {
        bool visible = false;
        foreach (char c in name)
        {
            if (c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'))
            {
                return false;
            }

            visible |= !char.IsWhiteSpace(c) && char.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.Format;
        }

        return visible;
    }

    private static string Printable(string value)
    {
        char[] chars = value.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (char.IsControl(chars[i]))
            {
                chars[i] = '?';
            }
        }

        return new string(chars);
    }

    private int MaxActiveKeysPerOwner()
    {
        int max = _options.Value.MaxActiveKeysPerOwner;
        if (max < 1)
        {
            throw new InvalidOperationException($"KeyPairIssuerOptions.MaxActiveKeysPerOwner must be at least 1; it is {max}.");
        }

        return max;
    }

    private static KeyIssuanceException DuplicatePublicKey(string keyId) =>
        new(KeyIssuanceError.DuplicatePublicKey,
            $"This public key is already registered (key id {keyId}); a public key can be registered once. Generate a new key pair to register another key.");

    private static KeyIssuanceException LimitReached(int max) =>
        new(KeyIssuanceError.ActiveKeyLimitReached,
            $"The owner already has {max} active keys, the limit (KeyPairIssuerOptions.MaxActiveKeysPerOwner). Revoke a key before adding another.");
}

/// <summary>Fails options validation at first use when <see cref="KeyPairIssuerOptions"/> is out of range.</summary>
internal sealed class KeyPairIssuerOptionsValidator : IValidateOptions<KeyPairIssuerOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyPairIssuerOptions options) =>
        options.MaxActiveKeysPerOwner >= 1
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"KeyPairIssuerOptions.MaxActiveKeysPerOwner must be at least 1; it is {options.MaxActiveKeysPerOwner}.");
}
