namespace KeyPairAuth.StructuredFields.Internal;

/// <summary>
/// Standard base64 (RFC 4648 §4) decoding as RFC 9651 §4.2.7 requires: only the alphabet and trailing "="; missing
/// padding is synthesised (the RFC says parsers SHOULD NOT fail on it); padding that is present must be complete and
/// only at the end; non-zero pad bits are ignored (RFC 9651 SHOULD NOT fail on them). Linear, no exceptions.
/// </summary>
internal static class Base64Codec
{
    private const byte Invalid = 0xFF;

    private static readonly byte[] DecodeMap = BuildDecodeMap();

    internal static bool TryDecode(ReadOnlySpan<char> text, out byte[]? bytes, out int badOffset, out string? reason)
    {
        bytes = null;
        badOffset = 0;
        reason = null;
        int length = text.Length;
        int padding = 0;
        while (length > 0 && text[length - 1] == '=')
        {
            length--;
            padding++;
        }

        for (int i = 0; i < length; i++)
        {
            char c = text[i];
            if (c >= 128 || DecodeMap[c] == Invalid)
            {
                badOffset = i;
                reason = c == '=' ? "The byte sequence has '=' padding before its end" : "The byte sequence contains a character outside the base64 alphabet";
                return false;
            }
        }

        if (padding > 0 && (padding > 2 || (length + padding) % 4 != 0))
        {
            badOffset = length;
            reason = "The byte sequence has incorrect '=' padding";
            return false;
        }

        int remainder = length % 4;
        if (remainder == 1)
        {
            badOffset = length - 1;
            reason = "The byte sequence has a truncated base64 group";
            return false;
        }

        bytes = new byte[(length / 4 * 3) + (remainder == 0 ? 0 : remainder - 1)];
        int o = 0;
        int full = length - remainder;
        for (int i = 0; i < full; i += 4)
        {
            int v = (DecodeMap[text[i]] << 18) | (DecodeMap[text[i + 1]] << 12) | (DecodeMap[text[i + 2]] << 6) | DecodeMap[text[i + 3]];
            bytes[o++] = (byte)(v >> 16);
            bytes[o++] = (byte)(v >> 8);
            bytes[o++] = (byte)v;
        }

        if (remainder >= 2)
        {
            int v = (DecodeMap[text[full]] << 18) | (DecodeMap[text[full + 1]] << 12) | (remainder == 3 ? DecodeMap[text[full + 2]] << 6 : 0);
            bytes[o++] = (byte)(v >> 16);
            if (remainder == 3)
            {
                bytes[o] = (byte)(v >> 8);
            }
        }

        return true;
    }

    private static byte[] BuildDecodeMap()
    {
        var map = new byte[128];
        Array.Fill(map, Invalid);
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < Alphabet.Length; i++)
        {
            map[Alphabet[i]] = (byte)i;
        }

        return map;
    }
}
