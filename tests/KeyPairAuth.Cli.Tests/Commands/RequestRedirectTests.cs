using System.Collections.Concurrent;
using System.Net;
using KeyPairAuth.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KeyPairAuth.Cli.Tests.Commands;

/// <summary>
/// <c>keypairauth request</c> never follows a redirect (as curl without <c>-L</c>): a signed request re-sent to a new
/// location would carry a signature made for the old one, to another origin too. The redirect is printed instead.
/// </summary>
public sealed class RequestRedirectTests : IAsyncLifetime, IDisposable
{
    private readonly CliRunner _cli = new();
    private readonly ConcurrentQueue<(string Method, string Path, bool Signed, long? Length)> _apiReceived = new();
    private readonly ConcurrentQueue<(string Method, string Path, string Headers, long? Length)> _otherReceived = new();
    private WebApplication _api = null!;
    private WebApplication _other = null!;
    private Uri _apiAddress = null!;
    private Uri _otherAddress = null!;

    public async Task InitializeAsync()
    {
        _other = Build();
        _other.Run(context =>
        {
            _otherReceived.Enqueue((context.Request.Method, context.Request.Path, string.Join("; ", context.Request.Headers.Select(h => $"{h.Key}: {h.Value}")), context.Request.ContentLength));
            return Task.CompletedTask;
        });
        await _other.StartAsync();
        _otherAddress = new Uri(_other.Urls.First());

        _api = Build();
        _api.Run(context =>
        {
            _apiReceived.Enqueue((context.Request.Method, context.Request.Path, context.Request.Headers.ContainsKey("Signature"), context.Request.ContentLength));
            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            context.Response.Headers.Location = context.Request.Path == "/cross" ? new Uri(_otherAddress, "/upload").ToString() : "/v2";
            return Task.CompletedTask;
        });
        await _api.StartAsync();
        _apiAddress = new Uri(_api.Urls.First());

        using SigningKey key = SigningKey.Generate();
        _cli.Environment["KEYPAIRAUTH_KEY"] = key.ExportSecret();
    }

    private static WebApplication Build()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        return builder.Build();
    }

    public async Task DisposeAsync()
    {
        await _api.StopAsync();
        await _api.DisposeAsync();
        await _other.StopAsync();
        await _other.DisposeAsync();
    }

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("cross")]
    [InlineData("same")]
    public async Task Request_Redirect_IsPrintedNotFollowed(string where)
    {
        CliResult result = await _cli.RunAsync("request", "POST", new Uri(_apiAddress, "/" + where).ToString(), "--data", "{\"secret\":1}");

        Assert.True(_otherReceived.IsEmpty, $"the signed request reached the other origin: {string.Join(" | ", _otherReceived)}");
        var hit = Assert.Single(_apiReceived);
        Assert.True(hit.Signed);
        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("HTTP/1.1 307 Temporary Redirect", result.Output, StringComparison.Ordinal);
        string location = where == "cross" ? new Uri(_otherAddress, "/upload").ToString() : "/v2";
        Assert.Contains($"Location: {location}", result.Output, StringComparison.Ordinal);
        Assert.Contains("not followed", result.Error, StringComparison.Ordinal);
    }
}
