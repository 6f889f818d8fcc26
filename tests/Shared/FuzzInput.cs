using System.Text;

namespace KeyPairAuth.Testing;

/// <summary>
/// Seeded random inputs for the fuzz tests (the parsers, the fast field reader, the verifier): the same generators
/// everywhere, so a corpus is described by its seed, its fragments and its counts.
/// </summary>
internal static class FuzzInput
{
    /// <summary>A string of <paramref name="length"/> printable ASCII characters, or of any UTF-16 code units (lone surrogates and NUL included).</summary>
    public static string RandomString(Random random, int length, bool ascii = true)
    {
        var builder = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            builder.Append(ascii ? RandomPrintable(random) : (char)random.Next(0, 0x10000));
        }

        return builder.ToString();
    }

    /// <summary>A string of <paramref name="length"/> characters drawn from <paramref name="alphabet"/>.</summary>
    public static string RandomString(Random random, int length, string alphabet)
    {
        var builder = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            builder.Append(alphabet[random.Next(alphabet.Length)]);
        }

        return builder.ToString();
    }

    /// <summary>
    /// <paramref name="seed"/> with 1 to <paramref name="maxEdits"/> edits, each at a random place: insert one of
    /// <paramref name="fragments"/>, delete a character, overwrite a character, or insert a printable ASCII character.
    /// A valid seed and grammar fragments give inputs near the valid ones, where parsers' mistakes hide.
    /// </summary>
    public static string Splice(Random random, string seed, IReadOnlyList<string> fragments, int maxEdits)
    {
        var builder = new StringBuilder(seed);
        int edits = random.Next(1, maxEdits + 1);
        for (int e = 0; e < edits; e++)
        {
            int at = random.Next(0, builder.Length + 1);
            switch (random.Next(4))
            {
                case 0:
                    builder.Insert(at, fragments[random.Next(fragments.Count)]);
                    break;
                case 1 when builder.Length > 0:
                    builder.Remove(Math.Min(at, builder.Length - 1), 1);
                    break;
                case 2 when builder.Length > 0:
                    builder[Math.Min(at, builder.Length - 1)] = RandomPrintable(random);
                    break;
                default:
                    builder.Insert(at, RandomPrintable(random));
                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary><paramref name="value"/> with one character overwritten by a printable ASCII character (possibly the same one).</summary>
    public static string ReplaceOneChar(Random random, string value)
    {
        char[] chars = value.ToCharArray();
        chars[random.Next(chars.Length)] = RandomPrintable(random);
        return new string(chars);
    }

    private static char RandomPrintable(Random random) => (char)random.Next(0x20, 0x7F);
}
