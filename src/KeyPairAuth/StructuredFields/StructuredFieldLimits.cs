namespace KeyPairAuth.StructuredFields;

/// <summary>Bounds on the work the parser will do for one field value. Input beyond a limit fails the field.</summary>
public sealed class StructuredFieldLimits
{
    /// <summary>Gets the default limits, suited to <c>Signature-Input</c>, <c>Signature</c> and <c>Content-Digest</c>.</summary>
    public static StructuredFieldLimits Default { get; } = new();

    /// <summary>Gets the maximum length of the field value, in characters.</summary>
    /// <value>The default value is 8192.</value>
    public int MaxFieldLength { get; init; } = 8192;

    /// <summary>Gets the maximum number of members of a List or Dictionary.</summary>
    /// <value>The default value is 64.</value>
    public int MaxMembers { get; init; } = 64;

    /// <summary>Gets the maximum number of items in one inner list.</summary>
    /// <value>The default value is 64.</value>
    public int MaxInnerListItems { get; init; } = 64;

    /// <summary>Gets the maximum number of parameters on one item or inner list.</summary>
    /// <value>The default value is 32.</value>
    public int MaxParameters { get; init; } = 32;
}
