using System.Buffers;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using KeyPairAuth.AspNetCore.Internal;
using KeyPairAuth.Issuance;
using KeyPairAuth.Keys;
using KeyPairAuth.Stores;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyPairAuth.AspNetCore.KeyManagement.Internal;

/// <summary>
/// The request handlers behind <c>MapKeyPairKeyManagement</c>. Plain <see cref="RequestDelegate"/>s with
/// source-generated JSON, so nothing here needs reflection. The owner is always the signed-in user's claim.
/// </summary>
internal sealed class KeyManagementEndpoints
{
    /// <summary>A key request (name, 32 scopes, a JWK or PEM) is well under 4 KiB; 16 KiB leaves room and bounds the work.</summary>
    internal const int MaxRequestBodySize = 16 * 1024;

    internal const string KeyIdRouteValue = "keyId";

    private const string JsonContentType = "application/json; charset=utf-8";
    private const string ProblemContentType = "application/problem+json";

    private readonly KeyPairKeyManagementOptions _options;
    private readonly ILogger _logger;

    public KeyManagementEndpoints(KeyPairKeyManagementOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    /// <summary><c>GET {prefix}</c>: the signed-in user's keys.</summary>
    public async Task ListAsync(HttpContext context)
    {
        if (await AuthorizeAsync(context, Access.Read).ConfigureAwait(false) is not { } owner)
        {
            return;
        }

        IKeyPairIssuer issuer = context.RequestServices.GetRequiredService<IKeyPairIssuer>();
        IReadOnlyList<PublicKeyRecord> records;
        try
        {
            records = await issuer.ListByOwnerAsync(owner, context.RequestAborted).ConfigureAwait(false);
        }
        catch (KeyIssuanceException exception)
        {
            await WriteIssuanceProblemAsync(context, exception).ConfigureAwait(false);
            return;
        }

        DateTimeOffset now = Now(context);
        var list = new ManagedKeyList { Keys = [.. records.Select(r => Describe(r, now))] };
        await WriteJsonAsync(context, StatusCodes.Status200OK, list, KeyManagementJsonContext.Default.ManagedKeyList).ConfigureAwait(false);
    }

    /// <summary><c>GET {prefix}/{keyId}</c>: one of the signed-in user's keys, or 404.</summary>
    public async Task GetAsync(HttpContext context)
    {
        if (await AuthorizeAsync(context, Access.Read).ConfigureAwait(false) is not { } owner)
        {
            return;
        }

        if (await FindOwnKeyAsync(context, owner).ConfigureAwait(false) is not { } record)
        {
            return;
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, Describe(record, Now(context)), KeyManagementJsonContext.Default.ManagedKey).ConfigureAwait(false);
    }

    /// <summary><c>DELETE {prefix}/{keyId}</c>: revokes one of the signed-in user's keys (idempotent), or 404.</summary>
    public async Task RevokeAsync(HttpContext context)
    {
        if (await AuthorizeAsync(context, Access.ChangeWithoutBody).ConfigureAwait(false) is not { } owner)
        {
            return;
        }

        if (await FindOwnKeyAsync(context, owner).ConfigureAwait(false) is not { } record)
        {
            return;
        }

        IKeyPairIssuer issuer = context.RequestServices.GetRequiredService<IKeyPairIssuer>();
        PublicKeyRecord? revoked = await issuer.RevokeAsync(record.KeyId, context.RequestAborted).ConfigureAwait(false);
        if (revoked is null)
        {
            // Deleted from the store between the lookup and the revocation.
            await WriteNotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, Describe(revoked, Now(context)), KeyManagementJsonContext.Default.ManagedKey).ConfigureAwait(false);
    }

    /// <summary><c>POST {prefix}</c>: generates a key pair; the response is the only place the private key ever appears.</summary>
    public async Task CreateAsync(HttpContext context)
    {
        if (await AuthorizeAsync(context, Access.ChangeWithJsonBody).ConfigureAwait(false) is not { } owner)
        {
            return;
        }

        if (await ReadJsonAsync(context, KeyManagementJsonContext.Default.CreateKeyRequest).ConfigureAwait(false) is not { } request ||
            !await CheckScopesAndLifetimeAsync(context, request.Scopes, request.ExpiresAt).ConfigureAwait(false))
        {
            return;
        }

        IKeyPairIssuer issuer = context.RequestServices.GetRequiredService<IKeyPairIssuer>();
        IssuedKeyPair issued;
        try
        {
            issued = await issuer.IssueAsync(
                new KeyIssueRequest
                {
                    Owner = owner,
                    Name = request.Name ?? string.Empty,
                    Scopes = request.Scopes ?? [],
                    ExpiresAt = request.ExpiresAt,
                },
                context.RequestAborted).ConfigureAwait(false);
        }
        catch (KeyIssuanceException exception)
        {
            await WriteIssuanceProblemAsync(context, exception).ConfigureAwait(false);
            return;
        }

        using (issued)
        {
            var created = new CreatedKey
            {
                Key = Describe(issued.Record, Now(context)),
                Secret = issued.Secret,
                PrivateKeyPem = issued.PrivateKeyPem,
            };
            context.Response.Headers.Location = KeyLocation(context, issued.KeyId, fromRegister: false);
            await WriteJsonAsync(context, StatusCodes.Status201Created, created, KeyManagementJsonContext.Default.CreatedKey).ConfigureAwait(false);
        }
    }

    /// <summary><c>POST {prefix}/register</c>: registers the user's own public key.</summary>
    public async Task RegisterAsync(HttpContext context)
    {
        if (await AuthorizeAsync(context, Access.ChangeWithJsonBody).ConfigureAwait(false) is not { } owner)
        {
            return;
        }

        if (await ReadJsonAsync(context, KeyManagementJsonContext.Default.RegisterKeyRequest).ConfigureAwait(false) is not { } request)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(request.PublicKey))
        {
            await WriteProblemAsync(context, StatusCodes.Status400BadRequest, KeyManagementErrorCodes.InvalidPublicKey,
                "A public key is required: an Ed25519 key as SPKI PEM (-----BEGIN PUBLIC KEY-----), JWK, an OpenSSH line (ssh-ed25519 AAAA...) or base64url.").ConfigureAwait(false);
            return;
        }

        Ed25519PublicKey publicKey;
        try
        {
            publicKey = Ed25519PublicKey.Parse(request.PublicKey);
        }
        catch (KeyFormatException exception)
        {
            // KeyFormatException messages say what was found (an RSA key, a P-256 curve) and never contain secret material.
            await WriteProblemAsync(context, StatusCodes.Status400BadRequest, KeyManagementErrorCodes.InvalidPublicKey, exception.Message).ConfigureAwait(false);
            return;
        }

        if (!await CheckScopesAndLifetimeAsync(context, request.Scopes, request.ExpiresAt).ConfigureAwait(false))
        {
            return;
        }

        IKeyPairIssuer issuer = context.RequestServices.GetRequiredService<IKeyPairIssuer>();
        PublicKeyRecord record;
        try
        {
            record = await issuer.RegisterAsync(
                new KeyRegistrationRequest
                {
                    Owner = owner,
                    Name = request.Name ?? string.Empty,
                    PublicKey = publicKey,
                    Scopes = request.Scopes ?? [],
                    ExpiresAt = request.ExpiresAt,
                },
                context.RequestAborted).ConfigureAwait(false);
        }
        catch (KeyIssuanceException exception)
        {
            await WriteIssuanceProblemAsync(context, exception).ConfigureAwait(false);
            return;
        }

        context.Response.Headers.Location = KeyLocation(context, record.KeyId, fromRegister: true);
        await WriteJsonAsync(context, StatusCodes.Status201Created, Describe(record, Now(context)), KeyManagementJsonContext.Default.ManagedKey).ConfigureAwait(false);
    }

