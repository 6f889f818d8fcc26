using KeyPairAuth.Signatures.Internal;
using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.Signatures;

/// <summary>The verification policy. Every default is the secure choice (see <c>docs/protocol.md</c>).</summary>
public sealed class SignatureVerificationOptions
{
    /// <summary>Gets or sets how old <c>created</c> may be.</summary>
    /// <value>The default value is 5 minutes.</value>
    public TimeSpan MaxSignatureAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets how far in the future <c>created</c> may be (clock skew).</summary>
    /// <value>The default value is 1 minute.</value>
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets whether the <c>nonce</c> parameter is required (and checked against the replay cache).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool RequireNonce { get; set; } = true;

    /// <summary>Gets or sets the maximum nonce length, in characters.</summary>
    /// <value>The default value is 128.</value>
    public int MaxNonceLength { get; set; } = 128;

    /// <summary>Gets or sets whether content requires <c>content-digest</c> coverage.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool RequireContentDigestForContent { get; set; } = true;

    /// <summary>Gets additional component identifiers every accepted signature must cover (e.g. <c>content-type</c>).</summary>
    /// <remarks>
    /// Each entry is an HTTP field name (an RFC 9110 token) or one of the derived components <c>@method</c>,
    /// <c>@target-uri</c>, <c>@authority</c>, <c>@scheme</c>, <c>@request-target</c>, <c>@path</c>, <c>@query</c>, without
    /// parameters. Names are stored lower case as they are added (<c>X-Tenant</c> becomes <c>x-tenant</c>, the identifier a
    /// client covers: RFC 9421 §2.1), since field names are case-insensitive. Anything else fails options validation at
    /// start-up, naming the setting and the value.
    /// </remarks>
    public IList<string> AdditionalRequiredComponents { get; } = new RequiredComponentList();

    /// <summary>Gets or sets how many signatures on one request are examined at most; more is refused.</summary>
    /// <value>The default value is 4.</value>
    public int MaxSignatures { get; set; } = 4;

    /// <summary>Gets or sets the signature label that must be used, or <see langword="null"/> to accept any label.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? RequiredLabel { get; set; }

    /// <summary>Gets or sets the <c>tag</c> a signature must carry, or <see langword="null"/> to not require one.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? RequiredTag { get; set; }

    /// <summary>Gets or sets whether <c>@target-uri</c> may stand in for <c>@authority</c>, <c>@path</c> and <c>@query</c>.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool AllowTargetUri { get; set; } = true;

    /// <summary>
    /// Gets or sets whether every accepted signature must bind the scheme, by covering <c>@scheme</c> (or
    /// <c>@target-uri</c>, which contains it); without it the signature is refused as <c>insufficient_coverage</c>.
    /// </summary>
    /// <remarks>
    /// Without <c>@scheme</c>, a signature made for <c>http://</c> also verifies over <c>https://</c>: a request first
    /// sent in plain text (and answered before authentication, for example by HTTPS redirection) can be captured and
    /// replayed over TLS while its nonce is still unused. A covered <c>@scheme</c> is always accepted and checked; this
    /// option makes it mandatory. It is off by default so clients that do not cover <c>@scheme</c> yet keep working;
    /// turn it on once every client of the API covers it. The <c>Accept-Signature</c> challenge then asks for it.
    /// </remarks>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool RequireScheme { get; set; }

    /// <summary>
    /// Gets or sets whether the <c>alg</c> parameter must be present. When present it must be <c>ed25519</c> either way:
    /// the algorithm always comes from the stored key.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool RequireAlgorithmParameter { get; set; }

    /// <summary>Gets or sets the limits applied when parsing <c>Signature-Input</c> and <c>Signature</c>.</summary>
    /// <value>The default value is <see cref="StructuredFieldLimits.Default"/>.</value>
    /// <remarks>
    /// The verifier does not read the body, so these limits do not reach <c>Content-Digest</c>: the authentication
    /// scheme's body check parses it within <see cref="StructuredFieldLimits.Default"/>, and code that checks a body
    /// itself passes its limits to <see cref="Digests.ContentDigestVerifier.TryCreate(Microsoft.Extensions.Primitives.StringValues, StructuredFieldLimits?, out Digests.ContentDigestVerifier?, out KeyPairFailureReason)"/>.
    /// </remarks>
    public StructuredFieldLimits FieldLimits { get; set; } = StructuredFieldLimits.Default;
}
