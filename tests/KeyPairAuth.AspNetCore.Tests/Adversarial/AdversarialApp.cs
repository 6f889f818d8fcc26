using System.Security.Claims;
using System.Text;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Signatures;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace KeyPairAuth.AspNetCore.Tests.Adversarial;

/// <summary>
/// One Kestrel app per adversarial test class, with its own log sink (to assert no error is ever logged), a small body
/// limit (so limit and limit+1 are cheap) and HEAD/OPTIONS endpoints.
/// </summary>
public sealed class AdversarialAppFixture : IAsyncLifetime
{
    public const long BodyLimit = 4096;

    internal TestApp App { get; private set; } = null!;

    internal AppLogSink Logs { get; } = new();

    public async Task InitializeAsync() => App = await TestApp.StartAsync(
        o => o.MaxBodySize = BodyLimit,
        AppLogSink.Register(Logs),
        a =>
        {
            a.MapMethods("/verbs", ["HEAD", "OPTIONS", "GET"], (ClaimsPrincipal user) => Results.Text("owner=" + user.FindFirstValue(ClaimTypes.NameIdentifier))).RequireAuthorization();
            a.MapGet("/echo/{**rest}", (HttpContext http) => Results.Text(
                $"path={http.Request.Path}|query=" + string.Join('&', http.Request.Query.Select(q => $"{q.Key}={q.Value}")))).RequireAuthorization();
        });

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>Hand-crafted signatures for the adversarial tests.</summary>
internal static class Craft
{
    /// <summary>A well-formed 64-byte signature value that verifies under no key.</summary>
    public static readonly string ZeroSignature = ":" + Convert.ToBase64String(new byte[64]) + ":";

    public static long Now => TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();

    public static string NewNonce() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    /// <summary>The usual parameters (created now, the key's id, a fresh nonce, alg).</summary>
    public static string Params(TestKey key, long? created = null) =>
        $";created={created ?? Now};keyid=\"{key.KeyId}\";nonce=\"{NewNonce()}\";alg=\"ed25519\"";

    /// <summary>
    /// Signs any inner list (covered components and parameters, as text) with the engine's canonicalisation and NSec,
    /// and sets the two fields under <paramref name="label"/>: a cryptographically valid signature over whatever the
    /// attacker chose to cover.
    /// </summary>
    public static OutgoingRequest Sign(OutgoingRequest request, TestKey key, string innerList, string label = "sig1")
    {
        Assert.True(SignatureInput.TryParse(label + "=" + innerList, out IReadOnlyList<SignatureInput>? parsed));
        string signatureBase = SignatureBase.Build(request, parsed[0]);
        string signature = Convert.ToBase64String(key.SignRaw(Encoding.ASCII.GetBytes(signatureBase)));
        Secrets.Register(signature);
        request.Set(SignatureFields.SignatureInputFieldName, label + "=" + innerList);
        request.Set(SignatureFields.SignatureFieldName, $"{label}=:{signature}:");
        return request;
    }

    /// <summary>Sets fields that fail before any cryptography (policy checks), with a dummy signature.</summary>
    public static OutgoingRequest Unsigned(OutgoingRequest request, string innerList, string label = "sig1") =>
        request.Set(SignatureFields.SignatureInputFieldName, label + "=" + innerList).Set(SignatureFields.SignatureFieldName, label + "=" + ZeroSignature);
}
