using System.Text;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KeyPairAuth.AspNetCore.Tests.Adversarial;

/// <summary>
/// An HTTP/1.1 request with <c>Connection: Upgrade</c> makes Kestrel hand the application the raw connection as the
/// request body. A captured, signed, body-less POST (no <c>content-digest</c> covered) plus unsigned upgrade headers and
/// bytes after the header block must not deliver those bytes to the application as a body.
/// </summary>
public sealed class UpgradeBodyInjectionTests(AdversarialAppFixture fixture, ITestOutputHelper output) : IClassFixture<AdversarialAppFixture>
{
    private static readonly byte[] Injected = Encoding.UTF8.GetBytes("""{"amount":9999,"to":"attacker"}""");

    private TestApp App => fixture.App;

    [Theory]
    [InlineData("websocket")]
    [InlineData("h2c")]
    [InlineData("anything")]
    public async Task SignedBodylessPost_UnsignedUpgradeHeadersAndBytesAfterTheHead_UnsignedBytesNeverReachTheApp(string upgrade)
    {
        // A legitimately signed POST with no body (no content-digest covered), captured in flight.
        TestKey key = await App.AddKeyAsync();
        var request = new OutgoingRequest("POST", App.Authority, "/orders");
        TestApp.Sign(request, key);

        // The attacker adds two uncovered headers and appends bytes after the header block (no framing).
        var head = new StringBuilder();
        head.Append("POST /orders HTTP/1.1\r\n").Append("Host: ").Append(App.Authority).Append("\r\n");
        foreach ((string name, string value) in request.HeaderLines())
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("Connection: Upgrade\r\nUpgrade: ").Append(upgrade).Append("\r\n\r\n");
        byte[] bytes = [.. Encoding.ASCII.GetBytes(head.ToString()), .. Injected];

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, bytes, readTimeout: TimeSpan.FromSeconds(4));
        output.WriteLine(response.Text);

        Assert.DoesNotContain("attacker", response.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SignedBodylessPost_UpgradeHeadersWithOrWithoutContentLengthZero_InjectedBytesNeverReachTheApp(bool contentLengthZero)
    {
        TestKey key = await App.AddKeyAsync();

        // The legitimate client signed a POST with no body: no content-digest is covered.
        var request = new OutgoingRequest("POST", App.Authority, "/orders");
        TestApp.Sign(request, key);

        byte[] bytes = RawHttp.Format(
            request,
            contentLength: contentLengthZero ? 0 : null,
            extraLines: ["Upgrade: evil", "Connection: Upgrade"],
            body: Injected);

        // RawHttp.Format adds "Connection: close" after our lines; drop it so Connection: Upgrade is the only one.
        string text = Encoding.Latin1.GetString(bytes).Replace("Connection: close\r\n", "", StringComparison.Ordinal);
        if (!contentLengthZero)
        {
            text = text.Replace($"Content-Length: {Injected.Length}\r\n", "", StringComparison.Ordinal);
        }

        output.WriteLine(text);
        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, Encoding.Latin1.GetBytes(text), halfClose: true);
        output.WriteLine(response.Text);

        Assert.False(response.Status == 200 && response.Text.Contains("attacker", StringComparison.Ordinal),
            "Unsigned bytes reached the application as the body of a signed body-less request: " + response.Text);
    }
}
