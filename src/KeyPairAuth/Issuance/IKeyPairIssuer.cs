using KeyPairAuth.Stores;

namespace KeyPairAuth.Issuance;

/// <summary>
/// Issues, registers, lists and revokes API keys. The server keeps only public keys: an issued private key is
/// returned once in <see cref="IssuedKeyPair"/> and never stored.
/// </summary>
/// <remarks>
/// The issuer does not know who is calling: before <see cref="RevokeAsync"/> or <see cref="GetAsync"/> on behalf of
/// a user, check that <see cref="PublicKeyRecord.Owner"/> is that user.
/// </remarks>
public interface IKeyPairIssuer
{
    /// <summary>
    /// Generates a key pair on the server, stores its public key under the key id derived from it
    /// (<see cref="Keys.KeyId.FromPublicKey"/>) and returns the private key once.
    /// </summary>
    /// <param name="request">Who the key is for, its name, scopes and expiry.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The issued pair; show its secret to the user once, then dispose it.</returns>
    /// <exception cref="KeyIssuanceException">The request is invalid, or the owner is at the active-key limit.</exception>
    ValueTask<IssuedKeyPair> IssueAsync(KeyIssueRequest request, CancellationToken cancellationToken = default);

    /// <summary>Registers a public key the user generated themselves ("bring your own key"): the private key never reaches the server.</summary>
    /// <remarks>
    /// The record's key id is derived from the public key (<see cref="Keys.KeyId.FromPublicKey"/>), so the client
    /// already knows it: <c>keypairauth keygen</c> prints it, and a secret string or PEM read by the client SDK
    /// carries or derives it. No id needs copying back from the server.
    /// </remarks>
    /// <param name="request">Who the key is for, its name, scopes, expiry and public key.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored record, with the key id derived from its public key.</returns>
    /// <exception cref="KeyIssuanceException">
    /// The request is invalid, the public key is registered already (<see cref="KeyIssuanceError.DuplicatePublicKey"/>,
    /// whichever owner holds it, revoked or not), or the owner is at the active-key limit.
    /// </exception>
    ValueTask<PublicKeyRecord> RegisterAsync(KeyRegistrationRequest request, CancellationToken cancellationToken = default);

    /// <summary>Revokes a key now. Idempotent: revoking a revoked key keeps its first revocation time.</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The revoked record, or <see langword="null"/> when no such key exists.</returns>
    /// <exception cref="KeyIssuanceException">The key id is malformed (<see cref="KeyIssuanceError.InvalidKeyId"/>).</exception>
    ValueTask<PublicKeyRecord?> RevokeAsync(string keyId, CancellationToken cancellationToken = default);

    /// <summary>Lists an owner's keys (active, expired and revoked), oldest first.</summary>
    /// <param name="owner">The owner.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The records.</returns>
    /// <exception cref="KeyIssuanceException">The owner is malformed (<see cref="KeyIssuanceError.InvalidOwner"/>).</exception>
    ValueTask<IReadOnlyList<PublicKeyRecord>> ListByOwnerAsync(string owner, CancellationToken cancellationToken = default);

    /// <summary>Finds a key by id.</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The record, or <see langword="null"/> when no such key exists.</returns>
    /// <exception cref="KeyIssuanceException">The key id is malformed (<see cref="KeyIssuanceError.InvalidKeyId"/>).</exception>
    ValueTask<PublicKeyRecord?> GetAsync(string keyId, CancellationToken cancellationToken = default);
}
