using KeyPairAuth.Signatures;
using Microsoft.AspNetCore.Authentication;

namespace KeyPairAuth.AspNetCore;

/// <summary>
/// Options for the KeyPair authentication scheme. The signature policy itself (freshness, nonce, coverage,
/// number of signatures, field limits) lives in <see cref="Verification"/>; this class adds what only the HTTP
/// server can decide (body limits, responses, last-used recording). Validated at start-up.
/// </summary>
public sealed class KeyPairAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>Initializes a new instance of the <see cref="KeyPairAuthenticationOptions"/> class.</summary>
    public KeyPairAuthenticationOptions() => Events = new KeyPairAuthenticationEvents();

    /// <summary>
    /// Gets the signature verification policy shared with the core engine: <c>MaxSignatureAge</c> (default 5 minutes),
    /// <c>MaxFutureSkew</c> (1 minute), <c>RequireNonce</c> (true), <c>RequireContentDigestForContent</c> (true),
    /// <c>AdditionalRequiredComponents</c>, <c>MaxSignatures</c> (4), <c>RequiredLabel</c>, <c>RequiredTag</c>,
    /// <c>RequireScheme</c> (false) and the structured-field parsing limits.
    /// </summary>
    public SignatureVerificationOptions Verification { get; } = new();

    /// <summary>
    /// Gets or sets the largest request body, in bytes, that is read to check its <c>Content-Digest</c>.
    /// A larger declared <c>Content-Length</c> is refused with 413 before anything is read; a chunked body is read
    /// only up to this limit and then refused with 413.
    /// </summary>
    /// <value>The default value is 1 MiB (1,048,576 bytes).</value>
    public long MaxBodySize { get; set; } = KeyPairAuthenticationDefaults.MaxBodySize;

    /// <summary>
    /// Gets or sets how many body bytes are buffered in memory while the digest is checked; above this the buffer
    /// spills to a temporary file, so memory stays bounded however many large requests arrive at once.
    /// </summary>
    /// <value>The default value is 64 KiB (65,536 bytes).</value>
    public int BodyBufferThreshold { get; set; } = KeyPairAuthenticationDefaults.BodyBufferThreshold;

    /// <summary>Gets or sets whether problem responses carry a <c>detail</c> text in addition to the stable <c>error</c> code.</summary>
    /// <remarks>
    /// The detail never reveals secret material nor whether a key id exists before the signature verified, but it
    /// does tell a prober more about the policy; it is off by default. The <c>error</c> code is always sent.
    /// </remarks>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool IncludeErrorDetails { get; set; }

    /// <summary>Gets or sets whether a key's last use is recorded in the store (off the request path).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool RecordLastUsed { get; set; } = true;

    /// <summary>Gets or sets the minimum interval between two last-used writes for the same key.</summary>
    /// <remarks>The store sees at most one <c>RecordLastUsedAsync</c> call per key per interval, never one per request.</remarks>
    /// <value>The default value is 1 minute.</value>
    public TimeSpan LastUsedInterval { get; set; } = KeyPairAuthenticationDefaults.LastUsedInterval;

    /// <summary>
    /// Gets or sets whether signed requests to endpoints marked <c>[AllowAnonymous]</c> are verified anyway
    /// (so the endpoint can see an optional caller).
    /// </summary>
    /// <remarks>
    /// Off by default: an anonymous endpoint then costs nothing, no signature check, no body read and no replay-cache
    /// entry.
    /// </remarks>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AuthenticateAllowAnonymousEndpoints { get; set; }

    /// <summary>
    /// Gets or sets the <c>Retry-After</c> sent with the 503 answered when the replay cache is at capacity or unavailable,
    /// and with the 429 answered when one key has used its share of the replay cache.
    /// </summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan ReplayCacheFullRetryAfter { get; set; } = KeyPairAuthenticationDefaults.ReplayCacheFullRetryAfter;

    /// <summary>Gets or sets the object whose methods are called as a request is authenticated, challenged or forbidden.</summary>
    public new KeyPairAuthenticationEvents Events
    {
        get => (KeyPairAuthenticationEvents)base.Events!;
        set => base.Events = value;
    }
}