    internal static ManagedKey Describe(PublicKeyRecord record, DateTimeOffset now) => new()
    {
        KeyId = record.KeyId,
        Name = record.Name,
        Fingerprint = record.PublicKey.Fingerprint,
        PublicKey = record.PublicKey.ExportBase64Url(),
        Scopes = record.Scopes,
        CreatedAt = record.CreatedAt,
        ExpiresAt = record.ExpiresAt,
        RevokedAt = record.RevokedAt,
        LastUsedAt = record.LastUsedAt,
        Status = record.IsRevoked ? ManagedKeyStatus.Revoked : record.IsExpiredAt(now) ? ManagedKeyStatus.Expired : ManagedKeyStatus.Active,
    };

    internal static (int Status, string Code) Map(KeyIssuanceError error) => error switch
    {
        KeyIssuanceError.DuplicatePublicKey => (StatusCodes.Status409Conflict, KeyManagementErrorCodes.DuplicatePublicKey),
        KeyIssuanceError.ActiveKeyLimitReached => (StatusCodes.Status409Conflict, KeyManagementErrorCodes.ActiveKeyLimitReached),
        KeyIssuanceError.InvalidOwner => (StatusCodes.Status400BadRequest, "invalid_owner"),
        KeyIssuanceError.InvalidName => (StatusCodes.Status400BadRequest, "invalid_name"),
        KeyIssuanceError.InvalidScope => (StatusCodes.Status400BadRequest, "invalid_scope"),
        KeyIssuanceError.TooManyScopes => (StatusCodes.Status400BadRequest, "too_many_scopes"),
        KeyIssuanceError.InvalidExpiry => (StatusCodes.Status400BadRequest, "invalid_expiry"),
        KeyIssuanceError.InvalidKeyId => (StatusCodes.Status400BadRequest, "invalid_key_id"),
        _ => (StatusCodes.Status400BadRequest, "invalid_request"),
    };

