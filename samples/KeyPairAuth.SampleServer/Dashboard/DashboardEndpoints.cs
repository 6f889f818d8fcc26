using System.Security.Claims;
using System.Text.RegularExpressions;
using KeyPairAuth.Issuance;
using KeyPairAuth.SampleServer.Activity;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace KeyPairAuth.SampleServer.Dashboard;

/// <summary>
/// The dashboard's own endpoints: the page, the DEMO sign-in (a user name, no password), and the activity panel.
/// Keys themselves are managed through <c>MapKeyPairKeyManagement("/account/keys")</c>.
/// </summary>
public static partial class DashboardEndpoints
{
    public const string Policy = "dashboard";

    public static void MapDashboard(this WebApplication app)
    {
        app.MapGet("/", () => DashboardAssets.Serve("index.html")).ExcludeFromDescription();
        app.MapGet("/docs", () => DashboardAssets.Serve("docs.html")).ExcludeFromDescription();
        app.MapGet("/assets/{name}", (string name) => DashboardAssets.Serve(name)).ExcludeFromDescription();

        // The session: who is signed in, plus a fresh antiforgery token for the page's unsafe requests.
        app.MapGet("/session", (HttpContext http, IAntiforgery antiforgery, IConfiguration configuration) =>
            {
                AntiforgeryTokenSet tokens = antiforgery.GetAndStoreTokens(http);
                string? user = http.User.Identity?.IsAuthenticated == true ? http.User.FindFirstValue(ClaimTypes.NameIdentifier) : null;
                return Results.Json(new SessionInfo(user, tokens.RequestToken!, SampleServerApp.Scopes, SampleStorage.Describe(configuration)));
            })
            .ExcludeFromDescription();

        app.MapPost("/session", async (HttpContext http, IAntiforgery antiforgery, SignIn request) =>
            {
                if (!await IsTokenValidAsync(antiforgery, http))
                {
                    return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "The antiforgery token is missing or invalid; reload the page.");
                }

                if (request.UserName is not { } userName || !UserNameRegex().IsMatch(userName))
                {
                    return Results.Problem(statusCode: StatusCodes.Status400BadRequest,
                        detail: "A user name is 1 to 40 letters, digits, '.', '_' or '-'.");
                }

                // DEMO ONLY: anyone may sign in as anyone. A real application signs users in with Identity, OpenID Connect …
                var identity = new ClaimsIdentity(
                    [new Claim(ClaimTypes.NameIdentifier, userName), new Claim(ClaimTypes.Name, userName)],
                    CookieAuthenticationDefaults.AuthenticationScheme);
                await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
                return Results.NoContent();
            })
            .ExcludeFromDescription();

        app.MapDelete("/session", async (HttpContext http, IAntiforgery antiforgery) =>
            {
                if (http.Request.HasFormContentType)
                {
                    // Refused before antiforgery, which would read the whole form (megabytes, from anyone) for a token.
                    return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, detail: "Sign-out takes no body.");
                }

                if (!await IsTokenValidAsync(antiforgery, http))
                {
                    return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "The antiforgery token is missing or invalid; reload the page.");
                }

                await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                return Results.NoContent();
            })
            .ExcludeFromDescription();

        // Accepted and refused requests per key over the last hour, for the signed-in user's keys only.
        app.MapGet("/dashboard/activity", async (ClaimsPrincipal user, IKeyPairIssuer issuer, KeyActivity activity, CancellationToken cancellationToken) =>
            {
                string owner = user.FindFirstValue(ClaimTypes.NameIdentifier)!;
                var keys = (await issuer.ListByOwnerAsync(owner, cancellationToken))
                    .Select(k => new KeyActivityInfo(k.KeyId, k.Name, activity.LastHour(k.KeyId)))
                    .ToList();
                return Results.Json(new ActivityInfo(keys));
            })
            .RequireAuthorization(Policy)
            .ExcludeFromDescription();
    }

    private static async Task<bool> IsTokenValidAsync(IAntiforgery antiforgery, HttpContext http)
    {
        try
        {
            return await antiforgery.IsRequestValidAsync(http);
        }
        catch (AntiforgeryValidationException)
        {
            // Without the header, antiforgery reads a form body for the token and throws on one it cannot read (too
            // many fields, a broken multipart body): a missing token, not a server error.
            return false;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,40}$")]
    private static partial Regex UserNameRegex();
}

public sealed record SignIn(string? UserName);

public sealed record SessionInfo(string? User, string AntiforgeryToken, IReadOnlyList<string> Scopes, string Storage);

public sealed record ActivityInfo(IReadOnlyList<KeyActivityInfo> Keys);

public sealed record KeyActivityInfo(string KeyId, string Name, IReadOnlyDictionary<string, int> LastHour);
