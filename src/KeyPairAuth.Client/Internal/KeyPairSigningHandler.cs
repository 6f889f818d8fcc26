namespace KeyPairAuth.Client.Internal;

/// <summary>
/// Signs every request that passes through it. Fails closed: when the request cannot be signed it throws and the
/// inner handler is never called, so nothing is sent unsigned.
/// </summary>
/// <remarks>
/// <c>IHttpClientFactory</c> recycles handlers, so the handler holds no key material of its own: it asks for the
/// client's cached <see cref="RequestSigner"/> on every request. Place retry handlers outside (before) this one so
/// every attempt is signed afresh.
/// </remarks>
internal sealed class KeyPairSigningHandler : DelegatingHandler
{
    private readonly Func<RequestSigner> _signerProvider;

    public KeyPairSigningHandler(Func<RequestSigner> signerProvider) => _signerProvider = signerProvider;

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

        await signer.SignAsync(request, cancellationToken).ConfigureAwait(false);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    // Computing Content-Digest reads the content asynchronously; a synchronous path would block on it.
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        throw new NotSupportedException("KeyPairAuth signing does not support the synchronous HttpClient.Send; use SendAsync.");
}
