using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace KeyPairAuth.Testing.Internal;

/// <summary>Searches stored values for a private key: its seed as bytes or text, or its secret string.</summary>
internal static class SecretScan
{
    /// <summary>Reads the seed out of a secret string (docs/keys.md: <c>kpa_sk_</c> + base64url(key id (12) ‖ seed (32) ‖ CRC-32 (4))).</summary>
    public static byte[] SeedOf(string secret)
    {
        byte[] payload = Base64Url.DecodeFromChars(secret.AsSpan("kpa_sk_".Length));
        return payload.AsSpan(12, 32).ToArray();
    }

    /// <summary>Describes the first value that holds the private key, or returns <see langword="null"/> when none does.</summary>
    public static string? Find(IEnumerable<object?> values, byte[] seed, string secret)
    {
        string[] texts =
        [
            secret,
            secret["kpa_sk_".Length..],
            Convert.ToBase64String(seed),
            Convert.ToBase64String(seed).TrimEnd('='),
            Base64Url.EncodeToString(seed),
            Convert.ToHexString(seed),
        ];
        int index = 0;
        foreach (object? value in values)
        {
            if (Holds(value, seed))
            {
                return $"Stored value #{index} ({value!.GetType().Name}) contains the private key's seed bytes.";
            }

            string? text = AsText(value);
            if (text is not null && texts.Any(t => text.Contains(t, StringComparison.OrdinalIgnoreCase)))
            {
                return $"Stored value #{index} ({value!.GetType().Name}) contains the private key as text.";
            }

            index++;
        }

        return null;
    }

    /// <summary>Whether a byte-valued value contains <paramref name="needle"/>.</summary>
    public static bool Holds(object? value, ReadOnlySpan<byte> needle) => value switch
    {
        byte[] bytes => bytes.AsSpan().IndexOf(needle) >= 0,
        ReadOnlyMemory<byte> memory => memory.Span.IndexOf(needle) >= 0,
        Memory<byte> memory => memory.Span.IndexOf(needle) >= 0,
        ArraySegment<byte> segment => segment.AsSpan().IndexOf(needle) >= 0,
        _ => false,
    };

    private static string? AsText(object? value) => value switch
    {
        null or DBNull => null,
        string text => text,
        char[] chars => new string(chars),
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        ReadOnlyMemory<byte> memory => Encoding.UTF8.GetString(memory.Span),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };
}
