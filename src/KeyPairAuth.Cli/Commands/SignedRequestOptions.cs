using System.CommandLine;
using System.Globalization;
using System.Text;
using KeyPairAuth.Client;
using KeyPairAuth.Digests;
using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;

namespace KeyPairAuth.Cli.Commands;

/// <summary>The arguments <c>sign</c> and <c>request</c> share, and building the signed <see cref="HttpRequestMessage"/> from them.</summary>
internal sealed class SignedRequestOptions
{
    public Argument<string> Method { get; } = new("method") { Description = "The HTTP method, e.g. GET or POST." };

    public Argument<string> Url { get; } = new("url") { Description = "The absolute http:// or https:// URL, query included." };

    public Option<string?> Data { get; } = new("--data", "-d")
    {
        Description = "The request body: @file reads a file, '-' (or @-) reads stdin, anything else is sent as UTF-8 text.",
    };

    public Option<string[]> Headers { get; } = new("--header", "-H")
    {
        Description = "A header to send, 'Name: value' (repeatable).",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string?> KeyFile { get; } = new("--key-file", "-k")
    {
        Description = $"The private key: a KeyPairAuth secret or a PKCS#8 PEM file ('-' reads stdin). Default: the {CliContext.KeyVariable} environment variable.",
    };

    public Option<string?> KeyId { get; } = new("--key-id")
    {
        Description = $"The key id for a PEM key (default: {CliContext.KeyIdVariable}, else the id derived from the public key).",
    };

    public Option<string> Digest { get; } = new("--digest")
    {
        Description = "The Content-Digest algorithm.",
        DefaultValueFactory = _ => "sha-256",
    };

    public Option<int?> Expires { get; } = new("--expires")
    {
        Description = "Add an expires parameter this many seconds after created.",
    };

    public Option<string?> Tag { get; } = new("--tag") { Description = "Add a tag parameter." };

    public Option<string[]> Components { get; } = new("--component")
    {
        Description = $"A covered component (repeatable), replacing the default coverage: {string.Join(' ', SigningOptions.DefaultComponents)} (+ content-digest with a body).",
    };

    public Option<bool> AllowInsecureHttp { get; } = new("--allow-insecure-http")
    {
        Description = "Sign a plain http:// request to a host that is not loopback (the signature and body cross the network unencrypted).",
    };

    public Option<bool> ShowBase { get; } = new("--show-base")
    {
        Description = "Also print the signature base that was signed (RFC 9421 §2.5), to compare with the server's Debug log of what it rebuilt.",
    };

    public void AddTo(Command command)
    {
        Digest.AcceptOnlyFromAmong("sha-256", "sha-512");
        command.Arguments.Add(Method);
        command.Arguments.Add(Url);
        command.Options.Add(Data);
        command.Options.Add(Headers);
        command.Options.Add(KeyFile);
        command.Options.Add(KeyId);
        command.Options.Add(Digest);
        command.Options.Add(Expires);
        command.Options.Add(Tag);
        command.Options.Add(Components);
        command.Options.Add(AllowInsecureHttp);
        command.Options.Add(ShowBase);
    }

    /// <summary>The signed request's signature base, framed so it cannot be mistaken for header lines.</summary>
    public static string FormatSignatureBase(HttpRequestMessage request)
    {
        string signatureBase = RequestSigner.GetSignatureBase(request);
        return $"{SignatureBaseBegin}\n{signatureBase}\n{SignatureBaseEnd}\n";
    }

    public const string SignatureBaseBegin = "----- BEGIN SIGNATURE BASE -----";

    public const string SignatureBaseEnd = "----- END SIGNATURE BASE -----";

    /// <summary>Builds and signs the request. The caller disposes the returned request and key.</summary>
    public async Task<SignedRequest> BuildAsync(ParseResult parseResult, CliContext context, TextWriter error, CancellationToken cancellationToken)
    {
        string method = parseResult.GetValue(Method)!;
        if (method.Length == 0 || !method.All(IsTokenChar))
        {
            throw CliException.Usage($"'{method}' is not an HTTP method.");
        }

        string url = parseResult.GetValue(Url)!;
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Host.Length == 0)
        {
            throw CliException.Usage($"'{url}' is not an absolute http:// or https:// URL.");
        }

        bool allowInsecureHttp = parseResult.GetValue(AllowInsecureHttp);
        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback && !allowInsecureHttp)
        {
            throw CliException.Usage(
                $"Refusing to sign a plain http:// request to '{uri.IdnHost}', which is not loopback: the signature and the body would cross " +
                "the network unencrypted. Use https://, or pass --allow-insecure-http for a trusted network.");
        }

