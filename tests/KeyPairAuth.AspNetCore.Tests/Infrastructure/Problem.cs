using System.Net;
using System.Text.Json;

namespace KeyPairAuth.AspNetCore.Tests.Infrastructure;

internal static class Problem
{
    /// <summary>Asserts the response is a problem body with the status and the stable error code.</summary>
    public static async Task AssertAsync(HttpResponseMessage response, HttpStatusCode status, string errorCode)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status} {errorCode}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument json = JsonDocument.Parse(body);
        Assert.Equal(errorCode, json.RootElement.GetProperty("error").GetString());
        Assert.Equal((int)status, json.RootElement.GetProperty("status").GetInt32());
    }

    public static long Now => TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
}
