using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace KeyPairAuth.Cli.Commands;

/// <summary>
/// <c>keypairauth request</c>: signs and sends a request, then prints the status line, the response headers and the body.
/// Exits with 4 on a 4xx response and 5 on a 5xx response. A redirect is printed, never followed (as curl without
/// <c>-L</c>): the signature is valid for the target it was made for only.
/// </summary>
internal static class RequestCommand
{
    public static Command Create(TextWriter output, TextWriter error, CliContext context)
    {
        var shared = new SignedRequestOptions();
        var timeout = new Option<int>("--timeout")
        {
            Description = "Give up after this many seconds.",
            DefaultValueFactory = _ => 100,
        };
        var command = new Command("request", "Sign and send a request; print the status, headers and body. Redirects are printed, not followed. Exit code 4 on a 4xx response, 5 on a 5xx response.");
        shared.AddTo(command);
        command.Options.Add(timeout);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            int seconds = parseResult.GetValue(timeout);
            if (seconds <= 0)
            {
                throw CliException.Usage("--timeout must be a positive number of seconds.");
            }

            using SignedRequest signed = await shared.BuildAsync(parseResult, context, error, cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(shared.ShowBase))
            {
                // To stderr: stdout stays the response alone.
                await error.WriteAsync(SignedRequestOptions.FormatSignatureBase(signed.Request)).ConfigureAwait(false);
            }

            using var client = new HttpClient(WithoutAutomaticRedirects(context.CreateHandler()), disposeHandler: true) { Timeout = TimeSpan.FromSeconds(seconds) };
            Uri signedFor = signed.Request.RequestUri!;

            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(signed.Request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                throw new CliException(ExitCodes.Error, $"The request to {signed.Request.RequestUri!.GetLeftPart(UriPartial.Authority)} failed: {ex.Message}", ex);
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CliException(ExitCodes.Error, string.Create(CultureInfo.InvariantCulture, $"The request timed out after {seconds} s."), ex);
            }

            using (response)
            {
                if (signed.Request.RequestUri != signedFor)
                {
                    // Only a custom handler could get here (the default never follows redirects).
                    throw new CliException(ExitCodes.Error, "The HTTP handler followed a redirect and re-sent the signed request to another location.");
                }

                int status = (int)response.StatusCode;
                var text = new StringBuilder();
                text.Append(CultureInfo.InvariantCulture, $"HTTP/{response.Version} {(int)response.StatusCode} {response.ReasonPhrase}").AppendLine();
                AppendHeaders(text, response.Headers);
                AppendHeaders(text, response.Content.Headers);
                text.AppendLine();
                text.Append(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
                await output.WriteLineAsync(text.ToString()).ConfigureAwait(false);
                if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    await error.WriteLineAsync(
                        $"keypairauth: the server redirected to {location} ({status}); not followed: a signed request is valid for the " +
                        "target it was signed for only. Sign a new request for the new location if you trust it.").ConfigureAwait(false);
                }

                return status switch
                {
                    >= 500 => ExitCodes.ServerErrorResponse,
                    >= 400 => ExitCodes.ClientErrorResponse,
                    _ => ExitCodes.Success,
                };
            }
        });
        return command;
    }

    /// <summary>Switches automatic redirects off on the transport at the bottom of <paramref name="handler"/>.</summary>
    private static HttpMessageHandler WithoutAutomaticRedirects(HttpMessageHandler handler)
    {
        HttpMessageHandler transport = handler;
        while (transport is DelegatingHandler { InnerHandler: { } inner })
        {
            transport = inner;
        }

        switch (transport)
        {
            case SocketsHttpHandler { AllowAutoRedirect: true } sockets:
                sockets.AllowAutoRedirect = false;
                break;
            case HttpClientHandler { AllowAutoRedirect: true } classic:
                classic.AllowAutoRedirect = false;
                break;
        }

        return handler;
    }

    private static void AppendHeaders(StringBuilder text, HttpHeaders headers)
    {
        foreach (KeyValuePair<string, HeaderStringValues> header in headers.NonValidated)
        {
            foreach (string value in header.Value)
            {
                text.Append(header.Key).Append(": ").AppendLine(value);
            }
        }
    }
}