        int? expires = parseResult.GetValue(Expires);
        if (expires is <= 0)
        {
            throw CliException.Usage("--expires must be a positive number of seconds.");
        }

        string[] components = parseResult.GetValue(Components) ?? [];
        var signingOptions = new SigningOptions
        {
            Components = components.Length == 0 ? null : components,
            ExpiresAfter = expires is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            Tag = parseResult.GetValue(Tag),
        };
        ContentDigestAlgorithm digest = parseResult.GetValue(Digest) == "sha-512" ? ContentDigestAlgorithm.Sha512 : ContentDigestAlgorithm.Sha256;

        string? data = parseResult.GetValue(Data);
        if (data is "-" or "@-" && parseResult.GetValue(KeyFile) == "-")
        {
            throw CliException.Usage("The body and the key cannot both come from stdin: pass one of them as a file.");
        }

        Body? body = data is null ? null : ReadBody(data, context);

        var request = new HttpRequestMessage(new HttpMethod(method), uri);
        SigningKey? key = null;
        try
        {
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body.Bytes);
            }

            foreach (string header in parseResult.GetValue(Headers) ?? [])
            {
                AddHeader(request, header);
            }

            key = KeyLoader.Load(parseResult.GetValue(KeyFile), parseResult.GetValue(KeyId), context, error);
            var signer = new RequestSigner(key, signingOptions, digest, context.TimeProvider) { AllowInsecureHttp = allowInsecureHttp };
            try
            {
                await signer.SignAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException ex)
            {
                throw new CliException(ExitCodes.Error, ex.Message, ex);
            }

            return new SignedRequest(request, key, body);
        }
        catch
        {
            request.Dispose();
            key?.Dispose();
            throw;
        }
    }

    private static Body ReadBody(string data, CliContext context)
    {
        if (data is "-" or "@-")
        {
            using Stream stdin = context.OpenStdin();
            using var buffer = new MemoryStream();
            stdin.CopyTo(buffer);
            return new Body(buffer.ToArray(), FilePath: null);
        }

        if (data.StartsWith('@'))
        {
            string path = data[1..];
            try
            {
                return new Body(File.ReadAllBytes(path), path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new CliException(ExitCodes.Error, $"Cannot read the body file '{path}': {KeyLoader.Describe(ex)}", ex);
            }
        }

        return new Body(Encoding.UTF8.GetBytes(data), FilePath: null);
    }

    private static void AddHeader(HttpRequestMessage request, string header)
    {
        int colon = header.IndexOf(':', StringComparison.Ordinal);
        string name = colon > 0 ? header[..colon].Trim() : string.Empty;
        if (name.Length == 0 || !name.All(IsTokenChar))
        {
            throw CliException.Usage($"'{header}' is not a header: write it as 'Name: value'.");
        }

        string value = header[(colon + 1)..].Trim();
        if (value.Contains('\r', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal))
        {
            throw CliException.Usage($"The value of header '{name}' contains a line break.");
        }

        if (request.Headers.TryAddWithoutValidation(name, value))
        {
            return;
        }

        if (request.Content is null || !request.Content.Headers.TryAddWithoutValidation(name, value))
        {
            throw CliException.Usage(string.Create(CultureInfo.InvariantCulture, $"Header '{name}' describes content; it needs a body (--data)."));
        }
    }

    // RFC 9110 §5.6.2 token characters.
    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}

/// <summary>A request body and, when it came from a file, the file's path (curl can then read it directly).</summary>
internal sealed record Body(byte[] Bytes, string? FilePath);

/// <summary>A signed request with the key that signed it.</summary>
internal sealed class SignedRequest(HttpRequestMessage request, SigningKey key, Body? body) : IDisposable
{
    public HttpRequestMessage Request { get; } = request;

    public Body? Body { get; } = body;

    public void Dispose()
    {
        Request.Dispose();
        key.Dispose();
    }
}
