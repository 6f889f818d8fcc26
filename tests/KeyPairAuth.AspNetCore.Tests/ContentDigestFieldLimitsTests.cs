using System.Net;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.StructuredFields;

namespace KeyPairAuth.AspNetCore.Tests;

/// <summary><c>Verification.FieldLimits</c> bounds <c>Content-Digest</c> too, as its documentation says.</summary>
public sealed class ContentDigestFieldLimitsTests
{
    [Fact]
    public async Task Post_ContentDigestLongerThanFieldLimits_Returns400MalformedSignature()
    {
        await using TestApp app = await TestApp.StartAsync(o => o.Verification.FieldLimits = new StructuredFieldLimits { MaxFieldLength = 512 });
        TestKey key = await app.AddKeyAsync();
        OutgoingRequest request = app.PostJson("/orders", """{"amount":10}""");
        request.AddDigest();
        request.Set("Content-Digest", request.GetFieldValues("Content-Digest")[0] + ", x-padding=:" + new string('A', 600) + ":");

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(request, key));

        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "malformed_signature");
    }

    [Fact]
    public async Task Post_ContentDigestWithinFieldLimits_Succeeds()
    {
        await using TestApp app = await TestApp.StartAsync(o => o.Verification.FieldLimits = new StructuredFieldLimits { MaxFieldLength = 512 });
        TestKey key = await app.AddKeyAsync();

        using HttpResponseMessage response = await app.SendAsync(TestApp.Sign(app.PostJson("/orders", """{"amount":10}"""), key));

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }
}
