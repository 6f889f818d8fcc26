using System.Security.Cryptography;
using KeyPairAuth.Client.Internal;
using KeyPairAuth.Digests;
using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;

namespace KeyPairAuth.Client;

/// <summary>
/// Signs <see cref="HttpRequestMessage"/>s with a <see cref="SigningKey"/>, for code that builds requests without
/// dependency injection. Adds <c>Content-Digest</c> (when the request has content), <c>Signature-Input</c> and
/// <c>Signature</c>, with a fresh <c>created</c> and nonce on every call.
/// </summary>
/// <remarks>
/// <para>
/// The signer does not own the key: the caller disposes it after the last request is signed. A signer is safe to use
/// from several threads at once. Sign immediately before sending, and sign again before every retry.
/// </para>
/// <para>
/// Send a signed request with automatic redirects switched off (<c>AllowAutoRedirect = false</c> on the
/// <see cref="SocketsHttpHandler"/> or <see cref="HttpClientHandler"/>): a transport that follows a redirect re-sends the
/// signature, the <c>Content-Digest</c> and the body to the new location, even on another origin. Clients configured
/// with <c>AddKeyPairSigning</c> do this for you and follow same-origin redirects, signing each hop afresh.
/// </para>
/// </remarks>
public sealed class RequestSigner
{
    private readonly SigningOptions _options;
    private readonly HttpMessageSigner _signer;

    /// <summary>Initializes a new instance of the <see cref="RequestSigner"/> class.</summary>
    /// <param name="key">The key to sign with; the caller keeps ownership.</param>
    /// <param name="options">The signature's parameters, or <see langword="null"/> for the defaults the server expects.</param>
    /// <param name="digestAlgorithm">The <c>Content-Digest</c> algorithm for request content.</param>
    /// <param name="timeProvider">The clock for <c>created</c>; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public RequestSigner(SigningKey key, SigningOptions? options = null, ContentDigestAlgorithm digestAlgorithm = ContentDigestAlgorithm.Sha256, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!Enum.IsDefined(digestAlgorithm))
        {
            throw new ArgumentOutOfRangeException(nameof(digestAlgorithm), digestAlgorithm, "Unknown Content-Digest algorithm.");
        }

