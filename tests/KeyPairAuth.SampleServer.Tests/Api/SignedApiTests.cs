using System.Net;
using System.Text.Json;
using KeyPairAuth.SampleServer.Tests.Infrastructure;

namespace KeyPairAuth.SampleServer.Tests.Api;

/// <summary>The sample's signed API and its OpenAPI document, on the real server.</summary>
public sealed class SignedApiTests
{
    [Fact]
    public async Task WhoAmI_ReturnsOwnerKeyIdAndScopes()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        (string keyId, string secret) = await server.IssueAsync("alice", "orders:read");
        await using var client = new SignedClient(server.BaseAddress, secret);

        Reply reply = await client.GetAsync("api/whoami");

        reply.AssertStatus(HttpStatusCode.OK);
        Assert.Equal("alice", reply.Json.GetProperty("owner").GetString());
        Assert.Equal(keyId, reply.Json.GetProperty("keyId").GetString());
        Assert.Equal(["orders:read"], reply.Json.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Echo_ReturnsTheSignedJsonBody()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        (_, string secret) = await server.IssueAsync("alice");
        await using var client = new SignedClient(server.BaseAddress, secret);

        Reply reply = await client.PostJsonAsync("api/echo", """{"message":"hi","nested":{"n":[1,2,3]}}""");
        Reply notJson = await client.PostJsonAsync("api/echo", "{not json");

        reply.AssertStatus(HttpStatusCode.OK);
        Assert.Equal("hi", reply.Json.GetProperty("message").GetString());
        Assert.Equal(3, reply.Json.GetProperty("nested").GetProperty("n").GetArrayLength());
        notJson.AssertStatus(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Orders_WithoutTheScope_Answer403ProblemJsonScopeMissing()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        (_, string readOnly) = await server.IssueAsync("bob", "orders:read");
        (_, string none) = await server.IssueAsync("bob");
        await using var reader = new SignedClient(server.BaseAddress, readOnly);
        await using var nobody = new SignedClient(server.BaseAddress, none);

        (await reader.GetAsync("api/orders")).AssertStatus(HttpStatusCode.OK);
        (await reader.PostJsonAsync("api/orders", """{"item":"x","quantity":1}""")).AssertProblem(HttpStatusCode.Forbidden, "scope_missing");
        (await nobody.GetAsync("api/orders")).AssertProblem(HttpStatusCode.Forbidden, "scope_missing");
    }

    [Fact]
    public async Task Orders_WithBothScopes_ListAndCreateTheOwnersOrders()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        (_, string alice) = await server.IssueAsync("alice", "orders:read", "orders:write");
        (_, string bob) = await server.IssueAsync("bob", "orders:read");
        await using var aliceClient = new SignedClient(server.BaseAddress, alice);
        await using var bobClient = new SignedClient(server.BaseAddress, bob);

        Reply created = await aliceClient.PostJsonAsync("api/orders", """{"item":"teapot","quantity":2}""");
        Reply invalid = await aliceClient.PostJsonAsync("api/orders", """{"item":"","quantity":0}""");

        created.AssertStatus(HttpStatusCode.Created);
        Assert.Equal("teapot", created.Json.GetProperty("item").GetString());
        invalid.AssertStatus(HttpStatusCode.BadRequest);
        Assert.Contains("teapot", (await aliceClient.GetAsync("api/orders")).Body, StringComparison.Ordinal);
        Assert.DoesNotContain("teapot", (await bobClient.GetAsync("api/orders")).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_Unsigned_Answers401MissingSignature_EvenWithADashboardCookie()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        await using var browser = await DashboardSession.SignInAsync(server, "alice");

        Reply reply = await browser.GetAsync("api/whoami");

        reply.AssertProblem(HttpStatusCode.Unauthorized, "missing_signature");
    }

    [Fact]
    public async Task OpenApi_DescribesTheSignedEndpointsAndTheSignatureRequirement()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        using JsonDocument document = JsonDocument.Parse(await http.GetStringAsync(new Uri("openapi/v1.json", UriKind.Relative)));
        string docs = await http.GetStringAsync(new Uri("docs", UriKind.Relative));

        JsonElement root = document.RootElement;
        JsonElement paths = root.GetProperty("paths");
        Assert.Equal(["/api/echo", "/api/orders", "/api/whoami"], paths.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.True(paths.GetProperty("/api/orders").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/api/orders").TryGetProperty("post", out _));
        JsonElement scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("KeyPair");
        Assert.Contains("RFC 9421", scheme.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("content-digest", scheme.GetProperty("description").GetString(), StringComparison.Ordinal);
        foreach (JsonProperty path in paths.EnumerateObject())
        {
            foreach (JsonProperty operation in path.Value.EnumerateObject())
            {
                Assert.True(operation.Value.GetProperty("security")[0].TryGetProperty("KeyPair", out _), $"{operation.Name} {path.Name} has no KeyPair requirement");
                string[] headers = [.. operation.Value.GetProperty("parameters").EnumerateArray().Where(p => p.GetProperty("in").GetString() == "header").Select(p => p.GetProperty("name").GetString()!)];
                Assert.Contains("Signature-Input", headers);
                Assert.Contains("Signature", headers);
                Assert.True(operation.Value.GetProperty("responses").TryGetProperty("401", out _));
            }
        }

        Assert.Contains(paths.GetProperty("/api/echo").GetProperty("post").GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Content-Digest");
        Assert.Contains("/assets/docs.js", docs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_PrintsTheUrlToOpen()
    {
        await using RunningSampleServer server = await RunningSampleServer.StartAsync();

        Assert.Contains($"open {server.Url}/", server.StartupOutput, StringComparison.Ordinal);
        Assert.Contains("/docs", server.StartupOutput, StringComparison.Ordinal);
    }
}
