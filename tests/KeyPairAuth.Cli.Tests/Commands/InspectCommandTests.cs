using KeyPairAuth.Keys;

namespace KeyPairAuth.Cli.Tests.Commands;

public sealed class InspectCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private static (string Secret, string KeyId, Ed25519PublicKey PublicKey) NewSecret()
    {
        using SigningKey key = SigningKey.Generate();
        return (key.ExportSecret(), key.KeyId, key.PublicKey);
    }

    [Fact]
    public async Task Inspect_SecretFromEnvironment_ShowsKeyIdPublicKeyAndFingerprintButNotTheSecret()
    {
        (string secret, string keyId, Ed25519PublicKey publicKey) = NewSecret();
        _cli.Environment["KEYPAIRAUTH_KEY"] = secret;

        CliResult result = await _cli.RunAsync("inspect");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(keyId, KeygenCommandTests.KeyIdFrom(result.Output));
        Assert.Contains(publicKey.Fingerprint, result.Output, StringComparison.Ordinal);
        Assert.Contains(publicKey.ExportSpkiPem().Trim(), result.Output, StringComparison.Ordinal);
        Assert.Contains(publicKey.ExportJwk(), result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_SecretFromStdin_ShowsKeyId()
    {
        (string secret, string keyId, _) = NewSecret();
        _cli.Stdin = CliRunner.Utf8(secret + "\n");

        CliResult result = await _cli.RunAsync("inspect", "--key-file", "-");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(keyId, KeygenCommandTests.KeyIdFrom(result.Output));
    }

    [Fact]
    public async Task Inspect_PemFile_ShowsPublicKeyAndKeyIdWhenGiven()
    {
        string path = _cli.PathOf("k.pem");
        await _cli.RunAsync("keygen", "--out", path);
        string pem = await File.ReadAllTextAsync(path);
        using SigningKey key = SigningKey.FromPkcs8Pem("kid-1", pem);

        CliResult result = await _cli.RunAsync("inspect", "--key-file", path, "--key-id", "kid-1");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("kid-1", KeygenCommandTests.KeyIdFrom(result.Output));
        Assert.Contains(key.PublicKey.Fingerprint, result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(pem.Split('\n')[1], result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_PemWithoutKeyId_ShowsTheDerivedKeyId()
    {
        string path = _cli.PathOf("k.pem");
        CliResult keygen = await _cli.RunAsync("keygen", "--out", path);

        CliResult result = await _cli.RunAsync("inspect", "--key-file", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(KeygenCommandTests.KeyIdFrom(keygen.Output), KeygenCommandTests.KeyIdFrom(result.Output));
    }

    [Fact]
    public async Task Inspect_PublicKeyJwk_ShowsTheDerivedKeyId()
    {
        (_, string keyId, Ed25519PublicKey publicKey) = NewSecret();
        _cli.Stdin = CliRunner.Utf8(publicKey.ExportJwk());

        CliResult result = await _cli.RunAsync("inspect", "--key-file", "-");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(KeygenCommandTests.DerivedKeyIdOf(publicKey), KeygenCommandTests.KeyIdFrom(result.Output));
        Assert.Equal(keyId, KeygenCommandTests.KeyIdFrom(result.Output));
    }

    [Fact]
    public async Task Inspect_PublicKeyPem_ShowsFingerprint()
    {
        (_, _, Ed25519PublicKey publicKey) = NewSecret();
        string path = _cli.PathOf("pub.pem");
        await File.WriteAllTextAsync(path, publicKey.ExportSpkiPem());

        CliResult result = await _cli.RunAsync("inspect", "-k", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(publicKey.Fingerprint, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_MistypedSecret_FailsWithReasonAndDoesNotEchoIt()
    {
        (string secret, _, _) = NewSecret();
        string mistyped = secret[..^3] + (secret[^3] == 'A' ? "B" : "A") + secret[^2..];
        _cli.Environment["KEYPAIRAUTH_KEY"] = mistyped;
        string reason = Assert.Throws<KeyFormatException>(() => SigningKey.Parse(mistyped)).Message;

        CliResult result = await _cli.RunAsync("inspect");

        Assert.Equal(ExitCodes.Error, result.ExitCode);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
        Assert.Contains("KEYPAIRAUTH_KEY", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(mistyped, result.Error + result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_MissingFile_FailsWithExitCode1()
    {
        CliResult result = await _cli.RunAsync("inspect", "--key-file", _cli.PathOf("missing.pem"));

        Assert.Equal(ExitCodes.Error, result.ExitCode);
        Assert.Contains("no such file", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_NothingGiven_IsUsageError()
    {
        CliResult result = await _cli.RunAsync("inspect");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("No key given", result.Error, StringComparison.Ordinal);
    }
}
