namespace KeyPairAuth.Testing;

/// <summary>
/// Put on a conformance test class whose store needs a server: when the environment variable is missing or empty,
/// every test of <see cref="PublicKeyStoreConformanceTests"/> in that class is reported <b>skipped</b> with a reason
/// naming the variable (never silently passed). When it is set, the tests run, and fail if the server cannot be
/// reached.
/// </summary>
/// <param name="variable">The environment variable that holds the server's connection string.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = true)]
public sealed class RequiresEnvironmentVariableAttribute(string variable) : Attribute
{
    /// <summary>Gets the environment variable.</summary>
    public string Variable { get; } = variable;
}
