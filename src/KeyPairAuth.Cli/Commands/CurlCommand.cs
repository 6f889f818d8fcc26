using System.Text;

namespace KeyPairAuth.Cli.Commands;

/// <summary>Writes a signed request as a POSIX-shell curl command line that sends exactly the signed bytes.</summary>
internal static class CurlCommand
{
    public static string Format(HttpRequestMessage request, Body? body)
    {
        Uri uri = request.RequestUri!;
        string target = uri.GetComponents(UriComponents.PathAndQuery, UriFormat.UriEscaped);
        string url = uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped) + target;

        var command = new StringBuilder("curl");
        if (url.AsSpan().IndexOfAny("[]{}") >= 0)
        {
            // Without --globoff curl expands [1-3] and {a,b} in the URL into several requests.
            command.Append(" --globoff");
        }

        // curl picks the method from its options: GET without data, POST with --data*, HEAD with --head. Name it with -X
        // whenever that inference could differ from what was signed (a GET with a body would otherwise go out as POST).
        string method = request.Method.Method;
        ThrowIfInexpressible(method, body is not null);
        if (method == "HEAD")
        {
            command.Append(" --head");
        }
        else if (method != "GET" || body is not null)
        {
            command.Append(" -X ").Append(Quote(method));
        }

        command.Append(' ').Append(Quote(url));
        foreach (KeyValuePair<string, IEnumerable<string>> header in request.Headers.NonValidated
            .Select(h => new KeyValuePair<string, IEnumerable<string>>(h.Key, h.Value))
            .Concat(request.Content?.Headers.NonValidated.Select(h => new KeyValuePair<string, IEnumerable<string>>(h.Key, h.Value)) ?? []))
        {
            if (string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue; // curl computes it from the body.
            }

            foreach (string value in header.Value)
            {
                command.Append(" \\\n  -H ").Append(Quote($"{header.Key}: {value}"));
            }
        }

        if (body is not null && request.Content?.Headers.ContentType is null)
        {
            // With --data* curl adds "Content-Type: application/x-www-form-urlencoded"; the signed request had none.
            command.Append(" \\\n  -H ").Append(Quote("Content-Type:"));
        }

        if (body is not null)
        {
            command.Append(" \\\n  ");
            if (body.FilePath is not null)
            {
                // --data-binary sends the file's bytes unchanged (-d would strip line breaks).
                command.Append("--data-binary ").Append(Quote("@" + body.FilePath));
            }
            else
            {
                string text;
                try
                {
                    text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(body.Bytes);
                }
                catch (DecoderFallbackException ex)
                {
                    throw new CliException(ExitCodes.Usage, "The body is binary and cannot be written into a curl command; pass it as --data @file instead.", ex);
                }

                if (text.Contains('\0', StringComparison.Ordinal))
                {
                    throw CliException.Usage("The body contains NUL bytes and cannot be written into a curl command; pass it as --data @file instead.");
                }

                // --data-raw sends the text as given: no '@file' interpretation, no stripping.
                command.Append("--data-raw ").Append(Quote(text));
            }
        }

        return command.ToString();
    }

    /// <summary>Refuses a request curl cannot send as signed: a HEAD with a body (<c>--head</c> refuses <c>--data</c>, and <c>-X HEAD</c> waits for a response body that never comes).</summary>
    public static void ThrowIfInexpressible(string method, bool hasBody)
    {
        if (hasBody && method == "HEAD")
        {
            throw CliException.Usage("curl cannot send a HEAD request with a body: drop --data, or sign without --curl and send it another way.");
        }
    }

    /// <summary>Quotes a word for a POSIX shell: bare when it is plainly safe, else in single quotes.</summary>
    public static string Quote(string word)
    {
        if (word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "_-./:=@%+,".Contains(c, StringComparison.Ordinal)))
        {
            return word;
        }

        return "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
