using Microsoft.Playwright;

namespace KeyPairAuth.SampleServer.Tests.Infrastructure;

/// <summary>
/// One headless Chromium for a test class (each test opens its own isolated contexts). Launched only when
/// <c>KEYPAIRAUTH_TEST_CHROMIUM</c> is set; a launch failure then fails the tests.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private Exception? _launchFailure;

    /// <summary>Gets the browser, or throws why it could not be launched.</summary>
    public IBrowser Browser => _browser ?? throw new InvalidOperationException(
        $"Chromium at '{Environment.GetEnvironmentVariable(ChromiumFactAttribute.Variable)}' could not be launched.", _launchFailure);

    public async Task InitializeAsync()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ChromiumFactAttribute.Variable)))
        {
            return;
        }

        try
        {
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumFactAttribute.ExecutablePath,
                Headless = true,

                // Root (CI) cannot use Chromium's sandbox; the pages are our own, on loopback.
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
                Timeout = 60_000,
            });
        }
        catch (PlaywrightException exception)
        {
            // Reported by every test that needs the browser, so the failure is visible per test.
            _launchFailure = exception;
        }
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
