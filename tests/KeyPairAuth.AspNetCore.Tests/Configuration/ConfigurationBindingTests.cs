using System.Net;
using System.Reflection;
using System.Text.Json;
using KeyPairAuth.AspNetCore.Tests.Infrastructure;
using KeyPairAuth.Issuance;
using KeyPairAuth.Replay;
using KeyPairAuth.Signatures;
using KeyPairAuth.Stores;
using KeyPairAuth.StructuredFields;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KeyPairAuth.AspNetCore.Tests.Configuration;

/// <summary>
/// Options bind from a real <c>appsettings.json</c> read by a real host: the scheme from
/// <c>Authentication:Schemes:&lt;scheme&gt;</c> (as JwtBearer's do), the caches and the issuer from <c>KeyPairAuth:…</c>.
/// </summary>
public sealed class ConfigurationBindingTests : IDisposable
{
    // Every bindable setting, each with a non-default value.
    private const string FullSettings = """
        {
          "Authentication": {
            "Schemes": {
              "KeyPair": {
                "ClaimsIssuer": "keys.example",
                "ForwardDefault": "fwd-default",
                "ForwardAuthenticate": "fwd-authenticate",
                "ForwardChallenge": "fwd-challenge",
                "ForwardForbid": "fwd-forbid",
                "ForwardSignIn": "fwd-signin",
                "ForwardSignOut": "fwd-signout",
                "MaxBodySize": 2048,
                "BodyBufferThreshold": 1024,
                "IncludeErrorDetails": true,
                "RecordLastUsed": false,
                "LastUsedInterval": "00:05:00",
                "AuthenticateAllowAnonymousEndpoints": true,
                "ReplayCacheFullRetryAfter": "00:00:07",
                "Verification": {
                  "MaxSignatureAge": "00:01:30",
                  "MaxFutureSkew": "00:00:10",
                  "RequireNonce": false,
                  "MaxNonceLength": 64,
                  "RequireContentDigestForContent": false,
                  "AdditionalRequiredComponents": [ "content-type", "x-request-id" ],
                  "MaxSignatures": 2,
                  "RequiredLabel": "partner",
                  "RequiredTag": "app",
                  "AllowTargetUri": false,
                  "RequireAlgorithmParameter": true,
                  "RequireScheme": true,
                  "FieldLimits": { "MaxFieldLength": 4096, "MaxMembers": 8, "MaxInnerListItems": 16, "MaxParameters": 12 }
                }
              }
            }
          },
          "KeyPairAuth": {
            "KeyCache": { "Duration": "00:00:10", "MaxEntries": 500, "MaxUnknownEntries": 60, "MaxUnknownLookupsPerSecond": 3 },
            "ReplayCache": { "MaxEntries": 4242, "MaxEntriesPerKey": 2121 },
            "Issuance": { "MaxActiveKeysPerOwner": 3 }
          }
        }
        """;

    private readonly string _contentRoot = Directory.CreateTempSubdirectory("kpa-config-").FullName;

    public void Dispose() => Directory.Delete(_contentRoot, recursive: true);

    private WebApplicationBuilder CreateBuilder(string appsettings)
    {
        File.WriteAllText(Path.Combine(_contentRoot, "appsettings.json"), appsettings);
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = _contentRoot,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        return builder;
    }

    [Fact]
    public async Task AppSettings_EverySchemeSetting_BindsIntoTheSchemeOptions()
    {
        WebApplicationBuilder builder = CreateBuilder(FullSettings);
        builder.Services.AddAuthentication().AddKeyPair();
        await using WebApplication app = builder.Build();

        KeyPairAuthenticationOptions o = app.Services.GetRequiredService<IOptionsMonitor<KeyPairAuthenticationOptions>>().Get(KeyPairAuthenticationDefaults.AuthenticationScheme);

        Assert.Equal("keys.example", o.ClaimsIssuer);
        Assert.Equal(("fwd-default", "fwd-authenticate", "fwd-challenge", "fwd-forbid", "fwd-signin", "fwd-signout"),
            (o.ForwardDefault, o.ForwardAuthenticate, o.ForwardChallenge, o.ForwardForbid, o.ForwardSignIn, o.ForwardSignOut));
        Assert.Equal(2048, o.MaxBodySize);
        Assert.Equal(1024, o.BodyBufferThreshold);
        Assert.True(o.IncludeErrorDetails);
        Assert.False(o.RecordLastUsed);
        Assert.Equal(TimeSpan.FromMinutes(5), o.LastUsedInterval);
        Assert.True(o.AuthenticateAllowAnonymousEndpoints);
        Assert.Equal(TimeSpan.FromSeconds(7), o.ReplayCacheFullRetryAfter);

        SignatureVerificationOptions v = o.Verification;
        Assert.Equal(TimeSpan.FromSeconds(90), v.MaxSignatureAge);
        Assert.Equal(TimeSpan.FromSeconds(10), v.MaxFutureSkew);
        Assert.False(v.RequireNonce);
        Assert.Equal(64, v.MaxNonceLength);
        Assert.False(v.RequireContentDigestForContent);
        Assert.Equal(["content-type", "x-request-id"], v.AdditionalRequiredComponents);
        Assert.Equal(2, v.MaxSignatures);
        Assert.Equal("partner", v.RequiredLabel);
        Assert.Equal("app", v.RequiredTag);
        Assert.False(v.AllowTargetUri);
        Assert.True(v.RequireAlgorithmParameter);
        Assert.Equal((4096, 8, 16, 12), (v.FieldLimits.MaxFieldLength, v.FieldLimits.MaxMembers, v.FieldLimits.MaxInnerListItems, v.FieldLimits.MaxParameters));
    }

