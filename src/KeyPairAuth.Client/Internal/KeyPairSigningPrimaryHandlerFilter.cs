using Microsoft.Extensions.Http;

namespace KeyPairAuth.Client.Internal;

/// <summary>
/// Switches automatic redirects off on the primary handler of every client signed by KeyPairAuth, whoever supplied the
/// handler and in whatever order it was configured: the signing handler follows same-origin redirects itself and signs
/// each hop, and a transport that followed redirects would re-send a signed request, with its body, to wherever the
/// server points, another origin included.
/// </summary>
/// <remarks>
/// A filter wraps every <c>ConfigurePrimaryHttpMessageHandler</c> and <c>ConfigureHttpClientDefaults</c> action, so the
/// primary handler seen here is the one the client will use. <see cref="SocketsHttpHandler"/> and
/// <see cref="HttpClientHandler"/> (also under <see cref="DelegatingHandler"/>s) are switched off here; a handler that was
/// already used (an application-shared instance) can no longer be changed, so it fails clearly when the client is created.
/// Any other transport is checked at run time by <see cref="KeyPairSigningHandler"/>, which refuses a response the
/// transport reached by following a redirect itself.
/// </remarks>
internal sealed class KeyPairSigningPrimaryHandlerFilter : IHttpMessageHandlerBuilderFilter
{
    private readonly HashSet<string> _clientNames;

    public KeyPairSigningPrimaryHandlerFilter(IEnumerable<KeyPairSigningRegistration> registrations) =>
        _clientNames = new HashSet<string>(registrations.Select(r => r.ClientName), StringComparer.Ordinal);

    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return builder =>
        {
            next(builder);
            if (builder.Name is { } name && _clientNames.Contains(name))
            {
                DisableAutomaticRedirects(builder.PrimaryHandler, name);
            }
        };
    }

    internal static void DisableAutomaticRedirects(HttpMessageHandler? handler, string clientName)
    {
        // Look through wrappers to the transport at the bottom.
        for (int depth = 0; handler is DelegatingHandler { InnerHandler: { } inner } && depth < 32; depth++)
        {
            handler = inner;
        }

        try
        {
            switch (handler)
            {
                case SocketsHttpHandler { AllowAutoRedirect: true } sockets:
                    sockets.AllowAutoRedirect = false;
                    break;
                case HttpClientHandler { AllowAutoRedirect: true } classic:
                    classic.AllowAutoRedirect = false;
                    break;
            }
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException(
                $"HttpClient '{clientName}' signs its requests with KeyPairAuth, but its primary {handler!.GetType().Name} follows redirects " +
                "(AllowAutoRedirect = true) and has already sent requests, so it cannot be switched off. Create the handler with " +
                "AllowAutoRedirect = false: a transport that follows redirects re-sends a signed request, and its body, to another origin. " +
                "KeyPairAuth follows same-origin redirects itself and signs each hop.", ex);
        }
    }
}
