using KeyPairAuth.Issuance;
using KeyPairAuth.Keys;
using KeyPairAuth.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.Tests.Issuance;

public sealed class KeyPairIssuerLoggingTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly RecordingLogger _logger = new();

    private KeyPairIssuer CreateIssuer() =>
        new(new InMemoryPublicKeyStore(), _time, Options.Create(new KeyPairIssuerOptions()), cache: null, logger: _logger);

    [Fact]
    public async Task IssueRegisterRevoke_AreAuditedWithKeyIdAndOwner_NeverTheSecret()
    {
        KeyPairIssuer issuer = CreateIssuer();
        using IssuedKeyPair issued = await issuer.IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "ci", Scopes = ["orders:read"] });
        using SigningKey own = SigningKey.Generate();
        PublicKeyRecord registered = await issuer.RegisterAsync(new KeyRegistrationRequest { Owner = "bob", Name = "laptop", PublicKey = own.PublicKey });
        await issuer.RevokeAsync(issued.KeyId);

        Assert.Collection(
            _logger.Entries,
            e =>
            {
                Assert.Equal((1, LogLevel.Information), (e.EventId.Id, e.Level));
                Assert.Contains(issued.KeyId, e.Message, StringComparison.Ordinal);
                Assert.Contains("alice", e.Message, StringComparison.Ordinal);
            },
            e =>
            {
                Assert.Equal(2, e.EventId.Id);
                Assert.Contains(registered.KeyId, e.Message, StringComparison.Ordinal);
                Assert.Contains("bob", e.Message, StringComparison.Ordinal);
            },
            e =>
            {
                Assert.Equal(3, e.EventId.Id);
                Assert.Contains(issued.KeyId, e.Message, StringComparison.Ordinal);
            });

        string all = string.Join("\n", _logger.Entries.Select(e => e.Message));
        Assert.DoesNotContain(SigningKey.SecretPrefix, all, StringComparison.Ordinal);
        // The secret's first payload characters are the key id itself (which is logged); the seed part follows.
        Assert.DoesNotContain(issued.Secret[^40..], all, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_UnknownKey_LogsNothing()
    {
        await CreateIssuer().RevokeAsync(KeyId.New());

        Assert.Empty(_logger.Entries);
    }

    private sealed class RecordingLogger : ILogger<KeyPairIssuer>
    {
        public List<(EventId EventId, LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((eventId, logLevel, formatter(state, exception)));
    }
}
