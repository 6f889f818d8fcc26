using System.Net;
using System.Text.Json;
using KeyPairAuth.Issuance;
using KeyPairAuth.SampleServer;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace KeyPairAuth.SampleServer.Tests.Infrastructure;

/// <summary>The real sample server (its own <c>Build</c>), on Kestrel at 127.0.0.1 with a free port.</summary>
public sealed class RunningSampleServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private RunningSampleServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>The base address without the trailing slash, as a page URL.</summary>
    public string Url => BaseAddress.ToString().TrimEnd('/');

    public IServiceProvider Services => _app.Services;

    public string StartupOutput { get; private set; } = string.Empty;

    public static async Task<RunningSampleServer> StartAsync(params string[] extraArgs)
    {
        WebApplication app = SampleServerApp.Build(["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", .. extraArgs]);
        using var output = new StringWriter();
        IReadOnlyList<string> addresses = await SampleServerApp.StartAsync(app, output);
        var server = new RunningSampleServer(app, new Uri(addresses[0].TrimEnd('/') + "/"));
        server.StartupOutput = output.ToString();
        return server;
    }

    /// <summary>Issues a key straight through the server's issuer (what the dashboard does for a signed-in user).</summary>
    public async Task<(string KeyId, string Secret)> IssueAsync(string owner, params string[] scopes)
    {
        await using AsyncServiceScope scope = Services.CreateAsyncScope();
        using IssuedKeyPair issued = await scope.ServiceProvider.GetRequiredService<IKeyPairIssuer>()
            .IssueAsync(new KeyIssueRequest { Owner = owner, Name = "test key", Scopes = scopes });
        return (issued.KeyId, issued.Secret);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A response read whole.</summary>
public sealed record Reply(HttpStatusCode Status, string? MediaType, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public static async Task<Reply> ReadAsync(HttpResponseMessage response) =>
        new(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());

    public void AssertStatus(HttpStatusCode status) =>
        Assert.True(status == Status, $"Expected {(int)status}, got {(int)Status}: {Body}");

    public void AssertProblem(HttpStatusCode status, string error)
    {
        Assert.True(status == Status && MediaType == "application/problem+json", $"Expected {(int)status} problem {error}, got {(int)Status} {MediaType}: {Body}");
        Assert.Equal(error, Json.GetProperty("error").GetString());
    }
}
