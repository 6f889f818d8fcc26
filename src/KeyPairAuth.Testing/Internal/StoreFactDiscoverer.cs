using System.ComponentModel;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace KeyPairAuth.Testing.Internal;

/// <summary>Discovers <see cref="StoreFactAttribute"/> tests as <see cref="StoreTestCase"/>s.</summary>
/// <param name="diagnosticMessageSink">xunit's diagnostic sink.</param>
internal sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        [new StoreTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod)];
}

/// <summary>A fact whose skip reason also comes from the test class's <see cref="RequiresEnvironmentVariableAttribute"/>s.</summary>
internal sealed class StoreTestCase : XunitTestCase
{
    /// <summary>Initializes a new instance of the <see cref="StoreTestCase"/> class, for the deserializer.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public StoreTestCase()
    {
    }

    public StoreTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay defaultMethodDisplay, TestMethodDisplayOptions defaultMethodDisplayOptions, ITestMethod testMethod)
        : base(diagnosticMessageSink, defaultMethodDisplay, defaultMethodDisplayOptions, testMethod)
    {
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute)
    {
        foreach (IAttributeInfo requirement in TestMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresEnvironmentVariableAttribute)))
        {
            string? variable = requirement.GetConstructorArguments().FirstOrDefault() as string;
            if (!string.IsNullOrEmpty(variable) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
            {
                return $"{variable} is not set: this store's server is not available (./test.sh provisions it).";
            }
        }

        return base.GetSkipReason(factAttribute);
    }
}
