using System.Net;
using System.Text;
using KeyPairAuth.Client;
using KeyPairAuth.Keys;
using KeyPairAuth.SampleServer.Tests.Infrastructure;
using KeyPairAuth.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KeyPairAuth.SampleServer.Tests.Browser;

/// <summary>
/// The dashboard in real headless Chromium (Debian's <c>chromium</c>, driven by Playwright through
/// <c>ExecutablePath</c>; nothing is downloaded), against the real sample server on Kestrel.
/// </summary>
public sealed class DashboardBrowserTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private static readonly string Screenshots = Artifacts.Directory("screenshots");

    [ChromiumFact]
    public async Task Dashboard_CreateUseAndRevokeKey_SecretShownOnceAndActivityRecorded()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        IBrowser browser = chromium.Browser;
        IPage page = await NewPageAsync(browser);

        // Sign in (demo: a user name, no password).
        await page.GotoAsync(server.Url + "/");
        await Expect(page.Locator(".demo-banner")).ToContainTextAsync("Demo sign-in");
        await SignInAsync(page, "alice");
        await Expect(page.Locator("#keys-empty")).ToBeVisibleAsync();

        // Create a key: the secret is shown once, with a copy button, a PEM download and a warning.
        await page.FillAsync("#create-name", "laptop");
        await page.CheckAsync("#create-scopes input[value='orders:write']");
        await page.ClickAsync("#create-form button[type=submit]");
        await Expect(page.Locator("#secret-panel")).ToBeVisibleAsync();
        await Expect(page.Locator("#secret-panel .warning")).ToContainTextAsync("will not be shown again");
        string secret = await page.InputValueAsync("#secret-value");
        string keyId = (await page.TextContentAsync("#secret-key-id"))!;
        Assert.StartsWith(SigningKey.SecretPrefix, secret, StringComparison.Ordinal);
        Assert.True(KeyId.IsValid(keyId), keyId);
        await page.ClickAsync("#copy-secret");
        await Expect(page.Locator("#copy-status")).ToHaveTextAsync("Copied.");
        IDownload download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#download-pem"));
        Assert.Equal($"{keyId}.pem", download.SuggestedFilename);
        string pem = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem, StringComparison.Ordinal);
        using (SigningKey fromPem = SigningKey.FromPkcs8Pem(keyId, pem))
        using (SigningKey fromSecret = SigningKey.Parse(secret))
        {
            Assert.Equal(fromSecret.PublicKey, fromPem.PublicKey);
        }

        ILocator row = page.Locator($"#keys tr[data-key-id='{keyId}']");
        await Expect(row.Locator(".name")).ToHaveTextAsync("laptop");
        await Expect(row.Locator(".status")).ToHaveTextAsync("active");
        await Expect(row.Locator(".last-used")).ToHaveTextAsync("never");
        await Expect(row.Locator(".key-scopes")).ToContainTextAsync("orders:write");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "01-key-created-secret-shown-once.png"), FullPage = true });

        // Use it with the client SDK: 200 as alice. A request tampered with after signing is refused.
        await using (var client = new SignedClient(server.BaseAddress, secret))
        {
            Reply whoami = await client.GetAsync("api/whoami");
            whoami.AssertStatus(HttpStatusCode.OK);
            Assert.Equal("alice", whoami.Json.GetProperty("owner").GetString());
            Assert.Equal(keyId, whoami.Json.GetProperty("keyId").GetString());
        }

        (await SendTamperedAsync(server, secret)).AssertProblem(HttpStatusCode.Unauthorized, "digest_mismatch");

        // The user saves the key and hides it.
        await page.ClickAsync("#secret-done");
        await Expect(page.Locator("#secret-panel")).ToBeHiddenAsync();
        Assert.Equal(string.Empty, await page.InputValueAsync("#secret-value"));

        // Last used and the activity panel update. Last use is written off the request path: wait for the store.
        await WaitForLastUseAsync(server, keyId);
        await page.ClickAsync("#refresh");
        await Expect(row.Locator(".last-used")).Not.ToHaveTextAsync("never");
        ILocator activity = page.Locator($"#activity tr[data-key-id='{keyId}']");
        await Expect(activity.Locator(".accepted")).ToHaveTextAsync("1");
        await Expect(activity.Locator(".refused")).ToContainTextAsync("digest_mismatch: 1");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "02-key-used-activity.png"), FullPage = true });

        // Revoke in the UI, after a confirmation.
        string? confirmation = null;
        page.Dialog += async (_, dialog) =>
        {
            confirmation = dialog.Message;
            await dialog.AcceptAsync();
        };
        await row.Locator("button[data-action=revoke]").ClickAsync();
        await Expect(row.Locator(".status")).ToHaveTextAsync("revoked");
        Assert.Contains(keyId, confirmation, StringComparison.Ordinal);

        // The key no longer signs in.
        await using (var client = new SignedClient(server.BaseAddress, secret))
        {
            (await client.GetAsync("api/whoami")).AssertProblem(HttpStatusCode.Unauthorized, "key_revoked");
        }

        await page.ClickAsync("#refresh");
        await Expect(activity.Locator(".refused")).ToContainTextAsync("key_revoked: 1");

        // Reload: the secret is not shown again, anywhere on the page.
        await page.ReloadAsync();
        await Expect(row.Locator(".status")).ToHaveTextAsync("revoked");
        await Expect(page.Locator("#secret-panel")).ToBeHiddenAsync();
        Assert.Equal(string.Empty, await page.InputValueAsync("#secret-value"));
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(SigningKey.SecretPrefix, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(SigningKey.SecretPrefix, await page.EvaluateAsync<string>("() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage)"), StringComparison.Ordinal);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "03-key-revoked-after-reload.png"), FullPage = true });
    }

    [ChromiumFact]
    public async Task Dashboard_SecondUser_CannotSeeOrRevokeTheFirstUsersKey()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        IBrowser browser = chromium.Browser;

        IPage alice = await NewPageAsync(browser);
        await alice.GotoAsync(server.Url + "/");
        await SignInAsync(alice, "alice");
        await alice.FillAsync("#create-name", "alice's key");
        await alice.ClickAsync("#create-form button[type=submit]");
        await Expect(alice.Locator("#secret-panel")).ToBeVisibleAsync();
        string aliceKey = (await alice.TextContentAsync("#secret-key-id"))!;
        string aliceSecret = await alice.InputValueAsync("#secret-value");

        // Bob, in his own browser context (his own cookie), signs in and creates a key of his own.
        IPage bob = await NewPageAsync(browser);
        await bob.GotoAsync(server.Url + "/");
        await SignInAsync(bob, "bob");
        await bob.FillAsync("#create-name", "bob's key");
        await bob.ClickAsync("#create-form button[type=submit]");
        await Expect(bob.Locator("#secret-panel")).ToBeVisibleAsync();
        string bobKey = (await bob.TextContentAsync("#secret-key-id"))!;
        await bob.ClickAsync("#secret-done");

        await Expect(bob.Locator($"#keys tr[data-key-id='{bobKey}']")).ToBeVisibleAsync();
        await Expect(bob.Locator($"#keys tr[data-key-id='{aliceKey}']")).ToHaveCountAsync(0);
        await Expect(bob.Locator("#keys tbody tr")).ToHaveCountAsync(1);
        Assert.DoesNotContain(aliceKey, await bob.ContentAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(aliceSecret, await bob.ContentAsync(), StringComparison.Ordinal);

        // Bob tries alice's key id directly, with his session and a valid antiforgery token: 404, like a missing key.
        int[] statuses = await bob.EvaluateAsync<int[]>(
            """
            async (keyId) => {
              const session = await (await fetch("/session")).json();
              const headers = { "RequestVerificationToken": session.antiforgeryToken };
              const revoke = await fetch(`/account/keys/${keyId}`, { method: "DELETE", headers });
              const get = await fetch(`/account/keys/${keyId}`);
              const missing = await fetch("/account/keys/kpa_AAAAAAAAAAAAAAAA", { method: "DELETE", headers });
              return [revoke.status, get.status, missing.status];
            }
            """,
            aliceKey);
        Assert.Equal([404, 404, 404], statuses);
        await bob.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "04-second-user-sees-only-own-keys.png"), FullPage = true });

        // Alice's key is untouched: still active in the store and in her dashboard, and it still signs requests.
        await using (AsyncServiceScope scope = server.Services.CreateAsyncScope())
        {
            PublicKeyRecord? record = await scope.ServiceProvider.GetRequiredService<IPublicKeyStore>().FindAsync(aliceKey);
            Assert.NotNull(record);
            Assert.False(record.IsRevoked);
            Assert.Equal("alice", record.Owner);
        }

        await alice.ClickAsync("#refresh");
        await Expect(alice.Locator($"#keys tr[data-key-id='{aliceKey}'] .status")).ToHaveTextAsync("active");
        await Expect(alice.Locator($"#keys tr[data-key-id='{bobKey}']")).ToHaveCountAsync(0);
        await using var client = new SignedClient(server.BaseAddress, aliceSecret);
        (await client.GetAsync("api/whoami")).AssertStatus(HttpStatusCode.OK);
    }

    [ChromiumFact]
    public async Task Dashboard_RegisterOwnPublicKey_ShowsClearErrorsForForeignKeys()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        IBrowser browser = chromium.Browser;
        IPage page = await NewPageAsync(browser);
        await page.GotoAsync(server.Url + "/");
        await SignInAsync(page, "carol");

        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        await page.FillAsync("#register-name", "rsa key");
        await page.FillAsync("#register-key", rsa.ExportSubjectPublicKeyInfoPem());
        await page.ClickAsync("#register-form button[type=submit]");
        await Expect(page.Locator("#register-error")).ToContainTextAsync("Ed25519");

        await page.FillAsync("#register-key", "this is not a key");
        await page.ClickAsync("#register-form button[type=submit]");
        await Expect(page.Locator("#register-error")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "05-register-error.png"), FullPage = true });

        using SigningKey local = SigningKey.Generate();
        await page.FillAsync("#register-name", "my workstation");
        await page.FillAsync("#register-key", local.PublicKey.ExportOpenSsh() + " carol@workstation");
        await page.ClickAsync("#register-form button[type=submit]");
        await Expect(page.Locator("#register-error")).ToBeHiddenAsync();
        ILocator row = page.Locator("#keys tbody tr").Filter(new() { HasText = "my workstation" });
        await Expect(row.Locator(".fingerprint")).ToHaveTextAsync(local.PublicKey.Fingerprint);
        await Expect(page.Locator("#secret-panel")).ToBeHiddenAsync();
    }

    [ChromiumFact]
    public async Task Dashboard_PageHiddenWhileTheSecretIsShown_ClearsTheSecret()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        IPage page = await NewPageAsync(chromium.Browser);
        await page.GotoAsync(server.Url + "/");
        await SignInAsync(page, "dave");
        await page.FillAsync("#create-name", "ci");
        await page.ClickAsync("#create-form button[type=submit]");
        await Expect(page.Locator("#secret-panel")).ToBeVisibleAsync();
        Assert.StartsWith(SigningKey.SecretPrefix, await page.InputValueAsync("#secret-value"), StringComparison.Ordinal);
        Assert.Equal("off", await page.GetAttributeAsync("#secret-value", "autocomplete"));

        // What the browser fires when the page goes into the back/forward cache (persisted) or is left.
        await page.EvaluateAsync("() => window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }))");

        await Expect(page.Locator("#secret-panel")).ToBeHiddenAsync();
        Assert.Equal(string.Empty, await page.InputValueAsync("#secret-value"));
        Assert.DoesNotContain(SigningKey.SecretPrefix, await page.ContentAsync(), StringComparison.Ordinal);
    }

    private static async Task<IPage> NewPageAsync(IBrowser browser)
    {
        IBrowserContext context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            AcceptDownloads = true,
            Permissions = ["clipboard-read", "clipboard-write"],
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    private static async Task SignInAsync(IPage page, string user)
    {
        await page.FillAsync("#signin-user", user);
        await page.ClickAsync("#signin-form button[type=submit]");
        await Expect(page.Locator("#who-name")).ToHaveTextAsync(user);
    }

    /// <summary>Signs a POST, then swaps its body: the signature still verifies, the digest does not.</summary>
    private static async Task<Reply> SendTamperedAsync(RunningSampleServer server, string secret)
    {
        using SigningKey key = SigningKey.Parse(secret);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseAddress, "api/echo"))
        {
            Content = new StringContent("""{"amount":1}""", Encoding.UTF8, "application/json"),
        };
        await new RequestSigner(key).SignAsync(request);
        request.Content = new StringContent("""{"amount":1000}""", Encoding.UTF8, "application/json");
        using var http = new HttpClient();
        using HttpResponseMessage response = await http.SendAsync(request);
        return await Reply.ReadAsync(response);
    }

    /// <summary>Waits (bounded) until the scheme's background writer has recorded the key's last use in the store.</summary>
    private static async Task WaitForLastUseAsync(RunningSampleServer server, string keyId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            await using (AsyncServiceScope scope = server.Services.CreateAsyncScope())
            {
                PublicKeyRecord? record = await scope.ServiceProvider.GetRequiredService<IPublicKeyStore>().FindAsync(keyId, timeout.Token);
                if (record?.LastUsedAt is not null)
                {
                    return;
                }
            }

            await Task.Delay(50, timeout.Token);
        }
    }
}
