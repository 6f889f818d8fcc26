namespace KeyPairAuth.Signatures;

/// <summary>Options for one signature.</summary>
public sealed class SigningOptions
{
    internal static SigningOptions Default { get; } = new();

    /// <summary>
    /// Gets the components covered when <see cref="Components"/> is <see langword="null"/>, in order:
    /// <c>@method @scheme @authority @path @query</c>. The signer appends <c>content-digest</c> when the request has content.
    /// </summary>
    /// <remarks>
    /// <c>@scheme</c> binds the signature to the scheme it was made for: a signature made for <c>http://</c> (seen by
    /// anyone on the path) does not verify over <c>https://</c>. Behind a TLS-terminating proxy the server must see the
    /// client's scheme (<c>UseForwardedHeaders</c> with <c>XForwardedProto</c>). To add a component to the default
    /// coverage, set <see cref="Components"/> to <c>[.. SigningOptions.DefaultComponents, "content-type"]</c> (and add
    /// <c>content-digest</c> yourself when there is content).
    /// </remarks>
    public static IReadOnlyList<string> DefaultComponents => SignatureProfile.DefaultComponents;

    /// <summary>Gets or sets the signature label.</summary>
    /// <value>The default value is <c>sig1</c>.</value>
    public string Label { get; set; } = SignatureProfile.DefaultLabel;

    /// <summary>
    /// Gets or sets the covered component identifiers (e.g. <c>"@method"</c>, <c>"@target-uri"</c>, <c>"content-type"</c>), or
    /// <see langword="null"/> for the default coverage. An entry starting with a double quote is read as a serialised identifier
    /// with parameters, e.g. <c>"@query-param";name="id"</c>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: <see cref="DefaultComponents"/> (<c>@method @scheme @authority @path @query</c>), plus <c>content-digest</c> when there is content.</value>
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

    /// <summary>Gets or sets whether to include a <c>nonce</c>. KeyPairAuth servers require one by default.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool IncludeNonce { get; set; } = true;

    /// <summary>
    /// Gets or sets a fixed <c>created</c> time instead of the clock's. For tests and published interop vectors only.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the signer's <see cref="HttpMessageSigner.TimeProvider"/>.</value>
    public DateTimeOffset? Created { get; set; }

    /// <summary>
    /// Gets or sets a fixed <c>nonce</c> instead of a fresh random one. For tests and published interop vectors only:
    /// a reused nonce is refused by the server's replay protection.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: a fresh 128-bit random nonce per signature.</value>
    public string? Nonce { get; set; }
}