    /// <summary>Returns the owner, or writes 401/403/415/400 and returns <see langword="null"/>.</summary>
    private async Task<string?> AuthorizeAsync(HttpContext context, Access access)
    {
        ClaimsPrincipal user = context.User;
        if (!user.Identities.Any(static i => i.IsAuthenticated))
        {
            await WriteProblemAsync(context, StatusCodes.Status401Unauthorized, KeyManagementErrorCodes.AuthenticationRequired,
                "Sign in to manage your keys.").ConfigureAwait(false);
            return null;
        }

        if (!_options.AllowApiKeyCallers && user.HasClaim(static c => c.Type == KeyPairClaimTypes.KeyId))
        {
            Log.KeyManagementApiKeyCallerRefused(_logger, user.FindFirst(KeyPairClaimTypes.KeyId)!.Value);
            await WriteProblemAsync(context, StatusCodes.Status403Forbidden, KeyManagementErrorCodes.ApiKeyCallerRefused,
                "Keys are managed by the signed-in user, not with an API key.").ConfigureAwait(false);
            return null;
        }

        string? owner = user.FindFirst(_options.OwnerClaimType)?.Value;
        if (string.IsNullOrEmpty(owner))
        {
            await WriteProblemAsync(context, StatusCodes.Status403Forbidden, KeyManagementErrorCodes.OwnerClaimMissing,
                $"The signed-in user has no '{_options.OwnerClaimType}' claim, which names the owner of their keys.").ConfigureAwait(false);
            return null;
        }

        if (access == Access.Read)
        {
            return owner;
        }

        // The body's type is checked before antiforgery, which would otherwise read a whole form body (far past the
        // 16 KiB a key request takes) looking for a form-field token. Revoke takes no form: a form body is what a
        // cross-site HTML form sends without a CORS preflight, and a form-field method override (_method=DELETE) would
        // turn that POST into this DELETE.
        if (access == Access.ChangeWithJsonBody ? !context.Request.HasJsonContentType() : context.Request.HasFormContentType)
        {
            await WriteProblemAsync(context, StatusCodes.Status415UnsupportedMediaType, KeyManagementErrorCodes.UnsupportedMediaType,
                access == Access.ChangeWithJsonBody ? "Send the body as application/json." : "Revoke takes no form body: send DELETE without a body.").ConfigureAwait(false);
            return null;
        }

        if (_options.RequireAntiforgeryToken && !await IsAntiforgeryTokenValidAsync(context).ConfigureAwait(false))
        {
            await WriteProblemAsync(context, StatusCodes.Status400BadRequest, KeyManagementErrorCodes.AntiforgeryTokenInvalid,
                "The antiforgery token is missing or invalid; reload the page and try again.").ConfigureAwait(false);
            return null;
        }

        return owner;
    }

