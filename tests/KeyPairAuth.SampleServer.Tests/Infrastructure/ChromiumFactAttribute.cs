namespace KeyPairAuth.SampleServer.Tests.Infrastructure;

/// <summary>
/// A browser test. Skipped, with the reason, when <c>KEYPAIRAUTH_TEST_CHROMIUM</c> is not set (a plain
/// <c>dotnet test</c>); when <c>./test.sh</c> set it (it installs Debian's chromium), the test runs and FAILS if the
/// browser cannot be started — never a silent pass.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Variable = "KEYPAIRAUTH_TEST_CHROMIUM";

    public ChromiumFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"{Variable} is not set: run ./test.sh, which installs Debian's chromium (.ci/services/chromium.sh) and sets it.";
        }
    }

    public static string ExecutablePath => Environment.GetEnvironmentVariable(Variable)
        ?? throw new InvalidOperationException($"{Variable} is not set.");
}