    [Fact]
    public async Task AppSettings_KeyPairAuthSection_BindsTheCacheAndIssuerOptions()
    {
        WebApplicationBuilder builder = CreateBuilder(FullSettings);
        builder.Services.AddKeyPairAuth();
        builder.Services.AddAuthentication().AddKeyPair();
        await using WebApplication app = builder.Build();

        PublicKeyCacheOptions keyCache = app.Services.GetRequiredService<IOptions<PublicKeyCacheOptions>>().Value;
        Assert.Equal((TimeSpan.FromSeconds(10), 500, 60, 3), (keyCache.Duration, keyCache.MaxEntries, keyCache.MaxUnknownEntries, keyCache.MaxUnknownLookupsPerSecond));
        InMemoryReplayCacheOptions replay = app.Services.GetRequiredService<IOptions<InMemoryReplayCacheOptions>>().Value;
        Assert.Equal((4242, (int?)2121), (replay.MaxEntries, replay.MaxEntriesPerKey));
        Assert.Equal(3, app.Services.GetRequiredService<IOptions<KeyPairIssuerOptions>>().Value.MaxActiveKeysPerOwner);
    }

    /// <summary>
    /// Guards completeness: a setting added to one of the options classes must be bound too (and added to
    /// <see cref="FullSettings"/> with a non-default value). Delegates, types and the event object are not configuration.
    /// </summary>
    [Fact]
    public void AppSettings_FullSettingsNameEverySettableOption()
    {
        using JsonDocument json = JsonDocument.Parse(FullSettings);
        JsonElement scheme = json.RootElement.GetProperty("Authentication").GetProperty("Schemes").GetProperty("KeyPair");
        JsonElement core = json.RootElement.GetProperty("KeyPairAuth");
        string[] notConfiguration = [nameof(KeyPairAuthenticationOptions.Events), nameof(KeyPairAuthenticationOptions.EventsType),
            nameof(KeyPairAuthenticationOptions.ForwardDefaultSelector), nameof(KeyPairAuthenticationOptions.TimeProvider)];

        AssertNamesEverySetting(typeof(KeyPairAuthenticationOptions), scheme, notConfiguration);
        AssertNamesEverySetting(typeof(SignatureVerificationOptions), scheme.GetProperty("Verification"), []);
        AssertNamesEverySetting(typeof(StructuredFieldLimits), scheme.GetProperty("Verification").GetProperty("FieldLimits"), []);
        AssertNamesEverySetting(typeof(PublicKeyCacheOptions), core.GetProperty("KeyCache"), []);
        AssertNamesEverySetting(typeof(InMemoryReplayCacheOptions), core.GetProperty("ReplayCache"), []);
        AssertNamesEverySetting(typeof(KeyPairIssuerOptions), core.GetProperty("Issuance"), []);
    }

    [Fact]
    public async Task AppSettings_NamedScheme_BindsFromItsOwnSection()
    {
        WebApplicationBuilder builder = CreateBuilder("""
            { "Authentication": { "Schemes": { "Partners": { "MaxBodySize": 4096 }, "KeyPair": { "MaxBodySize": 8192 } } } }
            """);
        builder.Services.AddAuthentication().AddKeyPair().AddKeyPair("Partners", _ => { });
        await using WebApplication app = builder.Build();
        IOptionsMonitor<KeyPairAuthenticationOptions> options = app.Services.GetRequiredService<IOptionsMonitor<KeyPairAuthenticationOptions>>();

        Assert.Equal(8192, options.Get(KeyPairAuthenticationDefaults.AuthenticationScheme).MaxBodySize);
        Assert.Equal(4096, options.Get("Partners").MaxBodySize);
    }

    [Fact]
    public async Task AppSettings_CodeWinsOverConfiguration_WhicheverIsRegisteredFirst()
    {
        WebApplicationBuilder builder = CreateBuilder(FullSettings);
        builder.Services.Configure<PublicKeyCacheOptions>(o => o.MaxEntries = 7);          // before AddKeyPair
        builder.Services.Configure<KeyPairAuthenticationOptions>(KeyPairAuthenticationDefaults.AuthenticationScheme, o => o.BodyBufferThreshold = 99);
        builder.Services.AddAuthentication().AddKeyPair(o => o.MaxBodySize = 77);
        builder.Services.Configure<InMemoryReplayCacheOptions>(o => o.MaxEntries = 11);    // after AddKeyPair
        await using WebApplication app = builder.Build();

        KeyPairAuthenticationOptions scheme = app.Services.GetRequiredService<IOptionsMonitor<KeyPairAuthenticationOptions>>().Get(KeyPairAuthenticationDefaults.AuthenticationScheme);
        Assert.Equal(77, scheme.MaxBodySize);
        Assert.Equal(99, scheme.BodyBufferThreshold);
        Assert.True(scheme.IncludeErrorDetails); // configuration still fills what code left alone
        Assert.Equal(7, app.Services.GetRequiredService<IOptions<PublicKeyCacheOptions>>().Value.MaxEntries);
        Assert.Equal(11, app.Services.GetRequiredService<IOptions<InMemoryReplayCacheOptions>>().Value.MaxEntries);
    }

