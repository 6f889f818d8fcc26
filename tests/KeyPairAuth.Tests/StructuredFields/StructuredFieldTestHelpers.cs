using KeyPairAuth.StructuredFields.Internal;

namespace KeyPairAuth.Tests.StructuredFields;

/// <summary>Access to the parser's per-thread work counter (steps = characters examined and loop iterations).</summary>
internal static class StructuredFieldTestHelpers
{
    public static long ResetWork()
    {
        SfReader.WorkSteps = 0;
        return 0;
    }

    public static long Work() => SfReader.WorkSteps;
}
