using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using KeyPairAuth.AspNetCore.KeyManagement;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Keys;
using KeyPairAuth.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;

namespace KeyPairAuth.AspNetCore.Tests.KeyManagement;

/// <summary>The key self-service endpoints on real Kestrel, as a signed-in user of the app's own scheme.</summary>
public sealed class KeyManagementEndpointsTests
{
    private static string NewUser() => "user-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Create_ReturnsKeyIdSecretAndPem_AndTheSecretAppearsInExactlyOneResponse()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync();
        string alice = NewUser();

        Reply created = await app.CreateAsync(alice, """{"name":"laptop","scopes":["orders:read"],"expiresAt":"2999-01-01T00:00:00Z"}""");

        created.AssertStatus(HttpStatusCode.Created);
        Assert.Equal("application/json", created.MediaType);
        Assert.Contains("no-store", created.CacheControl, StringComparison.Ordinal);
        JsonElement json = created.Json;
        string secret = json.GetProperty("secret").GetString()!;
        string pem = json.GetProperty("privateKeyPem").GetString()!;
        string keyId = json.GetProperty("key").GetProperty("keyId").GetString()!;
        Secrets.Register(secret);
        Assert.StartsWith(SigningKey.SecretPrefix, secret, StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem, StringComparison.Ordinal);
        Assert.True(KeyId.IsValid(keyId));
        Assert.Equal($"{KeyManagementApp.Prefix}/{keyId}", created.Location);
        Assert.Equal("laptop", json.GetProperty("key").GetProperty("name").GetString());
        Assert.Equal("active", json.GetProperty("key").GetProperty("status").GetString());
        Assert.Equal(["orders:read"], json.GetProperty("key").GetProperty("scopes").EnumerateArray().Select(e => e.GetString()));
        Assert.StartsWith("SHA256:", json.GetProperty("key").GetProperty("fingerprint").GetString(), StringComparison.Ordinal);
        using (SigningKey parsed = SigningKey.Parse(secret))
        {
            Assert.Equal(keyId, parsed.KeyId);
            Assert.Equal(json.GetProperty("key").GetProperty("publicKey").GetString(), parsed.PublicKey.ExportBase64Url());
        }

        // Everything a user can do afterwards: list, get, use, revoke, list again, create another key.
        (await app.ListAsync(alice)).AssertStatus(HttpStatusCode.OK);
        (await app.GetAsync(alice, keyId)).AssertStatus(HttpStatusCode.OK);
        (await app.CallSignedAsync(secret)).AssertStatus(HttpStatusCode.OK);
        (await app.RevokeAsync(alice, keyId)).AssertStatus(HttpStatusCode.OK);
        (await app.RevokeAsync(alice, keyId)).AssertStatus(HttpStatusCode.OK);
        (await app.GetAsync(alice, keyId)).AssertStatus(HttpStatusCode.OK);
        (await app.ListAsync(alice)).AssertStatus(HttpStatusCode.OK);
        (await app.CreateAsync(alice, """{"name":"second"}""")).AssertStatus(HttpStatusCode.Created);

