using System.Net;
using KeyPairAuth.Client.Internal;
using KeyPairAuth.Keys;
using KeyPairAuth.Signatures;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Polly;

namespace KeyPairAuth.Client.Tests;

public sealed class KeyPairHttpClientBuilderExtensionsTests
{
    private readonly RecordingHandler _transport = new();

    private static string NewSecret(out string keyId)
    {
        using SigningKey key = SigningKey.Generate();
        keyId = key.KeyId;
        return key.ExportSecret();
    }

    private ServiceProvider Build(Action<IHttpClientBuilder> configure, string name = "api")
    {
        var services = new ServiceCollection();
        IHttpClientBuilder builder = services.AddHttpClient(name);
        configure(builder);
        builder.ConfigurePrimaryHttpMessageHandler(() => _transport);
        return services.BuildServiceProvider();
    }

    private static OptionsValidationException StartUpFailure(ServiceProvider provider) =>
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

    [Fact]
    public async Task AddKeyPairSigning_Secret_SignsWithTheSecretsKeyId()
    {
        string secret = NewSecret(out string keyId);
        using ServiceProvider provider = Build(b => b.AddKeyPairSigning(secret));
        provider.GetRequiredService<IStartupValidator>().Validate();

        await provider.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri("https://api.example.com/x"));

        Assert.Contains($"keyid=\"{keyId}\"", Assert.Single(_transport.Requests).Header("Signature-Input"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddKeyPairSigning_KeyIdAndPem_SignaturesVerifyWithThePemsPublicKey()
    {
        (string pem, byte[] publicKey) = TestKeys.NewPkcs8Pem();
        using ServiceProvider provider = Build(b => b.AddKeyPairSigning("partner-key-7", pem));
        provider.GetRequiredService<IStartupValidator>().Validate();

        await provider.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri("https://api.example.com/x"));

        RecordedRequest sent = Assert.Single(_transport.Requests);
        Assert.Contains("keyid=\"partner-key-7\"", sent.Header("Signature-Input"), StringComparison.Ordinal);
        using SigningKey sameKey = SigningKey.FromPkcs8Pem("partner-key-7", pem);
        Assert.Equal(publicKey, sameKey.PublicKey.RawBytes.ToArray());

        // A foreign key id is for another server; a KeyPairAuth server only looks up its own key-id format, so the
        // signature is checked directly against the PEM's public key over the RFC 9421 signature base.
        Assert.True(SignatureInput.TryParse(sent.Header("Signature-Input"), out IReadOnlyList<SignatureInput>? input));
        string signatureBase = SignatureBase.Build(new RecordedRequestView(sent), input[0]);
        // One member, sig1=:base64:; the value between the colons is the signature.
        byte[] signature = Convert.FromBase64String(sent.Header("Signature")!.Split(':')[1]);
        NSec.Cryptography.PublicKey nsecKey = NSec.Cryptography.PublicKey.Import(NSec.Cryptography.SignatureAlgorithm.Ed25519, publicKey, NSec.Cryptography.KeyBlobFormat.RawPublicKey);
        Assert.True(NSec.Cryptography.SignatureAlgorithm.Ed25519.Verify(nsecKey, System.Text.Encoding.ASCII.GetBytes(signatureBase), signature));
    }

    [Fact]
    public async Task AddKeyPairSigning_ConfigurationSection_BindsSecretAndSigningKnobs()
    {
        string secret = NewSecret(out string keyId);
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Api:Signing:Secret"] = secret,
            ["Api:Signing:Signature:Tag"] = "orders-app",
            ["Api:Signing:Signature:ExpiresAfter"] = "00:01:00",
            ["Api:Signing:Signature:Label"] = "orders",
            ["Api:Signing:Signature:Components:0"] = "@method",
            ["Api:Signing:Signature:Components:1"] = "@target-uri",
            ["Api:Signing:Signature:Components:2"] = "content-digest",
            ["Api:Signing:DigestAlgorithm"] = "Sha512",
        }).Build();
        using ServiceProvider provider = Build(b => b.AddKeyPairSigning(configuration.GetSection("Api:Signing")));
        provider.GetRequiredService<IStartupValidator>().Validate();

        await provider.GetRequiredService<IHttpClientFactory>().CreateClient("api").PostAsync(new Uri("https://api.example.com/x"), new StringContent("hi"));

