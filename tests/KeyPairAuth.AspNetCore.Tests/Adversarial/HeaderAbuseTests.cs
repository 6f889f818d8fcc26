using System.Text;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Signatures;

namespace KeyPairAuth.AspNetCore.Tests.Adversarial;

/// <summary>CR/LF and non-ASCII in header values, obs-fold, many headers (raw sockets).</summary>
public sealed class HeaderAbuseTests(AdversarialAppFixture fixture) : IClassFixture<AdversarialAppFixture>, IDisposable
{
    private TestApp App => fixture.App;

    private readonly int _logMark = fixture.Logs.Mark();

    public void Dispose() => fixture.Logs.AssertNoErrors(_logMark);

    [Fact]
    public async Task BareLfInsideSignatureInput_IsRefused()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), key);
        string input = request.GetFieldValues(SignatureFields.SignatureInputFieldName).ToString();
        request.Set(SignatureFields.SignatureInputFieldName, input.Replace(";keyid", "\n;keyid", StringComparison.Ordinal));

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request));

        response.Assert4xx();
    }

    [Fact]
    public async Task ObsFoldInCoveredHeader_IsRefusedOrCanonicalised_NeverA5xx()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = App.Get("/orders").Set("X-Note", "a b");
        Craft.Sign(request, key, $"(\"@method\" \"@authority\" \"@path\" \"@query\" \"x-note\"){Craft.Params(key)}");
        request.Set("X-Note", "a\r\n b");

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request));

        response.Assert4xx();
    }

    [Fact]
    public async Task NonAsciiInNonce_IsRefused()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = App.Get("/orders");
        Craft.Unsigned(request, $"(\"@method\" \"@authority\" \"@path\" \"@query\");created={Craft.Now};keyid=\"{key.KeyId}\";nonce=\"caf\u00e9-\u2603\"");

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request));

        response.Assert4xx();
        Assert.False(response.Has("invalid_signature"), response.Text);
    }

    [Theory]
    [InlineData("\u0001")]
    [InlineData("\u007f")]
    [InlineData("\t")]
    public async Task ControlCharacterInNonce_IsRefused(string control)
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = App.Get("/orders");
        Craft.Unsigned(request, $"(\"@method\" \"@authority\" \"@path\" \"@query\");created={Craft.Now};keyid=\"{key.KeyId}\";nonce=\"a{control}b\"");

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request));

        response.Assert4xx();
        Assert.False(response.Has("invalid_signature"), response.Text);
    }

    [Fact]
    public async Task NonAsciiInCoveredHeader_IsA4xxNot5xx()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = App.Get("/orders").Set("X-Note", "plain");
        Craft.Sign(request, key, $"(\"@method\" \"@authority\" \"@path\" \"@query\" \"x-note\"){Craft.Params(key)}");
        request.Set("X-Note", "caf\u00e9");

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request));

        response.Assert4xx();
    }

    [Fact]
    public async Task ManyHeaders_AreRefusedByKestrel()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), key);
        for (int i = 0; i < 500; i++)
        {
            request.Add("X-Pad-" + i, "v");
        }

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request));

        response.Assert4xx();
    }

    [Fact]
    public async Task ManySignatureInputLines_AreBoundedAndRefused()
    {
        TestKey key = await App.AddKeyAsync();
        OutgoingRequest request = TestApp.Sign(App.Get("/orders"), key);
        for (int i = 0; i < 90; i++)
        {
            request.Add(SignatureFields.SignatureInputFieldName, $"s{i}=(\"@method\");created=1");
            request.Add(SignatureFields.SignatureFieldName, $"s{i}={Craft.ZeroSignature}");
        }

        RawResponse response = await RawHttp.SendAsync(App.BaseAddress, RawHttp.Format(request));

        Assert.True(response.Status is 400 or 431, $"{response.Status}: {response.Text}");
        Assert.False(Encoding.ASCII.GetByteCount(response.Text) == 0);
    }
}
