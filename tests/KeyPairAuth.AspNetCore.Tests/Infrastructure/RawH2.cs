using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace KeyPairAuth.AspNetCore.Tests.Infrastructure;

/// <summary>
/// A minimal h2c (prior knowledge) client that sends header blocks exactly as given — pseudo-headers in any order, odd
/// values, trailers, DATA without content-length — which HttpClient refuses to send. No HPACK compression.
/// </summary>
internal static class RawH2
{
    public sealed record Result(int Status, string Body, string Events)
    {
        public override string ToString() => $"status={Status} events=[{Events}] body={Body}";
    }

    public static byte[] EncodeHeaders(IEnumerable<(string Name, string Value)> headers)
    {
        var block = new List<byte>();
        foreach ((string name, string value) in headers)
        {
            block.Add(0x00); // literal without indexing, new name
            WriteString(block, name);
            WriteString(block, value);
        }

        return [.. block];
    }

    private static void WriteString(List<byte> block, string s)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(s);
        WriteInt(block, bytes.Length, 7, 0x00);
        block.AddRange(bytes);
    }

    private static void WriteInt(List<byte> block, int value, int prefixBits, byte flags)
    {
        int max = (1 << prefixBits) - 1;
        if (value < max)
        {
            block.Add((byte)(flags | value));
            return;
        }

        block.Add((byte)(flags | max));
        value -= max;
        while (value >= 128)
        {
            block.Add((byte)((value % 128) + 128));
            value /= 128;
        }

        block.Add((byte)value);
    }

    public static byte[] Frame(byte type, byte flags, int stream, byte[] payload)
    {
        byte[] frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), stream);
        payload.CopyTo(frame, 9);
        return frame;
    }

    /// <summary>Sends one request on stream 1: HEADERS (END_STREAM when no body), optional DATA frames, optional trailers.</summary>
    public static async Task<Result> SendAsync(Uri baseAddress, IEnumerable<(string Name, string Value)> headers, IEnumerable<byte[]>? data = null, IEnumerable<(string, string)>? trailers = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(baseAddress.Host, baseAddress.Port);
        NetworkStream stream = tcp.GetStream();
        var output = new List<byte>();
        output.AddRange("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        output.AddRange(Frame(0x4, 0, 0, []));
        List<byte[]> dataFrames = data?.ToList() ?? [];
        bool hasTrailers = trailers is not null;
        byte headerFlags = (byte)(0x4 | (dataFrames.Count == 0 && !hasTrailers ? 0x1 : 0));
        output.AddRange(Frame(0x1, headerFlags, 1, EncodeHeaders(headers)));
        for (int i = 0; i < dataFrames.Count; i++)
        {
            bool last = i == dataFrames.Count - 1 && !hasTrailers;
            output.AddRange(Frame(0x0, (byte)(last ? 0x1 : 0), 1, dataFrames[i]));
        }

        if (hasTrailers)
        {
            output.AddRange(Frame(0x1, 0x5, 1, EncodeHeaders(trailers!)));
        }

        await stream.WriteAsync(output.ToArray());
        int status = 0;
        var body = new StringBuilder();
        var events = new StringBuilder();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                byte[] head = new byte[9];
                await stream.ReadExactlyAsync(head, cts.Token);
                int length = (head[0] << 16) | (head[1] << 8) | head[2];
                byte type = head[3];
                byte flags = head[4];
                int sid = BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(5)) & 0x7fffffff;
                byte[] payload = new byte[length];
                await stream.ReadExactlyAsync(payload, cts.Token);
                switch (type)
                {
                    case 0x4 when (flags & 1) == 0:
                        await stream.WriteAsync(Frame(0x4, 1, 0, []), cts.Token);
                        break;
                    case 0x1 when sid == 1:
                        if (status == 0)
                        {
                            status = DecodeStatus(payload, flags);
                        }

                        if ((flags & 1) != 0)
                        {
                            return new Result(status, body.ToString(), events.ToString());
                        }

                        break;
                    case 0x0 when sid == 1:
                        body.Append(Encoding.UTF8.GetString(payload));
                        if ((flags & 1) != 0)
                        {
                            return new Result(status, body.ToString(), events.ToString());
                        }

                        break;
                    case 0x3:
                        events.Append(System.Globalization.CultureInfo.InvariantCulture, $"RST_STREAM({BinaryPrimitives.ReadUInt32BigEndian(payload)}) ");
                        return new Result(status, body.ToString(), events.ToString());
                    case 0x7:
                        events.Append(System.Globalization.CultureInfo.InvariantCulture, $"GOAWAY({BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4))}:{Encoding.ASCII.GetString(payload, 8, payload.Length - 8)}) ");
                        return new Result(status, body.ToString(), events.ToString());
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or EndOfStreamException)
        {
            events.Append(ex.GetType().Name);
        }

        return new Result(status, body.ToString(), events.ToString());
    }

    private static int DecodeStatus(byte[] block, byte flags)
    {
        int i = 0;
        if ((flags & 0x8) != 0)
        {
            i++; // padding length
        }

        if ((flags & 0x20) != 0)
        {
            i += 5; // priority
        }

        while (i < block.Length && (block[i] & 0xE0) == 0x20)
        {
            i++; // dynamic table size update (small)
        }

        byte b = block[i];
        if ((b & 0x80) != 0)
        {
            return (b & 0x7f) switch { 8 => 200, 9 => 204, 10 => 206, 11 => 304, 12 => 400, 13 => 404, 14 => 500, _ => -1 };
        }

        // literal with indexed name :status (index 8): value follows as a 3-byte string
        i++;
        int len = block[i] & 0x7f;
        return int.Parse(Encoding.ASCII.GetString(block, i + 1, len), System.Globalization.CultureInfo.InvariantCulture);
    }
}
