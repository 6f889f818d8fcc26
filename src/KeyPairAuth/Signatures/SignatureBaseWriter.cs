using System.Buffers;

namespace KeyPairAuth.Signatures;

/// <summary>
/// An ASCII byte buffer rented from <see cref="ArrayPool{T}.Shared"/> that the signature base is written into, so the
/// verifier's hot path neither builds a string nor allocates. Passed by <see langword="ref"/>; return it with <see cref="Dispose"/>.
/// </summary>
internal struct SignatureBaseWriter : IDisposable
{
    private static readonly SearchValues<char> PrintableOrTab = SearchValues.Create(
        "\t !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    private byte[] _buffer;
    private int _length;

    public SignatureBaseWriter(int initialCapacity)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
        _length = 0;
    }

    public readonly int Length => _length;

    public readonly ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        EnsureCapacity(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    public void WriteByte(byte value)
    {
        EnsureCapacity(1);
        _buffer[_length++] = value;
    }

    /// <summary>Writes printable ASCII (and HTAB) as bytes; anything else fails the base (RFC 9421 §2.5 step 4, §2.1).</summary>
    public void WriteAscii(ReadOnlySpan<char> text)
    {
        // Vectorised: one check against the allowed set, then one narrowing copy.
        if (text.ContainsAnyExcept(PrintableOrTab))
        {
            throw new SignatureBaseException("A component value contains a non-ASCII or control character; the signature base must be printable ASCII (RFC 9421 §2.5).");
        }

        EnsureCapacity(text.Length);
        System.Text.Ascii.FromUtf16(text, _buffer.AsSpan(_length, text.Length), out int written);
        _length += written;
    }

    public void WriteLowerAscii(ReadOnlySpan<char> text)
    {
        int start = _length;
        WriteAscii(text);
        Span<byte> written = _buffer.AsSpan(start, text.Length);
        for (int i = 0; i < written.Length; i++)
        {
            byte b = written[i];
            if (b is >= (byte)'A' and <= (byte)'Z')
            {
                written[i] = (byte)(b | 0x20);
            }
        }
    }

    /// <summary>
    /// Writes one field line's value per RFC 9421 §2.1: leading and trailing whitespace stripped, each obsolete
    /// line folding (OWS CRLF RWS) replaced by a single space; any other CR or LF fails the base.
    /// </summary>
    public void WriteFieldLine(ReadOnlySpan<char> line)
    {
        line = line.Trim(" \t");
        int newline = line.IndexOfAny('\r', '\n');
        if (newline < 0)
        {
            WriteAscii(line);
            return;
        }

        while (newline >= 0)
        {
            ReadOnlySpan<char> before = line[..newline].TrimEnd(" \t");
            int next = newline;
            if (line[next] == '\r')
            {
                next++;
            }

            if (next >= line.Length || line[next] != '\n' || next + 1 >= line.Length || line[next + 1] is not (' ' or '\t'))
            {
                throw new SignatureBaseException("A field value contains a line break that is not an obsolete line folding (RFC 9421 §2.1).");
            }

            WriteAscii(before);
            WriteByte((byte)' ');
            line = line[(next + 1)..].TrimStart(" \t");
            newline = line.IndexOfAny('\r', '\n');
        }

        WriteAscii(line);
    }

    /// <summary>Returns the written bytes as a string (for <see cref="SignatureBase.Build(IHttpRequestView, StructuredFields.SfInnerList)"/>).</summary>
    public readonly override string ToString() => System.Text.Encoding.ASCII.GetString(_buffer, 0, _length);

    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void EnsureCapacity(int extra)
    {
        if (_buffer.Length - _length >= extra)
        {
            return;
        }

        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + extra));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = larger;
    }
}
