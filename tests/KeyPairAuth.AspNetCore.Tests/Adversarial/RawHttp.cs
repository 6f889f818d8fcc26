using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyPairAuth.AspNetCore.Tests.Adversarial;

/// <summary>A response read off a raw socket: status code and the whole text after the status line.</summary>
internal sealed record RawResponse(int Status, string Text)
{
    public bool Has(string errorCode) => Text.Contains($"\"error\":\"{errorCode}\"", StringComparison.Ordinal);

    public void AssertProblem(int status, string errorCode)
    {
        Assert.True(Status == status && Has(errorCode), $"Expected {status} {errorCode}, got {Status}: {Text[..Math.Min(600, Text.Length)]}");
    }

    public void Assert4xx()
    {
        Assert.True(Status is >= 400 and < 500, $"Expected a 4xx, got {Status}: {Text[..Math.Min(600, Text.Length)]}");
    }
}

/// <summary>
/// Writes HTTP/1.1 bytes exactly as given over a TcpClient (what HttpClient refuses to send: split field lines,
/// absolute-form targets, lying framing, bare CR/LF) and reads the answer until the server closes.
/// </summary>
internal static class RawHttp
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Serialises a signed request: request line, Host, every header line as added, framing, Connection: close.</summary>
    public static byte[] Format(
        OutgoingRequest request,
        string? requestLineTarget = null,
        string? host = null,
        long? contentLength = null,
        bool chunked = false,
        IEnumerable<string>? extraLines = null,
        byte[]? body = null)
    {
        var head = new StringBuilder();
        head.Append(request.Method).Append(' ').Append(requestLineTarget ?? request.RequestTarget).Append(" HTTP/1.1\r\n");
        head.Append("Host: ").Append(host ?? request.Authority).Append("\r\n");
        foreach ((string name, string value) in request.HeaderLines())
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        body ??= request.Body;
        if (request.ContentType is not null)
        {
            head.Append("Content-Type: ").Append(request.ContentType).Append("\r\n");
        }

        if (chunked)
        {
            head.Append("Transfer-Encoding: chunked\r\n");
        }

        if (contentLength is not null)
        {
            head.Append("Content-Length: ").Append(contentLength.Value).Append("\r\n");
        }
        else if (!chunked && body is not null)
        {
            head.Append("Content-Length: ").Append(body.Length).Append("\r\n");
        }

        foreach (string line in extraLines ?? [])
        {
            head.Append(line).Append("\r\n");
        }

        head.Append("Connection: close\r\n\r\n");
        byte[] headBytes = Encoding.UTF8.GetBytes(head.ToString());
        byte[] payload = body is null ? [] : chunked ? Chunk(body) : body;
        return [.. headBytes, .. payload];
    }

    public static byte[] Chunk(byte[] body) =>
        body.Length == 0
            ? "0\r\n\r\n"u8.ToArray()
            : [.. Encoding.ASCII.GetBytes($"{body.Length:x}\r\n"), .. body, .. "\r\n0\r\n\r\n"u8.ToArray()];

    /// <summary>Sends the bytes, optionally half-closes the connection, and reads until the server closes or the timeout (15 s unless given).</summary>
    public static async Task<RawResponse> SendAsync(Uri baseAddress, byte[] bytes, bool halfClose = false, TimeSpan? readTimeout = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(baseAddress.Host, baseAddress.Port);
        NetworkStream stream = tcp.GetStream();
        await stream.WriteAsync(bytes);
        await stream.FlushAsync();
        if (halfClose)
        {
            tcp.Client.Shutdown(SocketShutdown.Send);
        }

        using var received = new MemoryStream();
        using var timeout = new CancellationTokenSource(readTimeout ?? ReadTimeout);
        byte[] buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    break;
                }

                received.Write(buffer, 0, read);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // Reset or timeout: keep what arrived.
        }

        string text = Encoding.Latin1.GetString(received.ToArray());
        if (!text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || text.Length < 12)
        {
            return new RawResponse(0, text);
        }

        return new RawResponse(int.Parse(text.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture), text);
    }
}

/// <summary>Captures the log lines of one test app (not the suite-wide sink), to assert no error was logged.</summary>
internal sealed class AppLogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Text)> _entries = new();

    public IReadOnlyCollection<(LogLevel Level, string Category, string Text)> Entries => _entries;

    public static Action<IServiceCollection> Register(AppLogSink sink) => s => s.AddSingleton<ILoggerProvider>(sink);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>The number of lines logged so far (tests in one class run one at a time).</summary>
    public int Mark() => _entries.Count;

    /// <summary>Waits (bounded) until a line containing one of <paramref name="texts"/> was logged after <paramref name="mark"/>.</summary>
    public async Task<bool> WaitForAsync(int mark, params string[] texts)
    {
        for (int i = 0; i < 60; i++)
        {
            if (_entries.Skip(mark).Any(e => texts.Any(t => e.Text.Contains(t, StringComparison.Ordinal))))
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }

    /// <summary>No Error/Critical line since <paramref name="mark"/>: no unhandled exception, no "infrastructure failure" blamed on a client.</summary>
    public void AssertNoErrors(int mark = 0)
    {
        (LogLevel Level, string Category, string Text)[] errors = [.. _entries.Skip(mark).Where(e => e.Level >= LogLevel.Error)];
        Assert.True(errors.Length == 0, "Error logged: " + string.Join(" || ", errors.Select(e => $"{e.Category}: {e.Text[..Math.Min(400, e.Text.Length)]}")));
    }

    private sealed class Logger(AppLogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink._entries.Enqueue((logLevel, category, $"[{eventId.Id}:{eventId.Name}] {formatter(state, exception)} {exception}"));
    }
}