        // Scan the decoded text of every response (JSON escapes '+' in the PEM as \u002B).
        List<string> bodies = [.. app.ResponseBodies.Select(Decoded)];
        string pemBody = pem.Split('\n')[1];
        Assert.Equal(1, bodies.Count(b => b.Contains(secret, StringComparison.Ordinal)));
        Assert.Equal(1, bodies.Count(b => b.Contains(pemBody, StringComparison.Ordinal)));
        Assert.Equal(0, bodies.IndexOf(bodies.Single(b => b.Contains(secret, StringComparison.Ordinal))));
        foreach (string later in bodies.Skip(1).SkipLast(1))
        {
            Assert.DoesNotContain(SigningKey.SecretPrefix, later, StringComparison.Ordinal);
            Assert.DoesNotContain("PRIVATE KEY", later, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Create_KeySignsRequestsAsItsOwner_UntilRevokedThroughTheEndpoint()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync();
        string alice = NewUser();
        Reply created = await app.CreateAsync(alice, """{"name":"ci"}""");
        string secret = created.Json.GetProperty("secret").GetString()!;
        string keyId = created.Json.GetProperty("key").GetProperty("keyId").GetString()!;
        Secrets.Register(secret);

        Reply before = await app.CallSignedAsync(secret);
        before.AssertStatus(HttpStatusCode.OK);
        Assert.Equal($"{alice}|{keyId}", before.Body);

        Reply revoked = await app.RevokeAsync(alice, keyId);
        revoked.AssertStatus(HttpStatusCode.OK);
        Assert.Equal("revoked", revoked.Json.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, revoked.Json.GetProperty("revokedAt").ValueKind);

        Reply after = await app.CallSignedAsync(secret);
        after.AssertProblem(HttpStatusCode.Unauthorized, "key_revoked", withDetail: false);
    }

    [Fact]
    public async Task List_ShowsOnlyTheSignedInUsersKeys_AndNeverASecret()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync();
        string alice = NewUser();
        string bob = NewUser();
        Reply a1 = await app.CreateAsync(alice, """{"name":"a1","scopes":["orders:read","orders:write"]}""");
        Reply a2 = await app.CreateAsync(alice, """{"name":"a2"}""");
        Reply b1 = await app.CreateAsync(bob, """{"name":"b1"}""");

        Reply aliceList = await app.ListAsync(alice);
        Reply bobList = await app.ListAsync(bob);

        aliceList.AssertStatus(HttpStatusCode.OK);
        Assert.Equal(
            [KeyIdOf(a1), KeyIdOf(a2)],
            aliceList.Json.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("keyId").GetString()));
        Assert.Equal([KeyIdOf(b1)], bobList.Json.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("keyId").GetString()));
        foreach (Reply list in new[] { aliceList, bobList })
        {
            Assert.DoesNotContain(SigningKey.SecretPrefix, list.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("PRIVATE KEY", list.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("\"secret\"", list.Body, StringComparison.Ordinal);
        }

        foreach (Reply create in new[] { a1, a2, b1 })
        {
            Assert.DoesNotContain(create.Json.GetProperty("secret").GetString()!, aliceList.Body + bobList.Body, StringComparison.Ordinal);
        }

        JsonElement first = aliceList.Json.GetProperty("keys")[0];
        Assert.Equal("a1", first.GetProperty("name").GetString());
        Assert.Equal(["orders:read", "orders:write"], first.GetProperty("scopes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("active", first.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("lastUsedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, first.GetProperty("expiresAt").ValueKind);
    }

    [Fact]
    public async Task Get_AnotherUsersKey_Returns404ExactlyLikeAKeyThatDoesNotExist()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync();
        string alice = NewUser();
        string aliceKey = KeyIdOf(await app.CreateAsync(alice, """{"name":"mine"}"""));

        Reply othersKey = await app.GetAsync(NewUser(), aliceKey);
        Reply missingKey = await app.GetAsync(NewUser(), KeyId.New());

        othersKey.AssertProblem(HttpStatusCode.NotFound, KeyManagementErrorCodes.KeyNotFound);
        Assert.Equal(missingKey.Body, othersKey.Body);
        Assert.Equal(missingKey.Status, othersKey.Status);
        (await app.GetAsync(alice, aliceKey)).AssertStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Revoke_AnotherUsersKey_Returns404_AndTheKeyStaysActive()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync();
        string alice = NewUser();
        Reply created = await app.CreateAsync(alice, """{"name":"mine"}""");
        string aliceKey = KeyIdOf(created);
        string secret = created.Json.GetProperty("secret").GetString()!;
        Secrets.Register(secret);

        Reply byMallory = await app.RevokeAsync(NewUser(), aliceKey);
        Reply missing = await app.RevokeAsync(NewUser(), KeyId.New());

        byMallory.AssertProblem(HttpStatusCode.NotFound, KeyManagementErrorCodes.KeyNotFound);
        Assert.Equal(missing.Body, byMallory.Body);
        PublicKeyRecord? stored = await app.Services.GetRequiredService<IPublicKeyStore>().FindAsync(aliceKey);
        Assert.NotNull(stored);
        Assert.False(stored.IsRevoked);
        (await app.CallSignedAsync(secret)).AssertStatus(HttpStatusCode.OK);
        Assert.Contains(CapturingLoggerProvider.Messages, m => m.Contains("KeyManagementOtherOwnersKey", StringComparison.Ordinal) && m.Contains(aliceKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Revoke_OwnKeyTwice_KeepsTheFirstRevocationTime()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync();
        string alice = NewUser();
        string keyId = KeyIdOf(await app.CreateAsync(alice, """{"name":"k"}"""));

        Reply first = await app.RevokeAsync(alice, keyId);
        Reply second = await app.RevokeAsync(alice, keyId);

        first.AssertStatus(HttpStatusCode.OK);
        second.AssertStatus(HttpStatusCode.OK);
        Assert.Equal(first.Json.GetProperty("revokedAt").GetDateTimeOffset(), second.Json.GetProperty("revokedAt").GetDateTimeOffset());
        Assert.Equal("revoked", second.Json.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("not-a-key-id")]
    [InlineData("kpa_sk_AAAAAAAAAAAAA")]
    [InlineData("kpa_AAAAAAAAAAAAAAA")]
    public async Task GetAndRevoke_MalformedKeyId_Return404(string keyId)
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync();

        (await app.GetAsync(NewUser(), keyId)).AssertProblem(HttpStatusCode.NotFound, KeyManagementErrorCodes.KeyNotFound);
        (await app.RevokeAsync(NewUser(), keyId)).AssertProblem(HttpStatusCode.NotFound, KeyManagementErrorCodes.KeyNotFound);
    }

    [Theory]
    [InlineData("""{"name":""}""", "invalid_name")]
    [InlineData("""{}""", "invalid_name")]
    [InlineData("""{"name":"   "}""", "invalid_name")]
    [InlineData("""{"name":"a\u0007b"}""", "invalid_name")]
    [InlineData("""{"name":"k","scopes":["Orders Read"]}""", "invalid_scope")]
    [InlineData("""{"name":"k","scopes":[null]}""", "invalid_scope")]
    [InlineData("""{"name":"k","expiresAt":"2001-01-01T00:00:00Z"}""", "invalid_expiry")]
    public async Task Create_InvalidRequest_Returns400WithTheIssuersCode(string json, string error)
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync();
        string alice = NewUser();

        Reply reply = await app.CreateAsync(alice, json);

        reply.AssertProblem(HttpStatusCode.BadRequest, error);
        Assert.Empty((await app.ListAsync(alice)).Json.GetProperty("keys").EnumerateArray());
    }

    [Fact]
    public async Task Create_NameTooLongAndTooManyScopes_Return400()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync(o => o.IsScopeAllowed = (_, _) => true);
        string scopes = string.Join(",", Enumerable.Range(0, 33).Select(i => $"\"s{i}\""));

        (await app.CreateAsync(NewUser(), $$"""{"name":"{{new string('n', 101)}}"}""")).AssertProblem(HttpStatusCode.BadRequest, "invalid_name");
        (await app.CreateAsync(NewUser(), $$"""{"name":"k","scopes":[{{scopes}}]}""")).AssertProblem(HttpStatusCode.BadRequest, "too_many_scopes");
    }

    [Fact]
    public async Task Create_ScopeTheUserMayNotGrant_Returns400_AndNoKeyIsCreated()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync();
        string alice = NewUser();

        Reply reply = await app.CreateAsync(alice, """{"name":"k","scopes":["orders:read","admin"]}""");

        reply.AssertProblem(HttpStatusCode.BadRequest, KeyManagementErrorCodes.ScopeNotAllowed);
        Assert.Contains("'admin'", reply.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("orders:read, orders:write", reply.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty((await app.ListAsync(alice)).Json.GetProperty("keys").EnumerateArray());
    }

    [Fact]
    public async Task Create_WithNoAllowedScopesConfigured_RefusesEveryScope()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync(o => o.AllowedScopes.Clear());

        (await app.CreateAsync(NewUser(), """{"name":"k","scopes":["orders:read"]}""")).AssertProblem(HttpStatusCode.BadRequest, KeyManagementErrorCodes.ScopeNotAllowed);
        (await app.CreateAsync(NewUser(), """{"name":"k"}""")).AssertStatus(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Create_IsScopeAllowedCallback_DecidesPerSignedInUser()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync(o =>
            o.IsScopeAllowed = (user, scope) => scope != "admin" || user.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value == "root");

        (await app.CreateAsync("root", """{"name":"k","scopes":["admin"]}""")).AssertStatus(HttpStatusCode.Created);
        (await app.CreateAsync(NewUser(), """{"name":"k","scopes":["admin"]}""")).AssertProblem(HttpStatusCode.BadRequest, KeyManagementErrorCodes.ScopeNotAllowed);
        (await app.CreateAsync(NewUser(), """{"name":"k","scopes":["anything:else"]}""")).AssertStatus(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Create_OwnerInTheBody_IsRefused_AndNoKeyIsCreatedForThatOwner()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync();
        string mallory = NewUser();
        string victim = NewUser();

        Reply create = await app.CreateAsync(mallory, $$"""{"name":"k","owner":"{{victim}}"}""");
        Reply register = await app.RegisterAsync(mallory, $$"""{"name":"k","owner":"{{victim}}","publicKey":"{{NewPublicKey().ExportBase64Url()}}"}""");

        create.AssertProblem(HttpStatusCode.BadRequest, KeyManagementErrorCodes.InvalidJson);
        register.AssertProblem(HttpStatusCode.BadRequest, KeyManagementErrorCodes.InvalidJson);
        Assert.Contains("signed-in user", create.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty((await app.ListAsync(victim)).Json.GetProperty("keys").EnumerateArray());
        Assert.Empty((await app.ListAsync(mallory)).Json.GetProperty("keys").EnumerateArray());
    }

    [Theory]
    [InlineData("{")]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"name\"")]
    [InlineData("""{"name":1}""")]
    [InlineData("""{"name":"k","scopes":"orders:read"}""")]
    [InlineData("""{"name":"k","scopes":[1]}""")]
    [InlineData("""{"name":"k","expiresAt":"tomorrow"}""")]
    [InlineData("""{"name":"k"} trailing""")]
    [InlineData("""{"name":"k",}""")]
    [InlineData("""{"name":"k","scopes":[[[[[[[[["x"]]]]]]]]]}""")]
    public async Task Create_MalformedJson_Returns400InvalidJson(string json)
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync();

        Reply reply = await app.CreateAsync(NewUser(), json);

        reply.AssertProblem(HttpStatusCode.BadRequest, KeyManagementErrorCodes.InvalidJson);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task CreateAndRegister_BodyThatIsNotJson_Return415(string contentType)
    {
        // A cross-site form can send these content types without a CORS preflight; only JSON is accepted.
        await using KeyManagementApp app = await KeyManagementApp.StartAsync();
        string alice = NewUser();

        Reply create = await app.SendAsync(HttpMethod.Post, KeyManagementApp.Prefix, alice, """{"name":"k"}""", contentType);
        Reply register = await app.SendAsync(HttpMethod.Post, KeyManagementApp.Prefix + "/register", alice, """{"name":"k"}""", contentType);

        create.AssertProblem(HttpStatusCode.UnsupportedMediaType, KeyManagementErrorCodes.UnsupportedMediaType);
        register.AssertProblem(HttpStatusCode.UnsupportedMediaType, KeyManagementErrorCodes.UnsupportedMediaType);
        Assert.Empty((await app.ListAsync(alice)).Json.GetProperty("keys").EnumerateArray());
    }

    [Fact]
    public async Task Create_BodyLargerThanAKeyRequest_Returns413()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync();
        string padding = new('x', 20_000);

        Reply declared = await app.CreateAsync(NewUser(), $$"""{"name":"{{padding}}"}""");
        Reply chunked = await app.SendAsync(HttpMethod.Post, KeyManagementApp.Prefix, NewUser(), customize: request =>
        {
            request.Content = new StreamContent(new NonSeekable(System.Text.Encoding.UTF8.GetBytes($$"""{"name":"{{padding}}"}""")));
            request.Content.Headers.ContentType = new("application/json");
        });

        declared.AssertProblem(HttpStatusCode.RequestEntityTooLarge, KeyManagementErrorCodes.BodyTooLarge);
        chunked.AssertProblem(HttpStatusCode.RequestEntityTooLarge, KeyManagementErrorCodes.BodyTooLarge);
    }

    [Fact]
    public async Task CreateAndRegister_AtTheActiveKeyLimit_Return409_UntilAKeyIsRevoked()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync(maxActiveKeys: 2);
        string alice = NewUser();
        string first = KeyIdOf(await app.CreateAsync(alice, """{"name":"1"}"""));
        (await app.CreateAsync(alice, """{"name":"2"}""")).AssertStatus(HttpStatusCode.Created);

        Reply create = await app.CreateAsync(alice, """{"name":"3"}""");
        Reply register = await app.RegisterAsync(alice, $$"""{"name":"3","publicKey":"{{NewPublicKey().ExportBase64Url()}}"}""");

        create.AssertProblem(HttpStatusCode.Conflict, KeyManagementErrorCodes.ActiveKeyLimitReached);
        register.AssertProblem(HttpStatusCode.Conflict, KeyManagementErrorCodes.ActiveKeyLimitReached);
        (await app.CreateAsync(NewUser(), """{"name":"other user"}""")).AssertStatus(HttpStatusCode.Created);
        (await app.RevokeAsync(alice, first)).AssertStatus(HttpStatusCode.OK);
        (await app.CreateAsync(alice, """{"name":"3"}""")).AssertStatus(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("pem")]
    [InlineData("jwk")]
    [InlineData("openssh")]
    [InlineData("base64url")]
    public async Task Register_PublicKeyInEachFormat_Returns201_AndTheKeySignsRequests(string format)
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync();
        string alice = NewUser();
        using SigningKey local = SigningKey.Generate();
        string pem = local.ExportPkcs8Pem();
        string publicKey = format switch
        {
            "pem" => local.PublicKey.ExportSpkiPem(),
            "jwk" => local.PublicKey.ExportJwk(),
            "openssh" => local.PublicKey.ExportOpenSsh() + " alice@laptop",
            _ => local.PublicKey.ExportBase64Url(),
        };

        Reply reply = await app.RegisterAsync(alice, JsonSerializer.Serialize(new { name = "own key", publicKey, scopes = new[] { "orders:read" } }));

        reply.AssertStatus(HttpStatusCode.Created);
        Assert.DoesNotContain("secret", reply.Body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("PRIVATE KEY", reply.Body, StringComparison.Ordinal);
        string keyId = reply.Json.GetProperty("keyId").GetString()!;
        Assert.Equal($"{KeyManagementApp.Prefix}/{keyId}", reply.Location);
        Assert.Equal(local.PublicKey.Fingerprint, reply.Json.GetProperty("fingerprint").GetString());
        Assert.Equal(local.PublicKey.ExportBase64Url(), reply.Json.GetProperty("publicKey").GetString());

        using SigningKey registered = SigningKey.FromPkcs8Pem(keyId, pem);
        (await app.CallSignedAsync(registered)).AssertStatus(HttpStatusCode.OK);
    }

    public static TheoryData<string, string> ForeignKeys()
    {
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        ECParameters p = ec.ExportParameters(false);
        string ecJwk = JsonSerializer.Serialize(new { kty = "EC", crv = "P-256", x = Base64Url(p.Q.X!), y = Base64Url(p.Q.Y!) });
        using SigningKey key = SigningKey.Generate();
        string privateJwk = $$"""{"kty":"OKP","crv":"Ed25519","x":"{{key.PublicKey.ExportBase64Url()}}","d":"{{Base64Url(new byte[32])}}"}""";
        return new TheoryData<string, string>
        {
            { rsa.ExportSubjectPublicKeyInfoPem(), "rsa pem" },
            { ec.ExportSubjectPublicKeyInfoPem(), "p-256 pem" },
            { ecJwk, "p-256 jwk" },
            { "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 me@host", "ssh-rsa" },
            { "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTY= me@host", "ecdsa ssh" },
            { "hello world, this is not a key", "garbage" },
            { "-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----", "broken pem" },
            { "{\"kty\":", "broken jwk" },
            { privateJwk, "jwk with private part" },
            { key.ExportSecret(), "a kpa_sk_ secret" },
            { "   ", "blank" },
        };
    }

    [Theory]
    [MemberData(nameof(ForeignKeys))]
    public async Task Register_KeyThatIsNotAnEd25519PublicKey_Returns400WithAClearMessage(string publicKey, string what)
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync();
        string alice = NewUser();

        Reply reply = await app.RegisterAsync(alice, JsonSerializer.Serialize(new { name = what, publicKey }));

        reply.AssertProblem(HttpStatusCode.BadRequest, KeyManagementErrorCodes.InvalidPublicKey);
        string detail = reply.Json.GetProperty("detail").GetString()!;
        Assert.True(detail.Length < 400, detail);
        Assert.DoesNotContain(SigningKey.SecretPrefix, detail, StringComparison.Ordinal);
        Assert.Empty((await app.ListAsync(alice)).Json.GetProperty("keys").EnumerateArray());
    }

    [Fact]
    public async Task Register_ForeignAlgorithms_SayWhatWasFoundAndWhatIsExpected()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync();
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Reply rsaReply = await app.RegisterAsync(NewUser(), JsonSerializer.Serialize(new { name = "rsa", publicKey = rsa.ExportSubjectPublicKeyInfoPem() }));
        Reply ecReply = await app.RegisterAsync(NewUser(), JsonSerializer.Serialize(new { name = "ec", publicKey = ec.ExportSubjectPublicKeyInfoPem() }));

        Assert.Contains("Ed25519", rsaReply.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("Ed25519", ecReply.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_MissingPublicKey_Returns400()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync();

        (await app.RegisterAsync(NewUser(), """{"name":"k"}""")).AssertProblem(HttpStatusCode.BadRequest, KeyManagementErrorCodes.InvalidPublicKey);
        (await app.RegisterAsync(NewUser(), """{"name":"k","publicKey":null}""")).AssertProblem(HttpStatusCode.BadRequest, KeyManagementErrorCodes.InvalidPublicKey);
    }

    [Fact]
    public async Task Register_SamePublicKeyTwice_Returns409Duplicate_EvenAfterRevocation()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync();
        string alice = NewUser();
        string publicKey = NewPublicKey().ExportSpkiPem();
        string body = JsonSerializer.Serialize(new { name = "own", publicKey });
        Reply first = await app.RegisterAsync(alice, body);
        first.AssertStatus(HttpStatusCode.Created);

        (await app.RegisterAsync(alice, body)).AssertProblem(HttpStatusCode.Conflict, KeyManagementErrorCodes.DuplicatePublicKey);
        (await app.RevokeAsync(alice, first.Json.GetProperty("keyId").GetString()!)).AssertStatus(HttpStatusCode.OK);
        (await app.RegisterAsync(alice, body)).AssertProblem(HttpStatusCode.Conflict, KeyManagementErrorCodes.DuplicatePublicKey);
        Assert.Single((await app.ListAsync(alice)).Json.GetProperty("keys").EnumerateArray());
    }

    [Fact]
    public async Task Register_AnotherUsersPublicKey_Returns409_WithoutTellingWhoseItIs_AndTheirKeyIsUntouched()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync();
        string alice = NewUser();
        string mallory = NewUser();
        using SigningKey local = SigningKey.Generate();
        string body = JsonSerializer.Serialize(new { name = "own", publicKey = local.PublicKey.ExportSpkiPem() });
        Reply original = await app.RegisterAsync(alice, body);
        original.AssertStatus(HttpStatusCode.Created);
        string keyId = original.Json.GetProperty("keyId").GetString()!;

        Reply copy = await app.RegisterAsync(mallory, JsonSerializer.Serialize(new { name = "copied", publicKey = local.PublicKey.ExportJwk() }));

        copy.AssertProblem(HttpStatusCode.Conflict, KeyManagementErrorCodes.DuplicatePublicKey);
        Assert.DoesNotContain(alice, copy.Body, StringComparison.Ordinal);
        Assert.Empty((await app.ListAsync(mallory)).Json.GetProperty("keys").EnumerateArray());
        (await app.GetAsync(mallory, keyId)).AssertProblem(HttpStatusCode.NotFound, KeyManagementErrorCodes.KeyNotFound);
        Reply mine = await app.GetAsync(alice, keyId);
        Assert.Equal("own", mine.Json.GetProperty("name").GetString());
        Assert.Equal("active", mine.Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task EveryEndpoint_WithoutASignedInUser_Returns401_AndDoesNothing()
    {
        // "/open/keys" was mapped without RequireAuthorization: the endpoints refuse anonymous callers themselves.
        await using KeyManagementApp app = await KeyManagementApp.StartAsync();
        string keyId = KeyIdOf(await app.CreateAsync("alice", """{"name":"k"}"""));

        Reply[] replies =
        [
            await app.ListAsync(null, "/open/keys"),
            await app.GetAsync(null, keyId, "/open/keys"),
            await app.RevokeAsync(null, keyId, "/open/keys"),
            await app.CreateAsync(null, """{"name":"k"}""", "/open/keys"),
            await app.RegisterAsync(null, JsonSerializer.Serialize(new { name = "k", publicKey = NewPublicKey().ExportBase64Url() }), "/open/keys"),
        ];

        Assert.All(replies, r => r.AssertProblem(HttpStatusCode.Unauthorized, KeyManagementErrorCodes.AuthenticationRequired));
        Assert.Equal("active", (await app.GetAsync("alice", keyId)).Json.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.ListAsync(null)).Status);
    }

    [Fact]
    public async Task EveryEndpoint_CalledWithAnApiKey_Returns403_SoALeakedKeyCannotMintAnother()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync();
        Reply created = await app.CreateAsync("alice", """{"name":"k"}""");
        string secret = created.Json.GetProperty("secret").GetString()!;
        Secrets.Register(secret);

        Reply list = await app.CallSignedAsync(secret, "/any/keys");
        Reply revoke = await app.CallSignedAsync(secret, $"/any/keys/{KeyIdOf(created)}", "DELETE");

        list.AssertProblem(HttpStatusCode.Forbidden, KeyManagementErrorCodes.ApiKeyCallerRefused);
        revoke.AssertProblem(HttpStatusCode.Forbidden, KeyManagementErrorCodes.ApiKeyCallerRefused);
        Assert.Equal("active", (await app.GetAsync("alice", KeyIdOf(created))).Json.GetProperty("status").GetString());
        (await app.ListAsync("alice", "/any/keys")).AssertStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AllowApiKeyCallers_LetsAKeyListItsOwnersKeys()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync(o => o.AllowApiKeyCallers = true);
        Reply created = await app.CreateAsync("alice", """{"name":"k"}""");
        string secret = created.Json.GetProperty("secret").GetString()!;
        Secrets.Register(secret);

        Reply list = await app.CallSignedAsync(secret, "/any/keys");

        list.AssertStatus(HttpStatusCode.OK);
        Assert.Contains(KeyIdOf(created), list.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OwnerClaimType_TakesTheOwnerFromThatClaim_AndRefusesUsersWithoutIt()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync(o => o.OwnerClaimType = "sub");
        string subject = NewUser();

        Reply created = await app.SendAsync(HttpMethod.Post, KeyManagementApp.Prefix, subject, """{"name":"k"}""",
            customize: r => r.Headers.Add("X-User-Claim", "sub"));
        Reply withoutClaim = await app.CreateAsync(NewUser(), """{"name":"k"}""");

        created.AssertStatus(HttpStatusCode.Created);
        Secrets.Register(created.Json.GetProperty("secret").GetString()!);
        Assert.StartsWith(subject + "|", (await app.CallSignedAsync(created.Json.GetProperty("secret").GetString()!)).Body, StringComparison.Ordinal);
        withoutClaim.AssertProblem(HttpStatusCode.Forbidden, KeyManagementErrorCodes.OwnerClaimMissing);
        Assert.Contains("'sub'", withoutClaim.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MaxKeyLifetime_RequiresAnExpiryWithinTheLimit()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync(o => o.MaxKeyLifetime = TimeSpan.FromDays(90));
        string within = TimeProvider.System.GetUtcNow().AddDays(30).ToString("O");
        string beyond = TimeProvider.System.GetUtcNow().AddDays(91).ToString("O");

        (await app.CreateAsync(NewUser(), """{"name":"k"}""")).AssertProblem(HttpStatusCode.BadRequest, "invalid_expiry");
        (await app.CreateAsync(NewUser(), $$"""{"name":"k","expiresAt":"{{beyond}}"}""")).AssertProblem(HttpStatusCode.BadRequest, "invalid_expiry");
        (await app.CreateAsync(NewUser(), $$"""{"name":"k","expiresAt":"{{within}}"}""")).AssertStatus(HttpStatusCode.Created);
    }

    [Fact]
    public async Task MaxKeyLifetime_MaxValue_MeansNoLimit_NeverA500()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync(o => o.MaxKeyLifetime = TimeSpan.MaxValue);
        string farAway = TimeProvider.System.GetUtcNow().AddYears(500).ToString("O");

        (await app.CreateAsync(NewUser(), """{"name":"k"}""")).AssertProblem(HttpStatusCode.BadRequest, "invalid_expiry");
        (await app.CreateAsync(NewUser(), $$"""{"name":"k","expiresAt":"{{farAway}}"}""")).AssertStatus(HttpStatusCode.Created);
    }

    [Fact]
    public async Task RequireAntiforgeryToken_RefusesUnsafeRequestsWithoutAValidToken()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync(antiforgery: true);
        string alice = NewUser();

        // The browser's view: GET the page (token + cookie), then send the token in the header with the cookie.
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, "/antiforgery");
        tokenRequest.Headers.Add("X-User", alice);
        using HttpResponseMessage tokenResponse = await app.Client.SendAsync(tokenRequest);
        string token = await tokenResponse.Content.ReadAsStringAsync();
        string cookie = tokenResponse.Headers.GetValues("Set-Cookie").Single().Split(';')[0];

        Reply noToken = await app.CreateAsync(alice, """{"name":"k"}""");
        Reply wrongToken = await app.SendAsync(HttpMethod.Post, KeyManagementApp.Prefix, alice, """{"name":"k"}""",
            customize: r => { r.Headers.Add("Cookie", cookie); r.Headers.Add("RequestVerificationToken", "forged"); });
        Reply withToken = await app.SendAsync(HttpMethod.Post, KeyManagementApp.Prefix, alice, """{"name":"k"}""",
            customize: r => { r.Headers.Add("Cookie", cookie); r.Headers.Add("RequestVerificationToken", token); });
        Reply revokeNoToken = await app.RevokeAsync(alice, KeyIdOf(withToken));
        Reply listNoToken = await app.ListAsync(alice);

        noToken.AssertProblem(HttpStatusCode.BadRequest, KeyManagementErrorCodes.AntiforgeryTokenInvalid);
        wrongToken.AssertProblem(HttpStatusCode.BadRequest, KeyManagementErrorCodes.AntiforgeryTokenInvalid);
        withToken.AssertStatus(HttpStatusCode.Created);
        Secrets.Register(withToken.Json.GetProperty("secret").GetString()!);
        revokeNoToken.AssertProblem(HttpStatusCode.BadRequest, KeyManagementErrorCodes.AntiforgeryTokenInvalid);
        listNoToken.AssertStatus(HttpStatusCode.OK);
        Assert.Equal("active", listNoToken.Json.GetProperty("keys")[0].GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("POST", "")]
    [InlineData("POST", "/register")]
    [InlineData("DELETE", "/kpa_AAAAAAAAAAAAAAAA")]
    public async Task RequireAntiforgeryToken_LargeFormBody_Returns415_BeforeAntiforgeryReadsTheForm(string method, string suffix)
    {
        // Antiforgery looks for a form-field token in a form body, reading the whole form (far past the 16 KiB a key
        // request may take). The body's type is refused first, so no form is read at all.
        await using KeyManagementApp app = await KeyManagementApp.StartAsync(antiforgery: true);
        string alice = NewUser();
        string form = "padding=" + new string('x', 1024 * 1024);

        Reply reply = await app.SendAsync(new HttpMethod(method), KeyManagementApp.Prefix + suffix, alice, form, "application/x-www-form-urlencoded");

        reply.AssertProblem(HttpStatusCode.UnsupportedMediaType, KeyManagementErrorCodes.UnsupportedMediaType);
    }

    [Fact]
    public async Task Revoke_FormPostTurnedIntoDeleteByMethodOverride_Returns415_AndTheKeyStaysActive()
    {
        // A cross-site HTML form can POST application/x-www-form-urlencoded without a CORS preflight. With a form-field
        // method override (_method=DELETE) in front of routing, that POST reaches the revoke endpoint as a DELETE.
        await using KeyManagementApp app = await KeyManagementApp.StartAsync(
            beforeAuthentication: a =>
            {
                a.UseHttpMethodOverride(new HttpMethodOverrideOptions { FormFieldName = "_method" });
                a.UseRouting();
            });
        string alice = NewUser();
        Reply created = await app.CreateAsync(alice, """{"name":"k"}""");
        Secrets.Register(created.Json.GetProperty("secret").GetString()!);
        string keyId = KeyIdOf(created);

        Reply forged = await app.SendAsync(HttpMethod.Post, $"{KeyManagementApp.Prefix}/{keyId}", alice, "_method=DELETE", "application/x-www-form-urlencoded");

        forged.AssertProblem(HttpStatusCode.UnsupportedMediaType, KeyManagementErrorCodes.UnsupportedMediaType);
        Assert.Equal("active", (await app.GetAsync(alice, keyId)).Json.GetProperty("status").GetString());
        (await app.RevokeAsync(alice, keyId)).AssertStatus(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("POST", "application/x-www-form-urlencoded")]
    [InlineData("DELETE", "application/x-www-form-urlencoded")]
    [InlineData("POST", "multipart/form-data; boundary=x")]
    [InlineData("DELETE", "multipart/form-data; boundary=x")]
    public async Task RequireAntiforgeryToken_FormBodyThatCannotBeRead_Returns415_NotA500(string method, string contentType)
    {
        // Without the header token, antiforgery looks for the token in a form body, and a form it cannot read (more
        // fields than FormOptions allows, a broken multipart body) makes it throw. The endpoints refuse a form body
        // before antiforgery reads it; either way the answer is a refusal, never a server error.
        await using KeyManagementApp app = await KeyManagementApp.StartAsync(antiforgery: true);
        string alice = NewUser();
        string body = contentType.StartsWith("multipart", StringComparison.Ordinal)
            ? "--x\r\nno headers, no end"
            : string.Join('&', Enumerable.Range(0, 1100).Select(i => $"f{i}=x"));
        string path = method == "POST" ? KeyManagementApp.Prefix : $"{KeyManagementApp.Prefix}/kpa_AAAAAAAAAAAAAAAA";

        Reply reply = await app.SendAsync(new HttpMethod(method), path, alice, body, contentType);

        reply.AssertProblem(HttpStatusCode.UnsupportedMediaType, KeyManagementErrorCodes.UnsupportedMediaType);
        Assert.Empty((await app.ListAsync(alice)).Json.GetProperty("keys").EnumerateArray());
    }

    [Fact]
    public async Task MapKeyPairKeyManagement_WithoutKeyPairAuthServices_ThrowsNamingTheFix()
    {
        WebApplication app = WebApplication.CreateSlimBuilder().Build();
        await using (app)
        {
            var error = Assert.Throws<InvalidOperationException>(() => app.MapKeyPairKeyManagement("/keys"));
            Assert.Contains("AddKeyPairAuth", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task MapKeyPairKeyManagement_InvalidOptions_ThrowAtStartUp()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddKeyPairAuth();
        WebApplication app = builder.Build();
        await using (app)
        {
            Assert.Contains("AllowedScopes", Assert.Throws<InvalidOperationException>(() => app.MapKeyPairKeyManagement("/a", o => o.AllowedScopes.Add("Not A Scope"))).Message, StringComparison.Ordinal);
            Assert.Contains("OwnerClaimType", Assert.Throws<InvalidOperationException>(() => app.MapKeyPairKeyManagement("/b", o => o.OwnerClaimType = "")).Message, StringComparison.Ordinal);
            Assert.Contains("AddAntiforgery", Assert.Throws<InvalidOperationException>(() => app.MapKeyPairKeyManagement("/c", o => o.RequireAntiforgeryToken = true)).Message, StringComparison.Ordinal);
            Assert.Contains("MaxKeyLifetime", Assert.Throws<InvalidOperationException>(() => app.MapKeyPairKeyManagement("/d", o => o.MaxKeyLifetime = TimeSpan.Zero)).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task KeyManagement_NeverLogsTheSecretItReturned()
    {
        await using KeyManagementApp app = await KeyManagementApp.StartAsync();
        Reply created = await app.CreateAsync(NewUser(), """{"name":"k"}""");
        string secret = created.Json.GetProperty("secret").GetString()!;
        string pemBody = created.Json.GetProperty("privateKeyPem").GetString()!.Split('\n')[1];

        Assert.DoesNotContain(CapturingLoggerProvider.Messages, m => m.Contains(secret, StringComparison.Ordinal) || m.Contains(pemBody, StringComparison.Ordinal));
        Assert.Contains(CapturingLoggerProvider.Messages, m => m.Contains(KeyIdOf(created), StringComparison.Ordinal));
    }

    /// <summary>The raw body followed by every JSON string value in it, unescaped.</summary>
    private static string Decoded(string body)
    {
        var text = new System.Text.StringBuilder(body);
        try
        {
            using JsonDocument json = JsonDocument.Parse(body);
            Collect(json.RootElement);
        }
        catch (JsonException)
        {
        }

        return text.ToString();

        void Collect(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    text.Append('\n').Append(element.GetString());
                    break;
                case JsonValueKind.Object:
                    foreach (JsonProperty p in element.EnumerateObject())
                    {
                        Collect(p.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (JsonElement e in element.EnumerateArray())
                    {
                        Collect(e);
                    }

                    break;
            }
        }
    }

    private static string KeyIdOf(Reply created) =>
        created.Json.TryGetProperty("key", out JsonElement key) ? key.GetProperty("keyId").GetString()! : created.Json.GetProperty("keyId").GetString()!;

    private static Ed25519PublicKey NewPublicKey()
    {
        using SigningKey key = SigningKey.Generate();
        return key.PublicKey;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed class NonSeekable(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
