using System.Collections.Concurrent;
using System.Reflection;

namespace KeyPairAuth.SampleServer.Dashboard;

/// <summary>
/// Serves the dashboard's few files (HTML, CSS, JS), embedded in the assembly so the server runs from any working
/// directory with no front-end build. Every page gets a strict Content-Security-Policy: only this origin's scripts and
/// styles, no inline script, no framing — a page that shows a private key once deserves it.
/// </summary>
public static class DashboardAssets
{
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private static readonly ConcurrentDictionary<string, byte[]?> Cache = new(StringComparer.Ordinal);

    public static IResult Serve(string name)
    {
        string? contentType = Path.GetExtension(name) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            _ => null,
        };
        byte[]? content = contentType is null ? null : Cache.GetOrAdd(name, Load);
        return content is null ? Results.NotFound() : new AssetResult(content, contentType!);
    }

    private static byte[]? Load(string name)
    {
        using Stream? stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("assets/" + name);
        if (stream is null)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private sealed class AssetResult(byte[] content, string contentType) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            IHeaderDictionary headers = httpContext.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            // Pages are never stored (a page left in the back/forward cache or on disk may still hold a key shown once);
            // scripts and styles are revalidated.
            headers.CacheControl = contentType.StartsWith("text/html", StringComparison.Ordinal) ? "no-store" : "no-cache";
            httpContext.Response.ContentType = contentType;
            httpContext.Response.ContentLength = content.Length;
            return httpContext.Response.Body.WriteAsync(content).AsTask();
        }
    }
}
