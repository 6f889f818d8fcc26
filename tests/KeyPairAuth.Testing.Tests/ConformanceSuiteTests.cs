using System.Reflection;
using KeyPairAuth.Keys;
using KeyPairAuth.Stores;
using KeyPairAuth.Testing.Internal;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace KeyPairAuth.Testing.Tests;

/// <summary>The conformance suite fails stores that break the contract, each for the right test.</summary>
public sealed class ConformanceSuiteTests
{
    [Fact]
    public async Task Suite_CorrectStore_PassesEveryTest()
    {
        foreach (MethodInfo test in SuiteTests())
        {
            await RunAsync(Flaw.None, test.Name);
        }
    }

    [Theory]
    [InlineData(Flaw.NonAtomicLimit, nameof(PublicKeyStoreConformanceTests.Add_ParallelWritersForOneOwner_ExactlyMaxAreAdded))]
    [InlineData(Flaw.LastUsedMovesBackwards, nameof(PublicKeyStoreConformanceTests.RecordLastUsed_EarlierTime_NeverMovesBackwards))]
    [InlineData(Flaw.RevokeOverwrites, nameof(PublicKeyStoreConformanceTests.Revoke_Twice_KeepsTheFirstRevocationTime))]
    [InlineData(Flaw.RevokeOverwrites, nameof(PublicKeyStoreConformanceTests.Revoke_InParallel_EveryCallerSeesTheOneStoredTime))]
    [InlineData(Flaw.LostUpdates, nameof(PublicKeyStoreConformanceTests.RevokeAndRecordLastUsed_InParallel_NeitherIsLost))]
    [InlineData(Flaw.OrdersByLocalTime, nameof(PublicKeyStoreConformanceTests.ListByOwner_KeysWithMixedOffsets_ReturnsThatOwnersKeysOldestFirst))]
    [InlineData(Flaw.CaseInsensitiveKeyIds, nameof(PublicKeyStoreConformanceTests.Find_KeyIdDifferingOnlyInCase_ReturnsNull))]
    [InlineData(Flaw.ReadsNothing, nameof(PublicKeyStoreConformanceTests.Store_AfterEveryWrite_HoldsNoSeedNorSecret))]
    internal async Task Suite_FlawedStore_FailsTheTestForThatFlaw(Flaw flaw, string test)
    {
        await Assert.ThrowsAnyAsync<XunitException>(() => RunAsync(flaw, test));
    }

    [Fact]
    public void SecretScan_ValuesHoldingTheKeyInAnyEncoding_AreFound()
    {
        using SigningKey key = SigningKey.Generate();
        string secret = key.ExportSecret();
        byte[] seed = SecretScan.SeedOf(secret);
        byte[] blob = [1, 2, 3, .. seed, 4];

        Assert.Null(SecretScan.Find(["alice", key.KeyId, key.PublicKey.RawBytes.ToArray(), 42, null, DBNull.Value], seed, secret));
        Assert.Contains("seed bytes", SecretScan.Find(["alice", blob], seed, secret), StringComparison.Ordinal);
        Assert.Contains("seed bytes", SecretScan.Find([new ReadOnlyMemory<byte>(blob)], seed, secret), StringComparison.Ordinal);
        Assert.Contains("as text", SecretScan.Find([$"{{\"backup\":\"{secret}\"}}"], seed, secret), StringComparison.Ordinal);
        Assert.Contains("as text", SecretScan.Find([Convert.ToHexString(seed).ToLowerInvariant()], seed, secret), StringComparison.Ordinal);
        Assert.Contains("as text", SecretScan.Find([Convert.ToBase64String(seed)], seed, secret), StringComparison.Ordinal);
        Assert.Contains("as text", SecretScan.Find([System.Text.Encoding.UTF8.GetBytes(System.Buffers.Text.Base64Url.EncodeToString(seed))], seed, secret), StringComparison.Ordinal);
    }

    [Fact]
    public void SecretScan_SeedOf_ReadsTheSeedTheSecretCarries()
    {
        using SigningKey key = SigningKey.Generate();
        string secret = key.ExportSecret();

        using SigningKey again = SigningKey.FromSeed(key.KeyId, SecretScan.SeedOf(secret));

        Assert.Equal(key.PublicKey, again.PublicKey);
    }

    [Fact]
    public void StoreTestCase_ClassRequiringAnUnsetVariable_IsSkippedWithTheReason()
    {
        StoreTestCase skipped = TestCaseFor(typeof(ServerSuite));
        StoreTestCase runs = TestCaseFor(typeof(FlawedSuite));

        Assert.Equal("KEYPAIRAUTH_TEST_NEVER_SET is not set: this store's server is not available (./test.sh provisions it).", skipped.SkipReason);
        Assert.Null(runs.SkipReason);
    }

    [Fact]
    public async Task Suite_ConfigureServicesWithoutAStore_FailsAtInitialization()
    {
        NoStoreSuite suite = new();

        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(suite.InitializeAsync);

        Assert.Contains("IPublicKeyStore", error.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<MethodInfo> SuiteTests() =>
        typeof(PublicKeyStoreConformanceTests).GetMethods().Where(m => m.GetCustomAttribute<StoreFactAttribute>() is not null);

    private static async Task RunAsync(Flaw flaw, string test)
    {
        FlawedSuite suite = new(flaw);
        await suite.InitializeAsync();
        try
        {
            MethodInfo method = typeof(PublicKeyStoreConformanceTests).GetMethod(test) ?? throw new ArgumentException(test);
            await (Task)method.Invoke(suite, null)!;
        }
        finally
        {
            await suite.DisposeAsync();
        }
    }

    private static StoreTestCase TestCaseFor(Type testClass)
    {
        TestAssembly assembly = new(Reflector.Wrap(testClass.Assembly));
        TestCollection collection = new(assembly, null, "conformance");
        TestClass @class = new(collection, Reflector.Wrap(testClass));
        TestMethod method = new(@class, Reflector.Wrap(typeof(PublicKeyStoreConformanceTests).GetMethod(nameof(PublicKeyStoreConformanceTests.Find_UnknownKeyId_ReturnsNull))!));
        return new StoreTestCase(new NullMessageSink(), TestMethodDisplay.ClassAndMethod, TestMethodDisplayOptions.None, method);
    }

    // Internal, so xunit does not run these suites themselves (they are driven by the tests above).
    internal class FlawedSuite(Flaw flaw = Flaw.None) : PublicKeyStoreConformanceTests
    {
        protected override void ConfigureServices(IServiceCollection services) =>
            services.AddSingleton(new FlawedStore(flaw)).AddSingleton<IPublicKeyStore>(sp => sp.GetRequiredService<FlawedStore>());

        protected override Task<IReadOnlyCollection<object?>> ReadStoredValuesAsync(IServiceProvider services) =>
            Task.FromResult<IReadOnlyCollection<object?>>(flaw.HasFlag(Flaw.ReadsNothing) ? [] : services.GetRequiredService<FlawedStore>().StoredValues());
    }

    [RequiresEnvironmentVariable("KEYPAIRAUTH_TEST_NEVER_SET")]
    internal sealed class ServerSuite : FlawedSuite;

    internal sealed class NoStoreSuite : PublicKeyStoreConformanceTests
    {
        protected override void ConfigureServices(IServiceCollection services)
        {
        }

        protected override Task<IReadOnlyCollection<object?>> ReadStoredValuesAsync(IServiceProvider services) => throw new NotSupportedException();
    }
}
