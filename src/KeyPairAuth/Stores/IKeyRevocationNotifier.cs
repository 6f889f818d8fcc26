namespace KeyPairAuth.Stores;

/// <summary>
/// Told when a key is revoked through <see cref="Issuance.IKeyPairIssuer.RevokeAsync"/>, after the store recorded the
/// revocation and this process's <see cref="PublicKeyCache"/> dropped the key, so other instances can drop it from
/// their caches too (the KeyPairAuth.Redis package publishes it over Redis pub/sub). Register any number as
/// <c>services.TryAddEnumerable(ServiceDescriptor.Singleton&lt;IKeyRevocationNotifier, MyNotifier&gt;())</c>.
/// </summary>
/// <remarks>
/// The revocation is already durable when a notifier runs: a notifier that cannot reach its transport must log and
/// return rather than throw, and other instances then stop accepting the key within
/// <see cref="PublicKeyCacheOptions.Duration"/>. An exception thrown by a notifier reaches the caller of
/// <see cref="Issuance.IKeyPairIssuer.RevokeAsync"/> (the key stays revoked). Only the key id is passed: it is not
/// secret.
/// </remarks>
public interface IKeyRevocationNotifier
{
    /// <summary>Tells other instances that <paramref name="keyId"/> was revoked.</summary>
    /// <param name="keyId">The revoked key's id.</param>
    /// <param name="cancellationToken">Cancels the notification.</param>
    /// <returns>A task that completes when the notice was sent (or given up on).</returns>
    ValueTask NotifyRevokedAsync(string keyId, CancellationToken cancellationToken = default);
}