    private static async Task<bool> IsAntiforgeryTokenValidAsync(HttpContext context)
    {
        try
        {
            return await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context).ConfigureAwait(false);
        }
        catch (AntiforgeryValidationException)
        {
            // Without the header, antiforgery looks for the token in a form body and throws when it cannot read one
            // (too many fields, a broken multipart body): that is a missing token, not a server error.
            return false;
        }
    }

    /// <summary>Finds the route's key when the owner holds it; otherwise writes the one 404 used for every miss.</summary>
    private async Task<PublicKeyRecord?> FindOwnKeyAsync(HttpContext context, string owner)
    {
        string? keyId = context.Request.RouteValues[KeyIdRouteValue] as string;
        if (!KeyId.IsValid(keyId))
        {
            await WriteNotFoundAsync(context).ConfigureAwait(false);
            return null;
        }

        IKeyPairIssuer issuer = context.RequestServices.GetRequiredService<IKeyPairIssuer>();
        PublicKeyRecord? record = await issuer.GetAsync(keyId, context.RequestAborted).ConfigureAwait(false);
        if (record is null || !string.Equals(record.Owner, owner, StringComparison.Ordinal))
        {
            // Another owner's key answers exactly like a key that does not exist, so ids cannot be confirmed.
            if (record is not null)
            {
                Log.KeyManagementOtherOwnersKey(_logger, keyId, context.Request.Method);
            }

            await WriteNotFoundAsync(context).ConfigureAwait(false);
            return null;
        }

        return record;
    }

    private async Task<bool> CheckScopesAndLifetimeAsync(HttpContext context, IReadOnlyList<string>? scopes, DateTimeOffset? expiresAt)
    {
        if (scopes is not null)
        {
            foreach (string scope in scopes)
            {
                // Malformed scopes are left to the issuer, whose invalid_scope message explains the grammar.
                if (KeyScopes.IsValid(scope) && !IsScopeAllowed(context.User, scope))
                {
                    await WriteProblemAsync(context, StatusCodes.Status400BadRequest, KeyManagementErrorCodes.ScopeNotAllowed,
                        _options.IsScopeAllowed is null
                            ? $"The scope '{scope}' cannot be granted here. Allowed scopes: {(_options.AllowedScopes.Count == 0 ? "none" : string.Join(", ", _options.AllowedScopes.Order(StringComparer.Ordinal)))}."
                            : $"The scope '{scope}' cannot be granted here.").ConfigureAwait(false);
                    return false;
                }
            }
        }

        if (_options.MaxKeyLifetime is { } maxLifetime)
        {
            // Compared as a span, not as now + lifetime: a lifetime such as TimeSpan.MaxValue ("no limit") must not
            // overflow DateTimeOffset and turn every request into a 500.
            DateTimeOffset now = Now(context);
            DateTimeOffset latest = maxLifetime < DateTimeOffset.MaxValue - now ? now + maxLifetime : DateTimeOffset.MaxValue;
            if (expiresAt is null || expiresAt.Value - now > maxLifetime)
            {
                await WriteProblemAsync(context, StatusCodes.Status400BadRequest, "invalid_expiry",
                    $"An expiry is required, at most {FormatLifetime(maxLifetime)} from now (no later than {latest:O}).").ConfigureAwait(false);
                return false;
            }
        }

        return true;
    }

    private bool IsScopeAllowed(ClaimsPrincipal user, string scope) =>
        _options.IsScopeAllowed is { } decide ? decide(user, scope) : _options.AllowedScopes.Contains(scope);

    /// <summary>
    /// Reads a bounded JSON body (its media type was checked by <see cref="AuthorizeAsync"/>); on any problem writes
    /// 413/400 and returns <see langword="null"/>.
    /// </summary>
    private static async Task<T?> ReadJsonAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        HttpRequest request = context.Request;
        if (request.ContentLength > MaxRequestBodySize)
        {
            await WriteBodyTooLargeAsync(context).ConfigureAwait(false);
            return null;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxRequestBodySize + 1);
        try
        {
            int total = 0;
            while (true)
            {
                int read;
                try
                {
                    read = await request.Body.ReadAsync(buffer.AsMemory(total, MaxRequestBodySize + 1 - total), context.RequestAborted).ConfigureAwait(false);
                }
                catch (BadHttpRequestException exception)
                {
                    await WriteProblemAsync(context, exception.StatusCode, exception.StatusCode == StatusCodes.Status413PayloadTooLarge
                        ? KeyManagementErrorCodes.BodyTooLarge : KeyManagementErrorCodes.InvalidJson, "The request body could not be read.").ConfigureAwait(false);
                    return null;
                }

                if (read == 0)
                {
                    break;
                }

                total += read;
                if (total > MaxRequestBodySize)
                {
                    await WriteBodyTooLargeAsync(context).ConfigureAwait(false);
                    return null;
                }
            }

            T? value;
            try
            {
                value = JsonSerializer.Deserialize(buffer.AsSpan(0, total), typeInfo);
            }
            catch (JsonException exception)
            {
                await WriteProblemAsync(context, StatusCodes.Status400BadRequest, KeyManagementErrorCodes.InvalidJson,
                    $"The body is not a valid {typeof(T).Name} JSON object (at {exception.Path ?? "$"}). {ExpectedMembers(typeInfo)}").ConfigureAwait(false);
                return null;
            }

            if (value is null)
            {
                await WriteProblemAsync(context, StatusCodes.Status400BadRequest, KeyManagementErrorCodes.InvalidJson,
                    $"The body must be a JSON object. {ExpectedMembers(typeInfo)}").ConfigureAwait(false);
            }

            return value;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    private static string ExpectedMembers(JsonTypeInfo typeInfo) =>
        $"Expected members: {string.Join(", ", typeInfo.Properties.Select(static p => p.Name))}; the owner is always the signed-in user.";

    private static Task WriteBodyTooLargeAsync(HttpContext context) =>
        WriteProblemAsync(context, StatusCodes.Status413PayloadTooLarge, KeyManagementErrorCodes.BodyTooLarge,
            $"A key request is at most {MaxRequestBodySize} bytes.");

    private static Task WriteNotFoundAsync(HttpContext context) =>
        WriteProblemAsync(context, StatusCodes.Status404NotFound, KeyManagementErrorCodes.KeyNotFound, "You have no key with this id.");

    private static Task WriteIssuanceProblemAsync(HttpContext context, KeyIssuanceException exception)
    {
        // KeyIssuanceException messages are written to be shown to the user; they never contain secrets.
        (int status, string code) = Map(exception.Error);
        return WriteProblemAsync(context, status, code, exception.Message);
    }

    private static async Task WriteJsonAsync<T>(HttpContext context, int status, T value, JsonTypeInfo<T> typeInfo)
    {
        HttpResponse response = context.Response;
        response.StatusCode = status;
        response.ContentType = JsonContentType;
        NoStore(response);
        await JsonSerializer.SerializeAsync(response.Body, value, typeInfo, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Writes an RFC 9457 problem with the same members as the scheme's: title, status, error, detail.</summary>
    internal static async Task WriteProblemAsync(HttpContext context, int status, string errorCode, string detail)
    {
        HttpResponse response = context.Response;
        response.StatusCode = status;
        response.ContentType = ProblemContentType;
        NoStore(response);

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("title", TitleFor(status));
            json.WriteNumber("status", status);
            json.WriteString("error", errorCode);
            json.WriteString("detail", detail);
            json.WriteEndObject();
        }

        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    private static void NoStore(HttpResponse response)
    {
        // A created key's secret must not sit in a browser or proxy cache; nothing else here needs caching either.
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }

    private static string TitleFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "Bad Request",
        StatusCodes.Status401Unauthorized => "Unauthorized",
        StatusCodes.Status403Forbidden => "Forbidden",
        StatusCodes.Status404NotFound => "Not Found",
        StatusCodes.Status409Conflict => "Conflict",
        StatusCodes.Status413PayloadTooLarge => "Content Too Large",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported Media Type",
        _ => "Error",
    };

    private static string KeyLocation(HttpContext context, string keyId, bool fromRegister)
    {
        string path = context.Request.Path.Value?.TrimEnd('/') ?? string.Empty;
        if (fromRegister && path.EndsWith("/register", StringComparison.Ordinal))
        {
            path = path[..^"/register".Length];
        }

        return $"{context.Request.PathBase}{path}/{keyId}";
    }

    private static string FormatLifetime(TimeSpan lifetime) =>
        lifetime.TotalDays >= 1 && lifetime.Ticks % TimeSpan.TicksPerDay == 0 ? $"{lifetime.TotalDays:0} days" : lifetime.ToString("c", System.Globalization.CultureInfo.InvariantCulture);

    private static DateTimeOffset Now(HttpContext context) =>
        (context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();

    /// <summary>What a request does, which decides the checks after sign-in.</summary>
    private enum Access
    {
        /// <summary>Lists or reads keys: no body, no antiforgery token.</summary>
        Read,

        /// <summary>Revokes: refuses a form body (what a cross-site form sends); antiforgery when required.</summary>
        ChangeWithoutBody,

        /// <summary>Creates or registers: an <c>application/json</c> body only; antiforgery when required.</summary>
        ChangeWithJsonBody,
    }
}
