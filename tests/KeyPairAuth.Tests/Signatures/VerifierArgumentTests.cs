using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using KeyPairAuth.Testing;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.Tests.Signatures;

/// <summary>Programmer errors at the verifier's boundary: a missing dependency or request throws at once, naming it.</summary>
public sealed class VerifierArgumentTests
{
    private readonly FakeTimeProvider _time = new(VerifierFixture.Now);

    [Fact]
    public void Constructor_NullStore_ThrowsNamingIt()
    {
        Assert.Throws<ArgumentNullException>("store", () => new HttpMessageVerifier((IPublicKeyStore)null!, new FakeReplayCache(), new SignatureVerificationOptions(), _time));
    }

    [Fact]
    public void Constructor_NullReplayCache_ThrowsNamingIt()
    {
        Assert.Throws<ArgumentNullException>("replayCache", () => new HttpMessageVerifier(new FakePublicKeyStore(), null!, new SignatureVerificationOptions(), _time));
        Assert.Throws<ArgumentNullException>("replayCache", () => new HttpMessageVerifier(NewKeyCache(), null!, new SignatureVerificationOptions(), _time));
    }

    [Fact]
    public void Constructor_NullOptions_ThrowsNamingThem()
    {
        Assert.Throws<ArgumentNullException>("options", () => new HttpMessageVerifier(new FakePublicKeyStore(), new FakeReplayCache(), null!, _time));
    }

    [Fact]
    public void Constructor_NullTimeProvider_ThrowsNamingIt()
    {
        Assert.Throws<ArgumentNullException>("timeProvider", () => new HttpMessageVerifier(new FakePublicKeyStore(), new FakeReplayCache(), new SignatureVerificationOptions(), null!));
        Assert.Throws<ArgumentNullException>("timeProvider", () => new HttpMessageVerifier(NewKeyCache(), new FakeReplayCache(), new SignatureVerificationOptions(), null!));
    }

    [Fact]
    public void Constructor_NullSharedKeyCache_ThrowsNamingIt()
    {
        Assert.Throws<ArgumentNullException>("keys", () => new HttpMessageVerifier((PublicKeyCache)null!, new FakeReplayCache(), new SignatureVerificationOptions(), _time));
    }

    [Fact]
    public async Task VerifyAsync_NullRequest_ThrowsNamingIt()
    {
        using var f = new VerifierFixture();

        await Assert.ThrowsAsync<ArgumentNullException>("request", async () => await f.Verifier.VerifyAsync(null!));
    }

    private PublicKeyCache NewKeyCache() => new(new FakePublicKeyStore(), _time);
}
