using Microsoft.Extensions.DependencyInjection;

namespace KeyPairAuth.SampleServer.Tests.Infrastructure;

/// <summary>An HttpClient that signs with a secret, set up the way an application does (<c>AddKeyPairSigning</c>).</summary>
public sealed class SignedClient : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public SignedClient(Uri baseAddress, string secret)
    {
        var services = new ServiceCollection();
        services.AddHttpClient("api", c => c.BaseAddress = baseAddress).AddKeyPairSigning(secret);
        _services = services.BuildServiceProvider();
        Http = _services.GetRequiredService<IHttpClientFactory>().CreateClient("api");
    }

    public HttpClient Http { get; }

    public async Task<Reply> GetAsync(string path)
    {
        using HttpResponseMessage response = await Http.GetAsync(new Uri(path, UriKind.Relative));
        return await Reply.ReadAsync(response);
    }

    public async Task<Reply> PostJsonAsync(string path, string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await Http.PostAsync(new Uri(path, UriKind.Relative), content);
        return await Reply.ReadAsync(response);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