    [Theory]
    [InlineData("""{ "Authentication": { "Schemes": { "KeyPair": { "MaxBodySize": "lots" } } } }""", "Authentication:Schemes:KeyPair:MaxBodySize")]
    [InlineData("""{ "Authentication": { "Schemes": { "KeyPair": { "Verification": { "MaxSignatureAge": "five minutes" } } } } }""", "Authentication:Schemes:KeyPair:Verification:MaxSignatureAge")]
    [InlineData("""{ "Authentication": { "Schemes": { "KeyPair": { "IncludeErrorDetails": "yes" } } } }""", "Authentication:Schemes:KeyPair:IncludeErrorDetails")]
    [InlineData("""{ "KeyPairAuth": { "ReplayCache": { "MaxEntries": "1e6" } } }""", "KeyPairAuth:ReplayCache:MaxEntries")]
    public async Task AppSettings_UnparsableValue_StopsTheHostNamingTheSetting(string appsettings, string path)
    {
        WebApplicationBuilder builder = CreateBuilder(appsettings);
        builder.Services.AddKeyPairAuth();
        builder.Services.AddAuthentication(KeyPairAuthenticationDefaults.AuthenticationScheme).AddKeyPair();
        await using WebApplication app = builder.Build();

        Exception ex = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await app.StartAsync();
            _ = app.Services.GetRequiredService<IOptions<InMemoryReplayCacheOptions>>().Value;
        });

        Assert.Contains(path, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppSettings_BoundSettingsGovernRealRequests()
    {
        WebApplicationBuilder builder = CreateBuilder("""
            {
              "Authentication": { "Schemes": { "KeyPair": { "IncludeErrorDetails": true, "Verification": { "MaxSignatureAge": "00:01:00" } } } },
              "KeyPairAuth": { "ReplayCache": { "MaxEntries": 2 } }
            }
            """);
        builder.Services.AddKeyPairAuth();
        builder.Services.AddAuthentication(KeyPairAuthenticationDefaults.AuthenticationScheme).AddKeyPair();
        builder.Services.AddAuthorization();
        await using WebApplication app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/orders", () => "ok").RequireAuthorization();
        await app.StartAsync();
        var baseAddress = new Uri(app.Urls.First());
        using var client = new HttpClient { BaseAddress = baseAddress };
        var key = TestKey.Create();
        await app.Services.GetRequiredService<IPublicKeyStore>().AddAsync(key.Record(), 10);

        async Task<HttpResponseMessage> SendAsync(DateTimeOffset? signedAt = null)
        {
            OutgoingRequest request = TestApp.Sign(new OutgoingRequest("GET", baseAddress.Authority, "/orders"), key, signedAt: signedAt);
            using HttpRequestMessage message = request.ToHttpRequestMessage(baseAddress);
            return await client.SendAsync(message);
        }

        // Two minutes old: fine by the 5-minute default, stale by the configured minute; details were switched on.
        using HttpResponseMessage stale = await SendAsync(TimeProvider.System.GetUtcNow().AddMinutes(-2));
        await Problem.AssertAsync(stale, HttpStatusCode.Unauthorized, "stale_timestamp");
        Assert.Contains("\"detail\"", await stale.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The replay cache holds two nonces, as configured; the third fresh request is refused (fail closed).
        using HttpResponseMessage first = await SendAsync();
        using HttpResponseMessage second = await SendAsync();
        using HttpResponseMessage third = await SendAsync();
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
        await app.StopAsync();
    }

    private static void AssertNamesEverySetting(Type type, JsonElement section, string[] excluded)
    {
        IEnumerable<PropertyInfo> settings = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => (p.CanWrite && p.SetMethod!.IsPublic) || typeof(System.Collections.IEnumerable).IsAssignableFrom(p.PropertyType) && p.PropertyType != typeof(string)
                || p.PropertyType.IsClass && p.PropertyType.Namespace!.StartsWith("KeyPairAuth", StringComparison.Ordinal))
            .Where(p => !excluded.Contains(p.Name));
        foreach (PropertyInfo setting in settings)
        {
            Assert.True(section.TryGetProperty(setting.Name, out _),
                $"{type.Name}.{setting.Name} is not in the test's appsettings: bind it in KeyPairAuthenticationConfigureOptions / KeyPairAuthConfiguration and add it here with a non-default value.");
        }
    }
}
