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

    public string StartupOutput { get; private init; } = string.Empty;

    /// <summary>Gets the server's SQLite file (a fresh one per server, deleted with it).</summary>
    public string DatabasePath { get; private init; } = string.Empty;

    public static async Task<RunningSampleServer> StartAsync(params string[] extraArgs)
    {
        string database = Path.Combine(Path.GetTempPath(), $"kpa-sample-{Guid.NewGuid():N}", "keypairauth.db");
        WebApplication app = SampleServerApp.Build(
            ["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", $"--Database:Path={database}", .. extraArgs]);
        using var output = new StringWriter();
        IReadOnlyList<string> addresses = await SampleServerApp.StartAsync(app, output);
        return new RunningSampleServer(app, new Uri(addresses[0].TrimEnd('/') + "/"))
        {
            StartupOutput = output.ToString(),
            DatabasePath = database,
        };
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
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path.GetDirectoryName(DatabasePath)!, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temp folder; harmless.
        }
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
