using KeyPairAuth.Issuance;
using KeyPairAuth.Keys;
using KeyPairAuth.Stores;
using KeyPairAuth.Tests.Keys;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.Tests.Issuance;

public sealed class KeyPairIssuerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemoryPublicKeyStore _store = new();

    private KeyPairIssuer CreateIssuer(int max = 10) =>
        new(_store, _time, Options.Create(new KeyPairIssuerOptions { MaxActiveKeysPerOwner = max }));

    private static KeyIssueRequest Request(string owner = "alice", string name = "CI key", string[]? scopes = null, DateTimeOffset? expiresAt = null) =>
        new() { Owner = owner, Name = name, Scopes = scopes ?? [], ExpiresAt = expiresAt };

    [Fact]
    public async Task IssueAsync_StoresRecordAndReturnsWorkingSecretAndPem()
    {
        KeyPairIssuer issuer = CreateIssuer();
        using IssuedKeyPair issued = await issuer.IssueAsync(Request(scopes: ["orders:read", "orders:write"], expiresAt: _time.GetUtcNow().AddDays(30)));

        Assert.True(KeyId.IsValid(issued.KeyId));
        PublicKeyRecord stored = (await _store.FindAsync(issued.KeyId))!;
        Assert.Same(issued.Record, stored);
        Assert.Equal("alice", stored.Owner);
        Assert.Equal("CI key", stored.Name);
        Assert.Equal(["orders:read", "orders:write"], stored.Scopes);
        Assert.Equal(_time.GetUtcNow(), stored.CreatedAt);
        Assert.Equal(_time.GetUtcNow().AddDays(30), stored.ExpiresAt);
        Assert.Null(stored.RevokedAt);
        Assert.Null(stored.LastUsedAt);

        using SigningKey fromSecret = SigningKey.Parse(issued.Secret);
        using SigningKey fromPem = SigningKey.FromPkcs8Pem(issued.KeyId, issued.PrivateKeyPem);
        using SigningKey created = issued.CreateSigningKey();
        Assert.Equal(issued.KeyId, fromSecret.KeyId);
        Assert.True(TestKeys.SignsFor(fromSecret, stored.PublicKey));
        Assert.True(TestKeys.SignsFor(fromPem, stored.PublicKey));
        Assert.True(TestKeys.SignsFor(created, stored.PublicKey));
    }

    [Fact]
    public async Task IssuedKeyPair_ToStringRedacted_DisposeZeroesAndBlocksAccess()
    {
        IssuedKeyPair issued = await CreateIssuer().IssueAsync(Request());
        string secret = issued.Secret;
        Assert.Equal($"IssuedKeyPair {{ KeyId = {issued.KeyId} }}", issued.ToString());
        Assert.DoesNotContain(secret[7..], issued.ToString(), StringComparison.Ordinal);

        issued.Dispose();
        Assert.Throws<ObjectDisposedException>(() => issued.Secret);
        Assert.Throws<ObjectDisposedException>(() => issued.PrivateKeyPem);
        char[] buffer = (char[])typeof(IssuedKeyPair).GetField("_secret", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(issued)!;
        Assert.All(buffer, c => Assert.Equal('\0', c));
    }

    [Fact]
    public async Task IssueAsync_DuplicateScopes_AreRemovedInOrder()
    {
        using IssuedKeyPair issued = await CreateIssuer().IssueAsync(Request(scopes: ["b", "a", "b"]));
        Assert.Equal(["b", "a"], issued.Record.Scopes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Orders:read")]
    [InlineData("orders read")]
    [InlineData("1orders")]
    [InlineData("orders:")]
    [InlineData("orders::read")]
    [InlineData("orders:READ")]
    [InlineData("orders,read")]
    [InlineData("ordérs")]
    public async Task IssueAsync_InvalidScope_ThrowsInvalidScope(string scope)
    {
        KeyIssuanceException ex = await Assert.ThrowsAsync<KeyIssuanceException>(async () => await CreateIssuer().IssueAsync(Request(scopes: ["ok", scope])));
        Assert.Equal(KeyIssuanceError.InvalidScope, ex.Error);
        Assert.StartsWith("Scope 1 ", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await _store.ListByOwnerAsync("alice"));
    }

    [Theory]
    [InlineData("orders")]
    [InlineData("orders:read")]
    [InlineData("billing.invoices:write")]
    [InlineData("files:*")]
    [InlineData("a-b_c.d:e-f:g*")]
    public void KeyScopes_Valid(string scope) => Assert.True(KeyScopes.IsValid(scope));

    [Theory]
    [InlineData("orders:read\n")]
    [InlineData("admin\n")]
    public void KeyScopes_TrailingNewline_IsRejected(string scope)
    {
        // The grammar promises no control characters ("safe to put in claims, logs and HTTP headers").
        Assert.False(KeyScopes.IsValid(scope), $"KeyScopes.IsValid accepted {scope.Replace("\n", "\\n", StringComparison.Ordinal)}");
    }

    [Fact]
    public async Task IssueAsync_ScopeWithTrailingNewline_ThrowsInvalidScope()
    {
        var store = new InMemoryPublicKeyStore();
        var issuer = new KeyPairIssuer(store, TimeProvider.System, Options.Create(new KeyPairIssuerOptions()));
        IssuedKeyPair? issued = null;
        try
        {
            issued = await issuer.IssueAsync(new KeyIssueRequest { Owner = "alice", Name = "ci", Scopes = ["orders:read\n"] });
        }
        catch (KeyIssuanceException ex)
        {
            Assert.Equal(KeyIssuanceError.InvalidScope, ex.Error);
            Assert.Empty(await store.ListByOwnerAsync("alice"));
            return; // expected
        }

        Assert.Fail($"Issued a key whose stored scope is '{issued!.Record.Scopes[0].Replace("\n", "\\n", StringComparison.Ordinal)}'");
    }

    [Fact]
    public void GrammarRegexes_InTheCoreAssembly_AreAnchoredAtTheVeryEnd()
    {
        // Every grammar the core checks with a regular expression: none may end with '$', which in .NET also matches
        // before a final '\n'. Today that is the scope grammar; a new one is caught here.
        Type[] types = typeof(KeyScopes).Assembly.GetTypes();
        string[] patterns =
        [
            .. types.SelectMany(t => t.GetMethods(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public))
                .SelectMany(m => m.GetCustomAttributes(typeof(System.Text.RegularExpressions.GeneratedRegexAttribute), false))
                .Cast<System.Text.RegularExpressions.GeneratedRegexAttribute>()
                .Select(a => a.Pattern),
        ];

        Assert.NotEmpty(patterns);
        Assert.All(patterns, pattern =>
        {
            Assert.StartsWith("^", pattern, StringComparison.Ordinal);
            Assert.EndsWith(@"\z", pattern, StringComparison.Ordinal);
            Assert.DoesNotContain("$", pattern, StringComparison.Ordinal);
        });
        Assert.Contains(KeyScopes.Pattern, patterns);
    }

    [Fact]
    public void KeyScopes_LengthBound()
    {
        Assert.True(KeyScopes.IsValid(new string('a', 64)));
        Assert.False(KeyScopes.IsValid(new string('a', 65)));
        Assert.False(KeyScopes.IsValid(null));
        Assert.False(KeyScopes.IsValid(string.Empty)); // the grammar needs a first letter
    }

    [Fact]
    public async Task IssueAsync_TooManyScopes_ThrowsTooManyScopes()
    {
        string[] scopes = [.. Enumerable.Range(0, 33).Select(i => $"s{i}")];
        KeyIssuanceException ex = await Assert.ThrowsAsync<KeyIssuanceException>(async () => await CreateIssuer().IssueAsync(Request(scopes: scopes)));
        Assert.Equal(KeyIssuanceError.TooManyScopes, ex.Error);
        Assert.Equal("A key holds at most 32 scopes; the request has 33.", ex.Message);

        using IssuedKeyPair ok = await CreateIssuer().IssueAsync(Request(scopes: scopes[..32]));
        Assert.Equal(32, ok.Record.Scopes.Count);
    }

    [Theory]
    [InlineData("", KeyIssuanceError.InvalidName)]
    [InlineData("   ", KeyIssuanceError.InvalidName)]
    [InlineData("line\nbreak", KeyIssuanceError.InvalidName)]
    [InlineData("tab\tname", KeyIssuanceError.InvalidName)]
    public async Task IssueAsync_InvalidName_Throws(string name, KeyIssuanceError error)
    {
        KeyIssuanceException ex = await Assert.ThrowsAsync<KeyIssuanceException>(async () => await CreateIssuer().IssueAsync(Request(name: name)));
        Assert.Equal(error, ex.Error);
    }

    [Fact]
    public async Task IssueAsync_NameThatShowsNothingOrReordersText_ThrowsInvalidName()
    {
        // Names are shown to people: one made only of invisible characters, or one that reverses the text around it
        // ("txt.exe" shown for "exe.txt"), is refused. (Not theory data: the runner's test names would carry them.)
        string[] refused =
        [
            "\u200B", "\u200B\u200C\u2060 ", "\uFEFF", "\u00AD",
            "deploy \u202Egnp.exe", "ci\u202Dkey", "a\u202Ab", "a\u202Bb", "a\u202Cb",
            "a\u2066b", "a\u2067b", "a\u2068b", "a\u2069b", "a\u200Eb", "a\u200Fb", "a\u061Cb",
        ];
        foreach (string name in refused)
        {
            KeyIssuanceException ex = await Assert.ThrowsAsync<KeyIssuanceException>(async () => await CreateIssuer().IssueAsync(Request(name: name)));
            Assert.Equal(KeyIssuanceError.InvalidName, ex.Error);
            Assert.Contains("bidirectional formatting characters", ex.Message, StringComparison.Ordinal);
        }

        // Visible text with an invisible joiner inside (an emoji sequence) and right-to-left script stay allowed.
        string[] allowed = ["family \U0001F468\u200D\U0001F469\u200D\U0001F467", "\u05DE\u05E4\u05EA\u05D7 CI", "zero\u200Bwidth"];
        foreach (string name in allowed)
        {
            using IssuedKeyPair ok = await CreateIssuer().IssueAsync(Request(name: name));
            Assert.Equal(name, ok.Record.Name);
        }
    }

    [Fact]
    public async Task IssueAsync_NameLengthBound()
    {
        using IssuedKeyPair ok = await CreateIssuer().IssueAsync(Request(name: new string('n', 100)));
        KeyIssuanceException ex = await Assert.ThrowsAsync<KeyIssuanceException>(async () => await CreateIssuer().IssueAsync(Request(name: new string('n', 101))));
        Assert.Equal(KeyIssuanceError.InvalidName, ex.Error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad\0owner")]
    public async Task IssueAsync_InvalidOwner_Throws(string owner)
    {
        KeyIssuanceException ex = await Assert.ThrowsAsync<KeyIssuanceException>(async () => await CreateIssuer().IssueAsync(Request(owner: owner)));
        Assert.Equal(KeyIssuanceError.InvalidOwner, ex.Error);
    }

    [Fact]
    public async Task IssueAsync_OwnerOrNameWithALoneSurrogate_ThrowsInvalidOwnerOrName()
    {
        // Not well-formed UTF-16: a database stores such text as UTF-8 with U+FFFD in place of the lone surrogate
        // (SQLite) or refuses it, so "alice\uD800" and "alice\uDBFF" would become one owner sharing keys and a limit.
        // (Not theory data: the runner's test names would carry the lone surrogates.)
        string[] malformed = ["alice\uD800", "alice\uDBFF", "\uDC00alice", "al\uDC00\uD800ice"];
        foreach (string text in malformed)
        {
            KeyIssuanceException owner = await Assert.ThrowsAsync<KeyIssuanceException>(async () => await CreateIssuer().IssueAsync(Request(owner: text)));
            Assert.Equal(KeyIssuanceError.InvalidOwner, owner.Error);
            KeyIssuanceException listed = await Assert.ThrowsAsync<KeyIssuanceException>(async () => await CreateIssuer().ListByOwnerAsync(text));
            Assert.Equal(KeyIssuanceError.InvalidOwner, listed.Error);
            KeyIssuanceException name = await Assert.ThrowsAsync<KeyIssuanceException>(async () => await CreateIssuer().IssueAsync(Request(name: text)));
            Assert.Equal(KeyIssuanceError.InvalidName, name.Error);
        }

        // A surrogate pair (one code point outside the BMP) is well-formed.
        using IssuedKeyPair ok = await CreateIssuer().IssueAsync(Request(owner: "alice\U0001F511", name: "key \U0001F511"));
        Assert.Equal("alice\U0001F511", ok.Record.Owner);
    }

    [Fact]
    public async Task IssueAsync_ExpiryNotInFuture_ThrowsInvalidExpiry()
    {
        KeyPairIssuer issuer = CreateIssuer();
        KeyIssuanceException ex = await Assert.ThrowsAsync<KeyIssuanceException>(async () => await issuer.IssueAsync(Request(expiresAt: _time.GetUtcNow())));
        Assert.Equal(KeyIssuanceError.InvalidExpiry, ex.Error);
        await Assert.ThrowsAsync<KeyIssuanceException>(async () => await issuer.IssueAsync(Request(expiresAt: _time.GetUtcNow().AddSeconds(-1))));
        using IssuedKeyPair ok = await issuer.IssueAsync(Request(expiresAt: _time.GetUtcNow().AddSeconds(1)));
    }

    [Fact]
    public async Task IssueAsync_AtActiveKeyLimit_ThrowsDistinctReason_AndRevokeMakesRoom()
    {
        KeyPairIssuer issuer = CreateIssuer(max: 2);
        using IssuedKeyPair first = await issuer.IssueAsync(Request());
        using IssuedKeyPair second = await issuer.IssueAsync(Request());
        KeyIssuanceException ex = await Assert.ThrowsAsync<KeyIssuanceException>(async () => await issuer.IssueAsync(Request()));
        Assert.Equal(KeyIssuanceError.ActiveKeyLimitReached, ex.Error);
        Assert.Contains("MaxActiveKeysPerOwner", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await issuer.ListByOwnerAsync("alice")).Count);

        await issuer.RevokeAsync(first.KeyId);
        using IssuedKeyPair third = await issuer.IssueAsync(Request());
        Assert.Equal(3, (await issuer.ListByOwnerAsync("alice")).Count);
    }

    [Fact]
    public async Task IssueAsync_ExpiredKeysDoNotCountTowardLimit()
    {
        KeyPairIssuer issuer = CreateIssuer(max: 1);
        using IssuedKeyPair first = await issuer.IssueAsync(Request(expiresAt: _time.GetUtcNow().AddMinutes(5)));
        await Assert.ThrowsAsync<KeyIssuanceException>(async () => await issuer.IssueAsync(Request()));
        _time.Advance(TimeSpan.FromMinutes(5));
        using IssuedKeyPair second = await issuer.IssueAsync(Request());
    }

    [Fact]
    public async Task RegisterAsync_StoresPublicKeyOnly_AndOwnerCanSign()
    {
        KeyPairIssuer issuer = CreateIssuer();
        using SigningKey local = SigningKey.FromPkcs8Pem("local", TestKeys.OpenSslPrivatePem);
        PublicKeyRecord record = await issuer.RegisterAsync(new KeyRegistrationRequest
        {
            Owner = "alice",
            Name = "laptop",
            PublicKey = Ed25519PublicKey.Parse(TestKeys.OpenSslPublicPem),
            Scopes = ["orders:read"],
        });

        Assert.True(KeyId.IsValid(record.KeyId));
        Assert.Equal(local.PublicKey, record.PublicKey);
        Assert.Same(record, await issuer.GetAsync(record.KeyId));
        Assert.Equal(_time.GetUtcNow(), record.CreatedAt);
        using SigningKey signer = SigningKey.FromPkcs8Pem(record.KeyId, TestKeys.OpenSslPrivatePem);
        Assert.True(TestKeys.SignsFor(signer, record.PublicKey));
    }

    [Fact]
    public async Task RegisterAsync_SamePublicKeyTwice_ThrowsDuplicate_EvenAfterRevocation()
    {
        KeyPairIssuer issuer = CreateIssuer();
        KeyRegistrationRequest request = new() { Owner = "alice", Name = "laptop", PublicKey = Ed25519PublicKey.Parse(TestKeys.OpenSslPublicPem) };
        PublicKeyRecord record = await issuer.RegisterAsync(request);
        await issuer.RevokeAsync(record.KeyId);
        KeyIssuanceException ex = await Assert.ThrowsAsync<KeyIssuanceException>(async () => await issuer.RegisterAsync(request));
        Assert.Equal(KeyIssuanceError.DuplicatePublicKey, ex.Error);
        Assert.Equal(
            $"This public key is already registered (key id {record.KeyId}); a public key can be registered once. Generate a new key pair to register another key.",
            ex.Message);
        Assert.Single(await issuer.ListByOwnerAsync("alice"));
    }

    [Fact]
    public async Task RegisterAsync_SamePublicKeyForAnotherOwner_ThrowsDuplicatePublicKey()
    {
        KeyPairIssuer issuer = CreateIssuer();
        Ed25519PublicKey publicKey = Ed25519PublicKey.Parse(TestKeys.OpenSslPublicPem);
        PublicKeyRecord alices = await issuer.RegisterAsync(new KeyRegistrationRequest { Owner = "alice", Name = "laptop", PublicKey = publicKey });

        KeyIssuanceException ex = await Assert.ThrowsAsync<KeyIssuanceException>(async () =>
            await issuer.RegisterAsync(new KeyRegistrationRequest { Owner = "mallory", Name = "copied", PublicKey = publicKey }));

        Assert.Equal(KeyIssuanceError.DuplicatePublicKey, ex.Error);
        Assert.Contains("already registered", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", ex.Message, StringComparison.Ordinal); // nothing about the other owner's record
        Assert.Empty(await issuer.ListByOwnerAsync("mallory"));
        Assert.Equal("alice", (await issuer.GetAsync(alices.KeyId))!.Owner);
    }

    [Fact]
    public async Task RegisterAsync_KeyId_IsDerivedFromThePublicKey_SoTheClientKnowsItBeforehand()
    {
        KeyPairIssuer issuer = CreateIssuer();
        using SigningKey local = SigningKey.Generate(); // what keypairauth keygen does on the user's machine

        PublicKeyRecord record = await issuer.RegisterAsync(new KeyRegistrationRequest { Owner = "alice", Name = "laptop", PublicKey = local.PublicKey });
        PublicKeyRecord openSsl = await issuer.RegisterAsync(new KeyRegistrationRequest
        {
            Owner = "alice", Name = "openssl", PublicKey = Ed25519PublicKey.Parse(TestKeys.OpenSslPublicPem),
        });

        Assert.Equal(local.KeyId, record.KeyId);
        Assert.Equal(TestKeys.DerivedKeyIdOf(local.PublicKey), record.KeyId);
        Assert.Equal(TestKeys.OpenSslKeyId, openSsl.KeyId);
    }

    [Fact]
    public async Task IssueAsync_KeyId_IsDerivedFromTheIssuedPublicKey()
    {
        using IssuedKeyPair issued = await CreateIssuer().IssueAsync(Request());
        Assert.Equal(TestKeys.DerivedKeyIdOf(issued.Record.PublicKey), issued.KeyId);
    }

    [Fact]
    public async Task RegisterAsync_PublicKeyWhoseIdWouldLookLikeASecret_IsRefusedWithAdvice()
    {
        KeyPairIssuer issuer = CreateIssuer();
        Ed25519PublicKey publicKey = Ed25519PublicKey.FromBase64Url(TestKeys.ReservedIdPublicX);
        Assert.StartsWith("kpa_sk_", TestKeys.DerivedKeyIdOf(publicKey), StringComparison.Ordinal);

        KeyIssuanceException ex = await Assert.ThrowsAsync<KeyIssuanceException>(async () =>
            await issuer.RegisterAsync(new KeyRegistrationRequest { Owner = "alice", Name = "unlucky", PublicKey = publicKey }));

        Assert.Equal(KeyIssuanceError.InvalidRequest, ex.Error);
        Assert.Contains("generate another key pair", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await issuer.ListByOwnerAsync("alice"));
    }

    [Fact]
    public async Task RegisterAsync_ValidatesLikeIssue_AndEnforcesLimit()
    {
        KeyPairIssuer issuer = CreateIssuer(max: 1);
        using SigningKey a = SigningKey.Generate();
        using SigningKey b = SigningKey.Generate();
        KeyIssuanceException scope = await Assert.ThrowsAsync<KeyIssuanceException>(async () =>
            await issuer.RegisterAsync(new KeyRegistrationRequest { Owner = "alice", Name = "x", PublicKey = a.PublicKey, Scopes = ["BAD"] }));
        Assert.Equal(KeyIssuanceError.InvalidScope, scope.Error);

        await issuer.RegisterAsync(new KeyRegistrationRequest { Owner = "alice", Name = "x", PublicKey = a.PublicKey });
        KeyIssuanceException limit = await Assert.ThrowsAsync<KeyIssuanceException>(async () =>
            await issuer.RegisterAsync(new KeyRegistrationRequest { Owner = "alice", Name = "y", PublicKey = b.PublicKey }));
        Assert.Equal(KeyIssuanceError.ActiveKeyLimitReached, limit.Error);
    }

    [Fact]
    public async Task RevokeAsync_IsIdempotent_RecordsFirstTime_UnknownReturnsNull()
    {
        KeyPairIssuer issuer = CreateIssuer();
        using IssuedKeyPair issued = await issuer.IssueAsync(Request());
        DateTimeOffset revokedAt = _time.GetUtcNow();
        PublicKeyRecord? first = await issuer.RevokeAsync(issued.KeyId);
        _time.Advance(TimeSpan.FromHours(1));
        PublicKeyRecord? again = await issuer.RevokeAsync(issued.KeyId);
        Assert.Equal(revokedAt, first!.RevokedAt);
        Assert.Equal(revokedAt, again!.RevokedAt);
        Assert.False((await issuer.GetAsync(issued.KeyId))!.IsActiveAt(_time.GetUtcNow()));
        Assert.Null(await issuer.RevokeAsync(KeyId.New()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-key-id")]
    [InlineData("kpa_short")]
    [InlineData("kpa_sk_AAECAwQFBgcIC")]
    public async Task GetAndRevoke_MalformedKeyId_ThrowInvalidKeyId(string keyId)
    {
        KeyPairIssuer issuer = CreateIssuer();
        Assert.Equal(KeyIssuanceError.InvalidKeyId, (await Assert.ThrowsAsync<KeyIssuanceException>(async () => await issuer.GetAsync(keyId))).Error);
        Assert.Equal(KeyIssuanceError.InvalidKeyId, (await Assert.ThrowsAsync<KeyIssuanceException>(async () => await issuer.RevokeAsync(keyId))).Error);
    }

    [Fact]
    public async Task ListByOwnerAsync_ReturnsOwnersKeysOldestFirst()
    {
        KeyPairIssuer issuer = CreateIssuer();
        using IssuedKeyPair a = await issuer.IssueAsync(Request());
        _time.Advance(TimeSpan.FromMinutes(1));
        using IssuedKeyPair b = await issuer.IssueAsync(Request());
        using IssuedKeyPair other = await issuer.IssueAsync(Request(owner: "bob"));
        Assert.Equal([a.KeyId, b.KeyId], (await issuer.ListByOwnerAsync("alice")).Select(r => r.KeyId));
        await Assert.ThrowsAsync<KeyIssuanceException>(async () => await issuer.ListByOwnerAsync(""));
    }

    [Fact]
    public async Task IssueAsync_InvalidOptions_ThrowsNamingTheSetting()
    {
        InvalidOperationException ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => await CreateIssuer(max: 0).IssueAsync(Request()));
        Assert.Contains("MaxActiveKeysPerOwner", ex.Message, StringComparison.Ordinal);
    }
}
