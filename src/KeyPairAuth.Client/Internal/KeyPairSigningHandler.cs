using System.Net;

namespace KeyPairAuth.Client.Internal;

/// <summary>
/// Signs every request that passes through it, and follows same-origin redirects itself, signing each hop afresh.
/// Fails closed: when the request cannot be signed it throws and the inner handler is never called, so nothing is sent
/// unsigned.
/// </summary>
/// <remarks>
/// <para>
/// <c>IHttpClientFactory</c> recycles handlers, so the handler holds no key material of its own: it asks for the
/// client's cached <see cref="RequestSigner"/> on every request. Place retry handlers outside (before) this one so
/// every attempt is signed afresh.
/// </para>
/// <para>
/// Redirects: the transport must not follow them (a signature made for one target would be re-sent, with the
/// <c>Content-Digest</c> and the body, to the next one, possibly on another origin, and a nonce the first server never
/// consumed could be replayed). <c>AddKeyPairSigning</c> switches <c>AllowAutoRedirect</c> off on the primary handler
/// (<see cref="KeyPairSigningPrimaryHandlerFilter"/>), and this handler follows a redirect only to the same origin
/// (scheme, host and port): the old signature fields are removed and the request is signed again for its new target
/// with a fresh <c>created</c> and nonce; 303 (and 301/302 for POST, as browsers and <see cref="SocketsHttpHandler"/> do)
/// becomes a GET without content. A redirect to another origin, a Location that is not http(s), or a hop beyond the
/// limit is returned to the caller unfollowed. If the transport follows a redirect anyway (a custom primary handler),
/// the response is refused with an error naming the fix.
/// </para>
/// </remarks>
internal sealed class KeyPairSigningHandler : DelegatingHandler
{
    /// <summary>The default hop limit when no options say otherwise (tests, benchmarks).</summary>
    internal const int DefaultMaxAutomaticRedirections = 10;

    private static readonly Func<int> DefaultMaxRedirectionsProvider = () => DefaultMaxAutomaticRedirections;

    private readonly Func<RequestSigner> _signerProvider;
    private readonly Func<int> _maxAutomaticRedirections;

    /// <summary>Initializes a new instance of the <see cref="KeyPairSigningHandler"/> class.</summary>
    /// <param name="signerProvider">Supplies the client's signer, once per request.</param>
    /// <param name="maxAutomaticRedirections">Supplies the hop limit, read only when a redirect arrives; <see cref="DefaultMaxAutomaticRedirections"/> when <see langword="null"/>.</param>
    public KeyPairSigningHandler(Func<RequestSigner> signerProvider, Func<int>? maxAutomaticRedirections = null)
    {
        _signerProvider = signerProvider;
        _maxAutomaticRedirections = maxAutomaticRedirections ?? DefaultMaxRedirectionsProvider;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        RequestSigner signer;
        try
        {
            signer = _signerProvider();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new InvalidOperationException($"KeyPairAuth has no usable signing key, so the request was not sent: {ex.Message}", ex);
        }

        int redirections = 0;
        int maxRedirections = -1;
        while (true)
        {
            await signer.SignAsync(request, cancellationToken).ConfigureAwait(false);
            Uri signedFor = request.RequestUri!;
            HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);

            // A transport that follows redirects itself rewrites RequestUri to the last location it reached.
            if (!ReferenceEquals(request.RequestUri, signedFor) && request.RequestUri != signedFor)
            {
                response.Dispose();
                throw new InvalidOperationException(
                    $"The HTTP transport under the KeyPairAuth signing handler followed a redirect from {signedFor.GetLeftPart(UriPartial.Authority)} to " +
                    $"{request.RequestUri?.GetLeftPart(UriPartial.Authority)} itself, re-sending a signed request to a location it was not signed for. " +
                    "Set AllowAutoRedirect = false on the primary handler (KeyPairAuth does this for SocketsHttpHandler and HttpClientHandler); " +
                    "the signing handler follows same-origin redirects and signs each hop.");
            }

            if (!IsRedirect(response.StatusCode))
            {
                return response;
            }

            if (maxRedirections < 0)
            {
                maxRedirections = _maxAutomaticRedirections();
            }

            if (redirections >= maxRedirections || GetSameOriginLocation(response, signedFor) is not { } location)
            {
                // Another origin, no usable Location, or the hop limit: the caller gets the redirect as it came.
                return response;
            }

            redirections++;
            if (RequiresGet(response.StatusCode, request.Method))
            {
                request.Method = HttpMethod.Get;
                request.Content?.Dispose();
                request.Content = null;
                if (request.Headers.TransferEncodingChunked == true)
                {
                    request.Headers.TransferEncodingChunked = false;
                }
            }

            response.Dispose();

            // Nothing signed for the previous target travels on: the next SignAsync replaces the fields, and they are
            // removed here already so no path (an exception while re-signing) leaves them on the request.
            RequestSigner.RemoveSignatureFields(request);
            request.RequestUri = location;
        }
    }

    // Computing Content-Digest reads the content asynchronously; a synchronous path would block on it.
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        throw new NotSupportedException("KeyPairAuth signing does not support the synchronous HttpClient.Send; use SendAsync.");

    /// <summary>The statuses <see cref="SocketsHttpHandler"/> follows (RFC 9110 §15.4).</summary>
    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MultipleChoices or HttpStatusCode.MovedPermanently
        or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <summary>RFC 9110 §15.4.4: 303 is answered with GET (HEAD stays HEAD); §15.4.2/§15.4.3: user agents turn POST into GET on 301/302.</summary>
    private static bool RequiresGet(HttpStatusCode status, HttpMethod method) => status switch
    {
        HttpStatusCode.MultipleChoices or HttpStatusCode.MovedPermanently or HttpStatusCode.Found => method == HttpMethod.Post,
        HttpStatusCode.SeeOther => method != HttpMethod.Get && method != HttpMethod.Head,
        _ => false,
    };

    /// <summary>The redirect target when it is on the same origin (scheme, host, port) as <paramref name="from"/>; otherwise <see langword="null"/>.</summary>
    private static Uri? GetSameOriginLocation(HttpResponseMessage response, Uri from)
    {
        Uri? location = response.Headers.Location;
        if (location is null)
        {
            return null;
        }

        if (!location.IsAbsoluteUri)
        {
            if (!Uri.TryCreate(from, location, out location))
            {
                return null;
            }
        }

        bool sameOrigin = string.Equals(location.Scheme, from.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(location.IdnHost, from.IdnHost, StringComparison.OrdinalIgnoreCase)
            && location.Port == from.Port;
        return sameOrigin ? location : null;
    }
}
