using KeyPairAuth.AspNetCore;
using KeyPairAuth.SampleServer.Activity;
using KeyPairAuth.SampleServer.Api;
using KeyPairAuth.SampleServer.Dashboard;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace KeyPairAuth.SampleServer;

/// <summary>
/// The sample server: a key dashboard for signed-in users (cookie), the key self-service endpoints, and a signed API
/// (KeyPair scheme) with an OpenAPI document.
/// </summary>
public static class SampleServerApp
{
    public const string DefaultUrl = "http://localhost:5080";

    /// <summary>The scopes a user may give their keys in the dashboard.</summary>
    public static readonly IReadOnlyList<string> Scopes = ["orders:read", "orders:write"];

    public static WebApplication Build(string[] args)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // Quiet by default: the framework's per-request logs drown the sample's own lines. Configuration overrides.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);

        builder.Services.AddSampleStorage(builder.Configuration);
        builder.Services.AddSingleton<KeyActivity>();
        builder.Services.AddSingleton<OrderBook>();
        builder.Services.AddProblemDetails();
        builder.Services.AddAntiforgery();

        // Two schemes: the dashboard's cookie (default) and the KeyPair scheme for the signed API.
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = "kpa_sample_session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);

                // The dashboard talks JSON: answer 401/403 instead of redirecting to a login page.
                o.Events.OnRedirectToLogin = context => { context.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
                o.Events.OnRedirectToAccessDenied = context => { context.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
            })
            .AddKeyPair(o =>
            {
                o.Events = ActivityEvents.Create();
                o.IncludeErrorDetails = builder.Configuration.GetValue("KeyPair:IncludeErrorDetails", true);
                o.LastUsedInterval = builder.Configuration.GetValue("KeyPair:LastUsedInterval", TimeSpan.FromSeconds(10));
            });

        builder.Services.AddAuthorization(o =>
        {
            o.AddPolicy(DashboardEndpoints.Policy, p => p
                .AddAuthenticationSchemes(CookieAuthenticationDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser());
            o.AddPolicy(SignedApi.Policy, p => p
                .AddAuthenticationSchemes(KeyPairAuthenticationDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser());
        });

        builder.Services.AddSampleOpenApi();

        WebApplication app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapDashboard();
        app.MapKeyPairKeyManagement("/account/keys", o =>
            {
                foreach (string scope in Scopes)
                {
                    o.AllowedScopes.Add(scope);
                }

                o.RequireAntiforgeryToken = true;
            })
            .RequireAuthorization(DashboardEndpoints.Policy)
            .ExcludeFromDescription();
        app.MapSignedApi();
        app.MapOpenApi();
        return app;
    }

    /// <summary>Starts the server and prints where to open it.</summary>
    public static async Task<IReadOnlyList<string>> StartAsync(WebApplication app, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(output);
        await SampleStorage.InitializeAsync(app.Services);
        await app.StartAsync();
        IReadOnlyList<string> addresses = [.. app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses];
        string url = addresses.Count > 0 ? addresses[0] : DefaultUrl;
        output.WriteLine();
        output.WriteLine($"KeyPairAuth sample server is running: open {url}/");
        output.WriteLine($"  dashboard  {url}/            (demo sign-in: any user name, no password)");
        output.WriteLine($"  API docs   {url}/docs        (OpenAPI document: {url}/openapi/v1.json)");
        output.WriteLine($"  keys       {SampleStorage.Describe(app.Configuration)}");
        output.WriteLine("Press Ctrl+C to stop.");
        return addresses;
    }
}