        RecordedRequest sent = Assert.Single(_transport.Requests);
        string input = sent.Header("Signature-Input")!;
        Assert.StartsWith("orders=(\"@method\" \"@target-uri\" \"content-digest\");", input, StringComparison.Ordinal);
        Assert.Contains($"keyid=\"{keyId}\"", input, StringComparison.Ordinal);
        Assert.Contains("tag=\"orders-app\"", input, StringComparison.Ordinal);
        Assert.Contains(";expires=", input, StringComparison.Ordinal);
        Assert.StartsWith("sha-512=:", sent.Header("Content-Digest"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddKeyPairSigning_ConfigurationWithKeyIdAndPem_Signs()
    {
        (string pem, _) = TestKeys.NewPkcs8Pem();
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["KeyId"] = "kid-from-config",
            ["PrivateKeyPem"] = pem,
        }).Build();
        using ServiceProvider provider = Build(b => b.AddKeyPairSigning(configuration));
        provider.GetRequiredService<IStartupValidator>().Validate();

        await provider.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri("https://api.example.com/x"));

        Assert.Contains("keyid=\"kid-from-config\"", _transport.Requests[0].Header("Signature-Input"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddKeyPairSigning_ConfigurationReloaded_SignsWithTheRotatedKey()
    {
        string first = NewSecret(out string firstKeyId);
        string second = NewSecret(out string secondKeyId);
        IConfigurationRoot configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Secret"] = first }).Build();
        using ServiceProvider provider = Build(b => b.AddKeyPairSigning(configuration));
        var factory = provider.GetRequiredService<IHttpClientFactory>();
        await factory.CreateClient("api").GetAsync(new Uri("https://api.example.com/x"));

        configuration.Providers.Single().Set("Secret", second);
        configuration.Reload();
        await factory.CreateClient("api").GetAsync(new Uri("https://api.example.com/x"));

        Assert.Contains($"keyid=\"{firstKeyId}\"", _transport.Requests[0].Header("Signature-Input"), StringComparison.Ordinal);
        Assert.Contains($"keyid=\"{secondKeyId}\"", _transport.Requests[1].Header("Signature-Input"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddKeyPairSigning_KeyFactory_CalledOnceAcrossClientsAndKeyNotDisposed()
    {
        int calls = 0;
        using SigningKey vaultKey = TestKeys.Create("vault-key");
        using (ServiceProvider provider = Build(b => b.AddKeyPairSigning(_ => { calls++; return vaultKey; })))
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            var factory = provider.GetRequiredService<IHttpClientFactory>();
            for (int i = 0; i < 3; i++)
            {
                await factory.CreateClient("api").GetAsync(new Uri("https://api.example.com/x"));
            }
        }

        Assert.Equal(1, calls);
        Assert.Equal(3, _transport.Requests.Count);
        Assert.All(_transport.Requests, r => Assert.Contains("keyid=\"vault-key\"", r.Header("Signature-Input"), StringComparison.Ordinal));

        // The application's key survives the container: KeyPairAuth did not dispose it.
        using var signer = new HttpClient(new KeyPairSigningHandler(() => new RequestSigner(vaultKey)) { InnerHandler = new RecordingHandler() });
        await signer.GetAsync(new Uri("https://api.example.com/x"));
    }

    [Fact]
    public async Task AddKeyPairSigning_CalledTwice_SignsOnceAndLastConfigurationWins()
    {
        string first = NewSecret(out _);
        string second = NewSecret(out string secondKeyId);
        using ServiceProvider provider = Build(b => b.AddKeyPairSigning(first).AddKeyPairSigning(o => o.Secret = second));

        await provider.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri("https://api.example.com/x"));

        RecordedRequest sent = Assert.Single(_transport.Requests);
        Assert.Equal(1, sent.Count("Signature-Input"));
        Assert.Contains($"keyid=\"{secondKeyId}\"", sent.Header("Signature-Input"), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NoKey_FailsNamingClientAndSettings()
    {
        using ServiceProvider provider = Build(b => b.AddKeyPairSigning(o => o.Signature.Tag = "x"), name: "orders");

        OptionsValidationException ex = StartUpFailure(provider);

        Assert.Contains("HttpClient 'orders'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("KeyPairSigningOptions.Secret", ex.Message, StringComparison.Ordinal);
        Assert.Contains("PrivateKeyPem", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Sig1")]
    [InlineData("sig 1")]
    [InlineData("1sig")]
    public void Validate_LabelOutsideTheGrammar_FailsAtStartUpNamingIt(string label)
    {
        using SigningKey key = SigningKey.Generate();
        using ServiceProvider provider = Build(b => b.AddKeyPairSigning(o =>
        {
            o.Secret = key.ExportSecret();
            o.Signature.Label = label;
        }));

        OptionsValidationException ex = StartUpFailure(provider);

        Assert.Contains("Signature.Label", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{label}\"", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kpa_sk_short")]
    [InlineData("sk_live_51Habc0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmn")]
    public void Validate_MalformedSecret_FailsAtStartUpWithThePreciseReasonAndNoSecret(string secret)
    {
        string reason = Assert.Throws<KeyFormatException>(() => SigningKey.Parse(secret)).Message;
        using ServiceProvider provider = Build(b => b.AddKeyPairSigning(secret));

        OptionsValidationException ex = StartUpFailure(provider);

        Assert.Contains("KeyPairSigningOptions.Secret for HttpClient 'api' is not a valid key", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MistypedSecret_ReportsChecksumMismatch()
    {
        string secret = NewSecret(out _);
        char[] chars = secret.ToCharArray();
        int i = chars.Length - 10;
        chars[i] = chars[i] == 'A' ? 'B' : 'A';
        string mistyped = new(chars);
        var expected = Assert.Throws<KeyFormatException>(() => SigningKey.Parse(mistyped));
        using ServiceProvider provider = Build(b => b.AddKeyPairSigning(mistyped));

        OptionsValidationException ex = StartUpFailure(provider);

        Assert.Equal(KeyFormatError.ChecksumMismatch, expected.Error);
        Assert.Contains(expected.Message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PemWithoutKeyId_FailsNamingKeyId()
    {
        (string pem, _) = TestKeys.NewPkcs8Pem();
        using ServiceProvider provider = Build(b => b.AddKeyPairSigning(o => o.PrivateKeyPem = pem));

        OptionsValidationException ex = StartUpFailure(provider);

        Assert.Contains("KeyPairSigningOptions.KeyId is required with PrivateKeyPem for HttpClient 'api'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MalformedPem_FailsNamingPrivateKeyPem()
    {
        using ServiceProvider provider = Build(b => b.AddKeyPairSigning("kid", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"));

        OptionsValidationException ex = StartUpFailure(provider);

        Assert.Contains("KeyPairSigningOptions.PrivateKeyPem for HttpClient 'api' is not a valid key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TwoKeySources_FailsAndReportsEveryError()
    {
        (string pem, _) = TestKeys.NewPkcs8Pem();
        using ServiceProvider provider = Build(b => b.AddKeyPairSigning(o =>
        {
            o.Secret = "kpa_sk_x";
            o.PrivateKeyPem = pem;
            o.KeyId = "kid";
            o.Signature.ExpiresAfter = TimeSpan.Zero;
        }));

        OptionsValidationException ex = StartUpFailure(provider);

        Assert.Contains("More than one signing key is configured for HttpClient 'api'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("KeyPairSigningOptions.Signature.ExpiresAfter must be positive", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_FixedNonceOrCreated_FailsNamingEachSetting()
    {
        string secret = NewSecret(out _);
        using ServiceProvider provider = Build(b => b.AddKeyPairSigning(o =>
        {
            o.Secret = secret;
            o.Signature.Nonce = "fixed";
            o.Signature.Created = DateTimeOffset.UnixEpoch;
        }));

        OptionsValidationException ex = StartUpFailure(provider);

        Assert.Contains("KeyPairSigningOptions.Signature.Nonce must be null for HttpClient 'api'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("KeyPairSigningOptions.Signature.Created must be null for HttpClient 'api'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NullSignature_FailsNamingSignature()
    {
        string secret = NewSecret(out _);
        using ServiceProvider provider = Build(b => b.AddKeyPairSigning(o =>
        {
            o.Secret = secret;
            o.Signature = null!;
        }));

        OptionsValidationException ex = StartUpFailure(provider);

        Assert.Contains("KeyPairSigningOptions.Signature must not be null for HttpClient 'api'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_KeyFactoryThrows_FailsNamingKeyFactory()
    {
        using ServiceProvider provider = Build(b => b.AddKeyPairSigning(_ => throw new InvalidDataException("vault sealed")));

        OptionsValidationException ex = StartUpFailure(provider);

        Assert.Contains("KeyPairSigningOptions.KeyFactory for HttpClient 'api' failed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("vault sealed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_OtherNamedOptions_AreNotValidated()
    {
        using ServiceProvider provider = Build(b => b.AddKeyPairSigning(NewSecret(out _)));

        KeyPairSigningOptions other = provider.GetRequiredService<IOptionsMonitor<KeyPairSigningOptions>>().Get("not-a-signed-client");

        Assert.Null(other.Secret);
    }

    [Fact]
    public async Task CreateClient_MalformedSecretWithoutStartUpValidation_ThrowsBeforeSending()
    {
        using ServiceProvider provider = Build(b => b.AddKeyPairSigning("kpa_sk_short"));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(
            () => provider.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri("https://api.example.com/x")));

        Assert.Contains("was not sent", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_transport.Requests);
    }

    /// <summary>The handler at the bottom of the client's pipeline, as the factory built it.</summary>
    private static HttpMessageHandler PrimaryHandlerOf(ServiceProvider provider, string name)
    {
        HttpMessageHandler handler = provider.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(name);
        while (handler is DelegatingHandler { InnerHandler: { } inner })
        {
            handler = inner;
        }

        return handler;
    }

    [Fact]
    public void AddKeyPairSigning_FactoryDefaultPrimaryHandler_AutomaticRedirectsSwitchedOff()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("api").AddKeyPairSigning(NewSecret(out _));
        services.AddHttpClient("unsigned");
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.False(AllowAutoRedirect(PrimaryHandlerOf(provider, "api")));
        Assert.True(AllowAutoRedirect(PrimaryHandlerOf(provider, "unsigned")), "a client without KeyPair signing keeps its handler as configured");
    }

    private static bool AllowAutoRedirect(HttpMessageHandler primary) => primary switch
    {
        HttpClientHandler h => h.AllowAutoRedirect,
        SocketsHttpHandler s => s.AllowAutoRedirect,
        _ => throw new InvalidOperationException(primary.GetType().Name),
    };

    [Fact]
    public void AddKeyPairSigning_PrimaryHandlerConfiguredAfterwardsOrWrapped_AutomaticRedirectsSwitchedOff()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("after").AddKeyPairSigning(NewSecret(out _))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = true });
        services.AddHttpClient("wrapped")
            .ConfigurePrimaryHttpMessageHandler(() => new PassThroughHandler { InnerHandler = new HttpClientHandler { AllowAutoRedirect = true } })
            .AddKeyPairSigning(NewSecret(out _));
        services.ConfigureHttpClientDefaults(d => d.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler()));
        services.AddHttpClient("defaults").AddKeyPairSigning(NewSecret(out _));
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.False(Assert.IsType<SocketsHttpHandler>(PrimaryHandlerOf(provider, "after")).AllowAutoRedirect);
        Assert.False(Assert.IsType<HttpClientHandler>(PrimaryHandlerOf(provider, "wrapped")).AllowAutoRedirect);
        Assert.False(Assert.IsType<SocketsHttpHandler>(PrimaryHandlerOf(provider, "defaults")).AllowAutoRedirect);
    }

    [Fact]
    public async Task AddKeyPairSigning_SharedPrimaryHandlerAlreadyUsedWithAutoRedirect_FailsClearlyWhenTheClientIsCreated()
    {
        var shared = new SocketsHttpHandler { AllowAutoRedirect = true };
        using (var warmUp = new HttpClient(shared, disposeHandler: false))
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => warmUp.GetAsync(new Uri("http://127.0.0.1:1/")));
        }

        var services = new ServiceCollection();
        services.AddHttpClient("api").AddKeyPairSigning(NewSecret(out _)).ConfigurePrimaryHttpMessageHandler(() => shared);
        using ServiceProvider provider = services.BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IHttpClientFactory>().CreateClient("api"));

        Assert.Contains("HttpClient 'api'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("AllowAutoRedirect = false", ex.Message, StringComparison.Ordinal);
        shared.Dispose();
    }

    [Fact]
    public async Task AddKeyPairSigning_PlainHttpToRemoteHost_RefusedUnlessAllowInsecureHttp()
    {
        using ServiceProvider refused = Build(b => b.AddKeyPairSigning(NewSecret(out _)));
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(
            () => refused.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri("http://api.example.com/x")));
        Assert.Contains("KeyPairSigningOptions.AllowInsecureHttp", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_transport.Requests);

        string secret = NewSecret(out _);
        using ServiceProvider allowed = Build(b => b.AddKeyPairSigning(o =>
        {
            o.Secret = secret;
            o.AllowInsecureHttp = true;
        }));
        await allowed.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri("http://api.example.com/x"));
        Assert.Contains("\"@scheme\"", Assert.Single(_transport.Requests).Header("Signature-Input"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddKeyPairSigning_ConfigurationSection_BindsRedirectAndInsecureHttpSettings()
    {
        var transport = new AlwaysRedirectHandler();
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Secret"] = NewSecret(out _),
            ["AllowInsecureHttp"] = "true",
            ["MaxAutomaticRedirections"] = "0",
        }).Build();
        var services = new ServiceCollection();
        services.AddHttpClient("api").AddKeyPairSigning(configuration).ConfigurePrimaryHttpMessageHandler(() => transport);
        using ServiceProvider provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        HttpResponseMessage response = await provider.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri("http://api.example.com/x"));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(1, transport.Calls);
    }

    [Fact]
    public void Validate_NegativeMaxAutomaticRedirections_FailsNamingTheSetting()
    {
        string secret = NewSecret(out _);
        using ServiceProvider provider = Build(b => b.AddKeyPairSigning(o =>
        {
            o.Secret = secret;
            o.MaxAutomaticRedirections = -1;
        }));

        OptionsValidationException ex = StartUpFailure(provider);

        Assert.Contains("KeyPairSigningOptions.MaxAutomaticRedirections must not be negative for HttpClient 'api'", ex.Message, StringComparison.Ordinal);
    }

    private sealed class PassThroughHandler : DelegatingHandler;

    /// <summary>Answers every request with 302 to a same-origin location.</summary>
    private sealed class AlwaysRedirectHandler : HttpMessageHandler
    {
        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls++;
            var response = new HttpResponseMessage(HttpStatusCode.Found) { RequestMessage = request };
            response.Headers.Location = new Uri("/next", UriKind.Relative);
            return Task.FromResult(response);
        }
    }

    [Fact]
    public async Task ResilienceHandlerOutside_RetriedAttemptsCarryFreshNonces()
    {
        var transport = new RecordingHandler(HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable);
        var services = new ServiceCollection();
        IHttpClientBuilder client = services.AddHttpClient("api");
        client.AddResilienceHandler("retry", pipeline => pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = 3,
            Delay = TimeSpan.Zero,
            BackoffType = DelayBackoffType.Constant,
            UseJitter = false,
        }));

        // Added after the retry handler, so it sits inside it: every attempt passes through signing again.
        client.AddKeyPairSigning(NewSecret(out _)).ConfigurePrimaryHttpMessageHandler(() => transport);
        using ServiceProvider provider = services.BuildServiceProvider();

        HttpResponseMessage response = await provider.GetRequiredService<IHttpClientFactory>().CreateClient("api")
            .PostAsync(new Uri("https://api.example.com/orders?x=1"), new StringContent("{}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, transport.Requests.Count);
        Assert.Equal(3, transport.Requests.Select(TestKeys.Nonce).Distinct().Count());
        Assert.All(transport.Requests, r => Assert.Equal(1, r.Count("Signature")));
    }

    [Fact]
    public async Task StandardResilienceHandlerOutside_RetriedAttemptsCarryFreshNonces()
    {
        var transport = new RecordingHandler(HttpStatusCode.InternalServerError);
        var services = new ServiceCollection();
        IHttpClientBuilder client = services.AddHttpClient("api");
        client.AddStandardResilienceHandler(o =>
        {
            o.Retry.Delay = TimeSpan.Zero;
            o.Retry.UseJitter = false;
            o.Retry.BackoffType = DelayBackoffType.Constant;
        });
        client.AddKeyPairSigning(NewSecret(out _)).ConfigurePrimaryHttpMessageHandler(() => transport);
        using ServiceProvider provider = services.BuildServiceProvider();

        HttpResponseMessage response = await provider.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri("https://api.example.com/x"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, transport.Requests.Count);
        Assert.NotEqual(TestKeys.Nonce(transport.Requests[0]), TestKeys.Nonce(transport.Requests[1]));
    }
}