        Key = key;
        _options = options ?? new SigningOptions();
        DigestAlgorithm = digestAlgorithm;
        _signer = new HttpMessageSigner(timeProvider);
    }

    /// <summary>Gets the key requests are signed with.</summary>
    public SigningKey Key { get; }

    /// <summary>Gets the <c>Content-Digest</c> algorithm.</summary>
    public ContentDigestAlgorithm DigestAlgorithm { get; }

    /// <summary>
    /// Gets a value indicating whether plain <c>http://</c> requests to a host that is not loopback may be signed.
    /// </summary>
    /// <value>The default value is <see langword="false"/>: such a request is refused before anything is sent.</value>
    /// <remarks>
    /// Over plain HTTP anyone on the path reads the signature, the body and the response, and can race the original
    /// request with a copy. Loopback (<c>localhost</c>, <c>127.0.0.0/8</c>, <c>::1</c>) never leaves the machine and is always
    /// allowed. Set this only for a trusted network, e.g. service to service inside a cluster that terminates TLS elsewhere.
    /// </remarks>
    public bool AllowInsecureHttp { get; init; }

    /// <summary>
    /// Signs <paramref name="request"/> in place. Any <c>Signature</c>, <c>Signature-Input</c> and <c>Content-Digest</c>
    /// fields from an earlier attempt are replaced. Content is buffered in memory so its digest can be computed and the
    /// same bytes are still sent.
    /// </summary>
    /// <param name="request">The request; its <see cref="HttpRequestMessage.RequestUri"/> must be absolute.</param>
    /// <param name="cancellationToken">Cancels reading the content.</param>
    /// <returns>A task that completes when the request is signed.</returns>
    /// <exception cref="InvalidOperationException">The request cannot be signed (relative URI, plain <c>http://</c> to a host that is not loopback without <see cref="AllowInsecureHttp"/>, disposed key, a covered component is absent, a request target that cannot be signed); the message says why.</exception>
    public async Task SignAsync(HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);

        if (request.RequestUri is not { IsAbsoluteUri: true } uri)
        {
            throw new InvalidOperationException(
                "KeyPairAuth cannot sign a request without an absolute RequestUri: set HttpClient.BaseAddress or use an absolute URI.");
        }

        if (!AllowInsecureHttp && IsInsecureHttp(uri))
        {
            RemoveSignatureFields(request);
            throw new InvalidOperationException(
                $"KeyPairAuth refuses to sign a plain http:// request to '{uri.IdnHost}', which is not loopback: the signature and the body " +
                "would cross the network unencrypted. Use https://, or set AllowInsecureHttp = true (KeyPairSigningOptions.AllowInsecureHttp, " +
                "RequestSigner.AllowInsecureHttp) for a trusted network. The request was not sent.");
        }

        // A retry re-sends the same HttpRequestMessage: drop the previous attempt's fields so every attempt
        // carries exactly one signature with its own created and nonce.
        RemoveSignatureFields(request);

        bool hasContent = false;
        if (request.Content is { } content)
        {
            // Buffering keeps the content re-readable: the digest is computed from the same bytes the
            // transport then sends (and re-sends on retry).
            await content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);

            // Hash what the transport sends: it copies the buffered content into the connection, so copy it into the
            // hash the same way (one write of the buffer, no second copy of the body). Not the content's read stream:
            // HttpContent caches that one, and an earlier reader (a logging handler) may have left it part-read, or
            // (StreamContent) it reads the source stream rather than the buffer.
            using var sink = new ContentDigestSink(DigestAlgorithm);
            await content.CopyToAsync(sink, cancellationToken).ConfigureAwait(false);

            // Chunked framing makes the server count even an empty body as content (there is no Content-Length: 0 to
            // say otherwise), so the empty body is digested and covered too.
            if (sink.Written > 0 || request.Headers.TransferEncodingChunked == true)
            {
                hasContent = true;
                request.Headers.TryAddWithoutValidation(ContentDigest.FieldName, sink.GetFieldValue());
            }
        }

        SignatureFields fields;
        try
        {
            fields = _signer.Sign(new HttpRequestMessageView(request, hasContent), Key, _options);
        }
        catch (Exception ex) when (ex is FormatException or ObjectDisposedException or CryptographicException or ArgumentException)
        {
            RemoveSignatureFields(request);
            throw new InvalidOperationException(
                $"KeyPairAuth could not sign the {request.Method.Method} request with key '{Key.KeyId}': {ex.Message} The request was not sent.", ex);
        }

        request.Headers.TryAddWithoutValidation(SignatureFields.SignatureInputFieldName, fields.SignatureInput);
        request.Headers.TryAddWithoutValidation(SignatureFields.SignatureFieldName, fields.Signature);
    }

    /// <summary>
    /// Rebuilds the signature base (RFC 9421 §2.5) of a request signed by <see cref="SignAsync"/>, from the request as it
    /// stands and its <c>Signature-Input</c>: the exact lines the signature was computed over. For diagnosis: compare it
    /// with the base the server logs at Debug when it refuses the request.
    /// </summary>
    /// <param name="request">A signed request (absolute <see cref="HttpRequestMessage.RequestUri"/>, one <c>Signature-Input</c> member).</param>
    /// <returns>The signature base, lines separated by <c>\n</c>, without a trailing newline. It holds no secret and no body.</returns>
    /// <exception cref="InvalidOperationException">The request is not signed, or its <c>Signature-Input</c> cannot be rebuilt.</exception>
    public static string GetSignatureBase(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestUri is not { IsAbsoluteUri: true })
        {
            throw new InvalidOperationException("The request has no absolute RequestUri.");
        }

        var view = new HttpRequestMessageView(request, hasContent: request.Content is not null);
        string input = view.GetFieldValues(SignatureFields.SignatureInputFieldName).ToString();
        if (input.Length == 0
            || !SignatureInput.TryParse(input, out IReadOnlyList<SignatureInput>? inputs)
            || inputs.Count == 0)
        {
            throw new InvalidOperationException("The request carries no usable Signature-Input field; sign it first.");
        }

        try
        {
            return SignatureBase.Build(view, inputs[0]);
        }
        catch (SignatureBaseException ex)
        {
            throw new InvalidOperationException($"The signature base cannot be rebuilt: {ex.Message}", ex);
        }
    }

    /// <summary>Plain HTTP to a host that is not loopback (the connection leaves the machine unencrypted).</summary>
    private static bool IsInsecureHttp(Uri uri) =>
        string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase) && !uri.IsLoopback;

    /// <summary>Removes every field a signature adds, from an earlier attempt or a hop that was signed for another target.</summary>
    /// <param name="request">The request.</param>
    internal static void RemoveSignatureFields(HttpRequestMessage request)
    {
        request.Headers.Remove(SignatureFields.SignatureFieldName);
        request.Headers.Remove(SignatureFields.SignatureInputFieldName);
        request.Headers.Remove(ContentDigest.FieldName);

        // Content headers take custom fields too, and the transport writes them after the request's: a signature
        // field left there would follow ours on the wire (and a dictionary member named like ours overrides it).
        if (request.Content is { } content)
        {
            content.Headers.Remove(ContentDigest.FieldName);
            content.Headers.Remove(SignatureFields.SignatureFieldName);
            content.Headers.Remove(SignatureFields.SignatureInputFieldName);
        }
    }
}
