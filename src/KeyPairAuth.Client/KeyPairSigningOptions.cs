using KeyPairAuth.Digests;
using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;

namespace KeyPairAuth.Client;

/// <summary>
/// How one named <see cref="HttpClient"/> signs its requests: which key, and the signature's parameters.
/// Set exactly one key source: <see cref="Secret"/>, or <see cref="KeyId"/> with <see cref="PrivateKeyPem"/>,
/// or <see cref="KeyFactory"/>. The options are validated when the application starts.
/// </summary>
/// <remarks>
/// The options hold secret material as strings only long enough to import it: the key is parsed once per client
/// name into a <see cref="SigningKey"/> that is cached for the lifetime of the service provider.
/// <see cref="ToString"/> never shows the secret.
/// </remarks>
public sealed class KeyPairSigningOptions
{
    /// <summary>Gets or sets the one-line KeyPairAuth secret (it carries the key id and the private key).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Secret { get; set; }

    /// <summary>Gets or sets the key id to sign with; required with <see cref="PrivateKeyPem"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? KeyId { get; set; }

    /// <summary>Gets or sets the Ed25519 private key as PKCS#8 PEM (<c>-----BEGIN PRIVATE KEY-----</c>).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? PrivateKeyPem { get; set; }

    /// <summary>
    /// Gets or sets a factory that supplies the key, for applications that keep keys in a vault.
    /// It is called once per client name; the key it returns stays owned by the application and is not disposed by KeyPairAuth.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<IServiceProvider, SigningKey>? KeyFactory { get; set; }

    /// <summary>
    /// Gets or sets how each signature is made: the label, the covered components, <c>expires</c>, <c>tag</c>, and whether
    /// <c>alg</c> and <c>nonce</c> are included (the core's <see cref="SigningOptions"/>). Binds from the <c>Signature</c>
    /// sub-section of a configuration section.
    /// </summary>
    /// <value>
    /// The default value is a new <see cref="SigningOptions"/>: label <c>sig1</c>, the default coverage
    /// (<see cref="SigningOptions.DefaultComponents"/>, plus <c>content-digest</c> when the request has content),
    /// <c>alg</c> and a fresh <c>nonce</c>, no <c>expires</c> and no <c>tag</c>.
    /// </value>
    /// <remarks>
    /// <see cref="SigningOptions.Created"/> and <see cref="SigningOptions.Nonce"/> fix values for test vectors; a client
    /// that signs many requests needs a fresh time and nonce for each, so validation refuses them here. The settings are
    /// copied when the client's signer is first built: change them through the options pattern, not by keeping the object.
    /// </remarks>
    public SigningOptions Signature { get; set; } = new();

    /// <summary>
    /// Gets or sets a value indicating whether plain <c>http://</c> requests to a host that is not loopback may be signed.
    /// </summary>
    /// <value>The default value is <see langword="false"/>: such a request throws before anything is sent.</value>
    /// <remarks>
    /// Over plain HTTP anyone on the path reads the signature, the body and the response. Loopback (<c>localhost</c>,
    /// <c>127.0.0.0/8</c>, <c>::1</c>) is always allowed. Set this only for a trusted network.
    /// </remarks>
    public bool AllowInsecureHttp { get; set; }

    /// <summary>
    /// Gets or sets how many same-origin redirects the signing handler follows for one request, signing each hop afresh;
    /// 0 returns every redirect to the caller. A redirect to another origin is never followed.
    /// </summary>
    /// <value>The default value is 10.</value>
    public int MaxAutomaticRedirections { get; set; } = Internal.KeyPairSigningHandler.DefaultMaxAutomaticRedirections;

    /// <summary>Gets or sets the <c>Content-Digest</c> algorithm used for request content.</summary>
    /// <value>The default value is <see cref="ContentDigestAlgorithm.Sha256"/>.</value>
    public ContentDigestAlgorithm DigestAlgorithm { get; set; } = ContentDigestAlgorithm.Sha256;

    /// <summary>Returns a description that names the key source, never secret material.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        $"KeyPairSigningOptions {{ KeyId = {KeyId}, Secret = {(Secret is null ? "null" : "***")}, PrivateKeyPem = {(PrivateKeyPem is null ? "null" : "***")} }}";

    /// <summary>Builds the engine's per-signature options from these settings.</summary>
    /// <returns>The signing options.</returns>
    internal SigningOptions ToSigningOptions() => new()
    {
        Label = Signature.Label,
        Components = Signature.Components is null ? null : [.. Signature.Components],
        ExpiresAfter = Signature.ExpiresAfter,
        Tag = Signature.Tag,
        IncludeAlgorithm = Signature.IncludeAlgorithm,
        IncludeNonce = Signature.IncludeNonce,
    };
}
