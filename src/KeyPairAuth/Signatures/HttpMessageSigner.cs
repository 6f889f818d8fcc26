using KeyPairAuth.Keys;

namespace KeyPairAuth.Signatures;

/// <summary>
/// Signs requests with the KeyPairAuth profile: covers <c>@method @authority @path @query</c> (and <c>content-digest</c>
/// when the request has content) with <c>created</c>, <c>keyid</c>, a fresh 128-bit <c>nonce</c> and <c>alg="ed25519"</c>.
/// </summary>
public sealed class HttpMessageSigner
{
    /// <summary>Initializes a new instance of the <see cref="HttpMessageSigner"/> class.</summary>
    /// <param name="timeProvider">The clock for <c>created</c>; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public HttpMessageSigner(TimeProvider? timeProvider = null) => TimeProvider = timeProvider ?? TimeProvider.System;

    /// <summary>Gets the clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>
    /// Signs a request. When <see cref="IHttpRequestView.HasContent"/> is true the request must already carry its
    /// <c>Content-Digest</c> field (see <c>ContentDigest.Compute</c>).
    /// </summary>
    /// <param name="request">The request to sign.</param>
    /// <param name="key">The signing key.</param>
    /// <param name="options">Signing options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The <c>Signature-Input</c> and <c>Signature</c> field values to add.</returns>
    /// <exception cref="SignatureBaseException">A covered component is absent from the request.</exception>
    public SignatureFields Sign(IHttpRequestView request, SigningKey key, SigningOptions? options = null) =>
        throw new NotImplementedException();
}

/// <summary>The two field values a signer adds to a request.</summary>
/// <param name="SignatureInput">The <c>Signature-Input</c> value, e.g. <c>sig1=("@method" ...);created=...;keyid="..."</c>.</param>
/// <param name="Signature">The <c>Signature</c> value, e.g. <c>sig1=:base64:</c>.</param>
public readonly record struct SignatureFields(string SignatureInput, string Signature)
{
    /// <summary>The <c>Signature-Input</c> field name.</summary>
    public const string SignatureInputFieldName = "Signature-Input";

    /// <summary>The <c>Signature</c> field name.</summary>
    public const string SignatureFieldName = "Signature";
}

/// <summary>Options for one signature.</summary>
public sealed class SigningOptions
{
    /// <summary>Gets or sets the signature label.</summary>
    /// <value>The default value is <c>sig1</c>.</value>
    public string Label { get; set; } = "sig1";

    /// <summary>Gets or sets the covered component identifiers (e.g. <c>"@method"</c>, <c>"@target-uri"</c>, <c>"content-type"</c>), or <see langword="null"/> for the default coverage.</summary>
    /// <value>The default value is <see langword="null"/>: <c>@method @authority @path @query</c>, plus <c>content-digest</c> when there is content.</value>
    public IReadOnlyList<string>? Components { get; set; }

    /// <summary>Gets or sets how long the signature is valid, written as the <c>expires</c> parameter, or <see langword="null"/> to omit it.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public TimeSpan? ExpiresAfter { get; set; }

    /// <summary>Gets or sets the <c>tag</c> parameter, or <see langword="null"/> to omit it.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Tag { get; set; }

    /// <summary>Gets or sets whether to include <c>alg="ed25519"</c>.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool IncludeAlgorithm { get; set; } = true;
}
