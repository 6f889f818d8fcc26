using Xunit;
using Xunit.Sdk;

namespace KeyPairAuth.Testing.Internal;

/// <summary>
/// A <see cref="FactAttribute"/> for the suite's tests: like <c>[Fact]</c>, except that the test is skipped when the
/// concrete test class carries a <see cref="RequiresEnvironmentVariableAttribute"/> whose variable is not set. (An
/// attribute on an inherited method cannot know the class it runs in; its discoverer can.)
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
[XunitTestCaseDiscoverer("KeyPairAuth.Testing.Internal.StoreFactDiscoverer", "KeyPairAuth.Testing")]
internal sealed class StoreFactAttribute : FactAttribute;
