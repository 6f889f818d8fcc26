using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using KeyPairAuth.AspNetCore.Tests.Adversarial;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace KeyPairAuth.AspNetCore.Tests.Pipeline;

/// <summary>The scheme next to framework features: BodyReader and JSON binding after the digest check, CORS preflight, WebSockets, HTTP/1.0.</summary>
public sealed class FrameworkIntegrationTests(ITestOutputHelper output)
{
    private sealed record Order(int Amount);

    private static Task<TestApp> StartAsync() => TestApp.StartAsync(
        o => o.IncludeErrorDetails = true,
        services: s => s.AddCors(o => o.AddPolicy("any", p => p.AllowAnyOrigin().AllowAnyHeader().AllowAnyMethod())),
        pipeline: a =>
        {
            a.UseCors();
            a.UseAuthentication();
            a.UseAuthorization();
            a.MapPost("/pipe", async (HttpContext http) =>
            {
                PipeReader reader = http.Request.BodyReader;
                var bytes = new List<byte>();
                while (true)
                {
                    ReadResult r = await reader.ReadAsync();
                    bytes.AddRange(r.Buffer.ToArray());
                    reader.AdvanceTo(r.Buffer.End);
                    if (r.IsCompleted)
                    {
                        break;
                    }
                }

                return Results.Text("pipe=" + Encoding.UTF8.GetString(bytes.ToArray()));
            }).RequireAuthorization();
            a.MapPost("/json", (Order order) => Results.Text("amount=" + order.Amount)).RequireAuthorization().RequireCors("any");
            a.MapGet("/orders", (HttpContext http) => Results.Text(TestApp.DescribeRequest(http))).RequireAuthorization();
        });

    [Theory]
    [InlineData("/pipe", "pipe={\"amount\":10}")]
    [InlineData("/json", "amount=10")]
    public async Task BodyReaderAndJsonBinding_AfterDigestCheck_SeeTheVerifiedBytes(string target, string expected)
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(OutgoingRequest.Json("POST", app.Authority, target, """{"amount":10}"""), key);
        using HttpResponseMessage response = await app.SendAsync(signed);
        string body = await response.Content.ReadAsStringAsync();
        output.WriteLine($"{(int)response.StatusCode} {body}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, body);
    }

    [Fact]
    public async Task Http10_WithoutHost_IsRefusedNot5xx()
    {
        await using TestApp app = await StartAsync();
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/orders"), key);
        var head = new StringBuilder("GET /orders HTTP/1.0\r\n");
        foreach ((string n, string v) in signed.HeaderLines())
        {
            head.Append(n).Append(": ").Append(v).Append("\r\n");
        }

        head.Append("\r\n");
        RawResponse response = await RawHttp.SendAsync(app.BaseAddress, Encoding.ASCII.GetBytes(head.ToString()));
        output.WriteLine(response.Text);
        Assert.True(response.Status is >= 400 and < 500 || response.Text.StartsWith("HTTP/1.0 4", StringComparison.Ordinal) || response.Text.StartsWith("HTTP/1.1 4", StringComparison.Ordinal), response.Text);
    }

    [Fact]
    public async Task CorsPreflight_Unsigned_IsAnsweredByCors_NotChallenged()
    {
        await using TestApp app = await StartAsync();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, new Uri(app.BaseAddress, "/json"));
        preflight.Headers.Add("Origin", "https://web.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "signature-input,signature,content-digest,content-type");
        using HttpResponseMessage response = await app.Client.SendAsync(preflight);
        output.WriteLine($"{(int)response.StatusCode} {response.Headers}");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task WebSocket_SignedHandshake_Accepted_UnsignedRefused()
    {
        await using TestApp app = await TestApp.StartAsync(pipeline: a =>
        {
            a.UseWebSockets();
            a.UseAuthentication();
            a.UseAuthorization();
            a.Map("/ws", async (HttpContext http) =>
            {
                if (!http.WebSockets.IsWebSocketRequest)
                {
                    http.Response.StatusCode = 400;
                    return;
                }

                using WebSocket ws = await http.WebSockets.AcceptWebSocketAsync();
                await ws.SendAsync(Encoding.UTF8.GetBytes("hello " + http.User.Identity!.Name), WebSocketMessageType.Text, true, default);
                await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default);
            }).RequireAuthorization();
        });
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest signed = TestApp.Sign(new OutgoingRequest("GET", app.Authority, "/ws"), key);
        using var ws = new ClientWebSocket();
        foreach ((string name, string value) in signed.HeaderLines())
        {
            ws.Options.SetRequestHeader(name, value);
        }

        await ws.ConnectAsync(new Uri($"ws://{app.Authority}/ws"), default);
        byte[] buffer = new byte[256];
        WebSocketReceiveResult r = await ws.ReceiveAsync(buffer, default);
        string greeting = Encoding.UTF8.GetString(buffer, 0, r.Count);
        output.WriteLine(greeting);
        Assert.Equal("hello alice", greeting);

        using var unsigned = new ClientWebSocket();
        await Assert.ThrowsAnyAsync<WebSocketException>(() => unsigned.ConnectAsync(new Uri($"ws://{app.Authority}/ws"), default));
    }
}
