using System.Net;
using KeyPairAuth.AspNetCore.Internal;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Signatures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyPairAuth.AspNetCore.Tests.Diagnostics;

/// <summary>A refused signature logs, at Debug only, the signature base the server rebuilt, so it can be compared with the client's.</summary>
public sealed class SignatureBaseLoggingTests
{
    private const string RebuiltEvent = "[109:SignatureBaseRebuilt]";

    [Fact]
    public async Task Authenticate_InvalidSignatureAtDebug_LogsRebuiltBaseAuthorityTargetAndKeyId()
    {
        await using TestApp app = await TestApp.StartAsync();
        TestKey key = await app.AddKeyAsync();
        string target = $"/raw/{Guid.NewGuid():N}?page=2";
        OutgoingRequest impostor = TestApp.Sign(app.Get(target), TestKey.Create(key.KeyId));

        using HttpResponseMessage response = await app.SendAsync(impostor);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        string expectedBase = ExpectedBase(impostor);
        string logged = Assert.Single(CapturingLoggerProvider.Messages, m => m.Contains(RebuiltEvent, StringComparison.Ordinal) && m.Contains(target, StringComparison.Ordinal));
        Assert.StartsWith("Debug ", logged, StringComparison.Ordinal);
        Assert.Contains("(invalid_signature)", logged, StringComparison.Ordinal);
        Assert.Contains(expectedBase, logged, StringComparison.Ordinal);
        Assert.Contains("\"@signature-params\": (", logged, StringComparison.Ordinal);
        Assert.Contains($"key {key.KeyId}", logged, StringComparison.Ordinal);
        Assert.Contains($"authority {app.Authority}", logged, StringComparison.Ordinal);
        Assert.Contains($"target {target}", logged, StringComparison.Ordinal);
        foreach (string secret in Secrets.All)
        {
            Assert.DoesNotContain(secret, logged, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Authenticate_InvalidSignatureAtInformation_LogsNoSignatureBase()
    {
        await using TestApp app = await TestApp.StartAsync(services: s => s.Configure<LoggerFilterOptions>(o => o.MinLevel = LogLevel.Information));
        TestKey key = await app.AddKeyAsync();
        string target = $"/raw/{Guid.NewGuid():N}";
        OutgoingRequest impostor = TestApp.Sign(app.Get(target), TestKey.Create(key.KeyId));

        using HttpResponseMessage response = await app.SendAsync(impostor);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        string[] messages = [.. CapturingLoggerProvider.Messages];
        Assert.Contains(messages, m => m.StartsWith("Information ", StringComparison.Ordinal) && m.Contains(target, StringComparison.Ordinal));
        Assert.DoesNotContain(messages, m => m.Contains(RebuiltEvent, StringComparison.Ordinal) && m.Contains(target, StringComparison.Ordinal));
    }

    [Fact]
    public void Redact_CoveredCredentialFields_HidesTheirValuesOnly()
    {
        string signatureBase = "\"@method\": GET\n\"authorization\": Bearer abc\n\"signature\";key=\"sig1\": :AAAA:\n\"x-trace\": 1\n\"@signature-params\": (\"@method\")";

        string redacted = SignatureBaseDiagnostics.Redact(signatureBase);

        Assert.Equal("\"@method\": GET\n\"authorization\": [redacted]\n\"signature\";key=\"sig1\": [redacted]\n\"x-trace\": 1\n\"@signature-params\": (\"@method\")", redacted);
    }

    private static string ExpectedBase(OutgoingRequest request)
    {
        Assert.True(SignatureInput.TryParse(request.GetFieldValues(SignatureFields.SignatureInputFieldName).ToString(), out IReadOnlyList<SignatureInput>? input));
        return SignatureBase.Build(request, input[0]);
    }
}
