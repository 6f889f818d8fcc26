using KeyPairAuth.Keys;

namespace KeyPairAuth.Cli.Tests.Commands;

public sealed class KeygenCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Keygen_WritesPkcs8PemWithMode0600AndPrintsPublicKeyAndKeyId()
    {
        string path = _cli.PathOf("api.pem");

        CliResult result = await _cli.RunAsync("keygen", "--out", path);

        Assert.Equal(0, result.ExitCode);
        string pem = await File.ReadAllTextAsync(path);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        string keyId = KeyIdFrom(result.Output);
        Assert.True(KeyId.IsValid(keyId));
        using SigningKey key = SigningKey.FromPkcs8Pem(keyId, pem);
        Assert.Contains(key.PublicKey.ExportSpkiPem().Trim(), result.Output, StringComparison.Ordinal);
        Assert.Contains(key.PublicKey.ExportJwk(), result.Output, StringComparison.Ordinal);
        Assert.Contains(key.PublicKey.Fingerprint, result.Output, StringComparison.Ordinal);
        Assert.Contains($"--key-id {keyId}", result.Output, StringComparison.Ordinal);

        // The private key is in the file only, never on the terminal.
        string privateBase64 = pem.Split('\n')[1];
        Assert.DoesNotContain(privateBase64, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keygen_PrintedKeyId_IsDerivedFromThePrintedPublicKey()
    {
        CliResult result = await _cli.RunAsync("keygen", "--out", _cli.PathOf("api.pem"));

        Assert.Equal(0, result.ExitCode);
        string jwk = result.Output.Split('\n').Single(l => l.StartsWith('{')).Trim();
        Assert.Equal(DerivedKeyIdOf(Ed25519PublicKey.Parse(jwk)), KeyIdFrom(result.Output));
        Assert.Contains("derived from the public key", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pem")]
    [InlineData("secret")]
    public async Task Keygen_KeyIdOption_IsRefusedBecauseTheIdIsDerived(string format)
    {
        CliResult result = await _cli.RunAsync("keygen", "-o", _cli.PathOf("k"), "--format", format, "--key-id", "partner-7");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("derived from the public key", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.PathOf("k")));
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task Keygen_SecretFormat_WritesSecretCarryingItsKeyId()
    {
        string path = _cli.PathOf("api.secret");

        CliResult result = await _cli.RunAsync("keygen", "--out", path, "--format", "secret");

        Assert.Equal(0, result.ExitCode);
        string secret = (await File.ReadAllTextAsync(path)).Trim();
        using SigningKey key = SigningKey.Parse(secret);
        Assert.Equal(key.KeyId, KeyIdFrom(result.Output));
        Assert.DoesNotContain(secret, result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("--key-id", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keygen_ExistingFile_RefusesAndLeavesItUnchanged()
    {
        string path = _cli.PathOf("exists.pem");
        await File.WriteAllTextAsync(path, "precious");

        CliResult result = await _cli.RunAsync("keygen", "--out", path);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--force", result.Error, StringComparison.Ordinal);
        Assert.Equal("precious", await File.ReadAllTextAsync(path));
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task Keygen_Force_OverwritesWithMode0600()
    {
        string path = _cli.PathOf("old.pem");
        await File.WriteAllTextAsync(path, "old");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        CliResult result = await _cli.RunAsync("keygen", "--out", path, "--force");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public async Task Keygen_UnwritableDirectory_FailsWithExitCode1()
    {
        CliResult result = await _cli.RunAsync("keygen", "--out", _cli.PathOf(Path.Combine("no", "such", "dir", "k.pem")));

        Assert.Equal(ExitCodes.Error, result.ExitCode);
        Assert.Contains("Cannot write the private key", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keygen_MissingOut_IsUsageError()
    {
        CliResult result = await _cli.RunAsync("keygen");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--out", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keygen_OutIsDanglingSymlink_DoesNotWriteThroughIt()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string target = _cli.PathOf("victim-target");
        string link = _cli.PathOf("key.pem");
        File.CreateSymbolicLink(link, target);

        CliResult result = await _cli.RunAsync("keygen", "--out", link);

        Assert.False(File.Exists(target), $"keygen followed a dangling symlink and created the target ({result.ExitCode} {result.Error})");
    }

    [Fact]
    public async Task Keygen_ForceOverSymlinkToExistingFile_DoesNotOverwriteTheTarget()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode Mode0644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        string target = _cli.PathOf("victim.txt");
        await File.WriteAllTextAsync(target, "precious");
        File.SetUnixFileMode(target, Mode0644);
        string link = _cli.PathOf("key.pem");
        File.CreateSymbolicLink(link, target);

        CliResult result = await _cli.RunAsync("keygen", "--out", link, "--force");

        Assert.Equal("precious", await File.ReadAllTextAsync(target));
        Assert.Equal(Mode0644, File.GetUnixFileMode(target));
        if (result.ExitCode == 0)
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(link));
            Assert.Null(new FileInfo(link).LinkTarget);
        }
    }

    /// <summary>The derived key id, written out independently: kpa_ + 16 base64url characters of the RFC 7638 thumbprint.</summary>
    internal static string DerivedKeyIdOf(Ed25519PublicKey publicKey)
    {
        byte[] jwk = System.Text.Encoding.UTF8.GetBytes("{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" + publicKey.ExportBase64Url() + "\"}");
        return "kpa_" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(jwk)).Replace('+', '-').Replace('/', '_')[..16];
    }

    internal static string KeyIdFrom(string output)
    {
        string line = output.Split('\n').Single(l => l.StartsWith("Key id:", StringComparison.Ordinal));
        return line["Key id:".Length..].Trim();
    }
}
