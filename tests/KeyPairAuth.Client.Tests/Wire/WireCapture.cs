using System.Net;
using System.Net.Sockets;
using System.Text;
using KeyPairAuth.Signatures;
using Microsoft.Extensions.Primitives;

namespace KeyPairAuth.Client.Tests.Wire;

/// <summary>What a raw TCP listener received (request line, header lines in order, body bytes after de-chunking).</summary>
internal sealed record WireRequest(string Method, string Target, List<(string Name, string Value)> Headers, byte[] Body, bool Chunked)
{
    public StringValues Values(string name) => new([.. Headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value)]);

    public override string ToString() => $"{Method} {Target}\n" + string.Join("\n", Headers.Select(h => $"{h.Name}: {h.Value}")) + $"\n[body {Body.Length} bytes, chunked={Chunked}]";
}

/// <summary>A one-request-per-connection HTTP/1.1 listener that records the raw request and answers 200 (or a proxy for absolute-form).</summary>
internal sealed class WireCapture : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public WireCapture()
    {
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public List<WireRequest> Requests { get; } = [];

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        NetworkStream stream = client.GetStream();
                        WireRequest request = await ReadAsync(stream);
                        lock (Requests)
                        {
                            Requests.Add(request);
                        }

                        await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray());
                    }
                    catch
                    {
                    }
                }
            });
        }
    }

    private static async Task<WireRequest> ReadAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        byte[] one = new byte[1];
        while (buffer.Count < 4 || !(buffer[^4] == '\r' && buffer[^3] == '\n' && buffer[^2] == '\r' && buffer[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                throw new EndOfStreamException();
            }

            buffer.Add(one[0]);
        }

        string head = Encoding.Latin1.GetString(buffer.ToArray());
        string[] lines = head.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        string[] requestLine = lines[0].Split(' ');
        var headers = lines.Skip(1).Select(l => (l[..l.IndexOf(':')], l[(l.IndexOf(':') + 1)..].Trim())).ToList();
        byte[] body = [];
        bool chunked = headers.Any(h => h.Item1.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && h.Item2.Contains("chunked", StringComparison.OrdinalIgnoreCase));
        if (chunked)
        {
            var all = new MemoryStream();
            while (true)
            {
                string sizeLine = await ReadLineAsync(stream);
                int size = Convert.ToInt32(sizeLine.Split(';')[0].Trim(), 16);
                if (size == 0)
                {
                    while ((await ReadLineAsync(stream)).Length > 0)
                    {
                    }

                    break;
                }

                byte[] chunk = new byte[size];
                await stream.ReadExactlyAsync(chunk);
                all.Write(chunk);
                await ReadLineAsync(stream);
            }

            body = all.ToArray();
        }
        else if (headers.FirstOrDefault(h => h.Item1.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) is { Item1: not null } cl)
        {
            body = new byte[long.Parse(cl.Item2, System.Globalization.CultureInfo.InvariantCulture)];
            await stream.ReadExactlyAsync(body);
        }

        return new WireRequest(requestLine[0], requestLine[1], headers, body, chunked);
    }

    private static async Task<string> ReadLineAsync(NetworkStream stream)
    {
        var line = new List<byte>();
        byte[] one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one) == 0)
            {
                throw new EndOfStreamException();
            }

            if (one[0] == '\n')
            {
                return Encoding.Latin1.GetString(line.ToArray()).TrimEnd('\r');
            }

            line.Add(one[0]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch
        {
        }
    }
}

/// <summary>The server's view rebuilt from the wire only: Host header as authority, the request-line target (absolute-form reduced to path and query, as the ASP.NET Core adapter does).</summary>
internal sealed class WireView(WireRequest request, string scheme = "http") : IHttpRequestView
{
    public string Method => request.Method;

    public string Scheme => scheme;

    public string Authority => request.Values("Host").ToString();

    public string RequestTarget
    {
        get
        {
            string raw = request.Target;
            if (raw.StartsWith('/'))
            {
                return raw;
            }

            int s = raw.IndexOf("://", StringComparison.Ordinal);
            int p = raw.AsSpan(s + 3).IndexOfAny('/', '?');
            return p < 0 ? "/" : (raw[s + 3 + p] == '?' ? "/" : "") + raw[(s + 3 + p)..];
        }
    }

    public bool HasContent => request.Body.Length > 0 || request.Chunked;

    public StringValues GetFieldValues(string fieldName) => request.Values(fieldName);
}
