using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace KeyPairAuth.SampleServer.Tests.Infrastructure;

/// <summary>What the dashboard page does over HTTP: a cookie session, with the antiforgery token from <c>/session</c>.</summary>
public sealed class DashboardSession : IAsyncDisposable
{
    private readonly HttpClient _http;

    private DashboardSession(Uri baseAddress)
    {
        Cookies = new CookieContainer();
        _http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = baseAddress };
    }

    public CookieContainer Cookies { get; }

    public string Token { get; private set; } = string.Empty;

    public static async Task<DashboardSession> AnonymousAsync(RunningSampleServer server)
    {
        var session = new DashboardSession(server.BaseAddress);
        await session.RefreshTokenAsync();
        return session;
    }

    public static async Task<DashboardSession> SignInAsync(RunningSampleServer server, string user)
    {
        DashboardSession session = await AnonymousAsync(server);
        (await session.SendAsync(HttpMethod.Post, "session", $$"""{"userName":"{{user}}"}""")).AssertStatus(HttpStatusCode.NoContent);
        await session.RefreshTokenAsync();
        return session;
    }

    public async Task RefreshTokenAsync()
    {
        using JsonDocument json = JsonDocument.Parse(await _http.GetStringAsync(new Uri("session", UriKind.Relative)));
        Token = json.RootElement.GetProperty("antiforgeryToken").GetString()!;
    }

    public Task<Reply> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public async Task<Reply> SendAsync(HttpMethod method, string path, string? json = null, string? token = null, bool withToken = true, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (withToken)
        {
            request.Headers.Add("RequestVerificationToken", token ?? Token);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using HttpResponseMessage response = await _http.SendAsync(request);
        return await Reply.ReadAsync(response);
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
