using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Json;
using KeyPairAuth.AspNetCore;

namespace KeyPairAuth.SampleServer.Api;

/// <summary>The signed API: every endpoint needs a request signed with a key (the KeyPair scheme).</summary>
public static class SignedApi
{
    public const string Policy = "signed-api";

    public static void MapSignedApi(this WebApplication app)
    {
        RouteGroupBuilder api = app.MapGroup("/api")
            .RequireAuthorization(Policy)
            .WithTags("Signed API");

        api.MapGet("/whoami", (ClaimsPrincipal user) => new WhoAmI(
                user.FindFirstValue(ClaimTypes.NameIdentifier)!,
                user.FindFirstValue(KeyPairClaimTypes.KeyId)!,
                [.. user.FindAll(KeyPairClaimTypes.Scope).Select(c => c.Value)]))
            .WithName("WhoAmI")
            .WithSummary("Who signed this request")
            .WithDescription("Returns the key's owner, the key id that signed the request and the key's scopes.");

        api.MapPost("/echo", async (HttpRequest request, CancellationToken cancellationToken) =>
            {
                if (!request.HasJsonContentType())
                {
                    return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, detail: "Send a JSON body (application/json).");
                }

                try
                {
                    using JsonDocument body = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = 32 }, cancellationToken);
                    return Results.Json(body.RootElement.Clone());
                }
                catch (JsonException)
                {
                    return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "The body is not valid JSON.");
                }
            })
            .Accepts<JsonElement>("application/json")
            .Produces<JsonElement>()
            .WithName("Echo")
            .WithSummary("Echo the JSON body")
            .WithDescription("Returns the JSON body it received. The body is covered by the signature through Content-Digest.");

        api.MapGet("/orders", (ClaimsPrincipal user, OrderBook orders) => orders.List(Owner(user)))
            .RequireScope("orders:read")
            .WithName("ListOrders")
            .WithSummary("List your orders (scope orders:read)")
            .ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapPost("/orders", (NewOrder order, ClaimsPrincipal user, OrderBook orders) =>
            {
                if (string.IsNullOrWhiteSpace(order.Item) || order.Item.Length > 100 || order.Quantity is < 1 or > 1000)
                {
                    return Results.Problem(statusCode: StatusCodes.Status400BadRequest,
                        detail: "An order has an item (1 to 100 characters) and a quantity from 1 to 1000.");
                }

                Order created = orders.Add(Owner(user), order);
                return Results.Created($"/api/orders/{created.Id}", created);
            })
            .RequireScope("orders:write")
            .WithName("CreateOrder")
            .WithSummary("Place an order (scope orders:write)")
            .Produces<Order>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden);
    }

    private static string Owner(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier)!;
}

public sealed record WhoAmI(string Owner, string KeyId, IReadOnlyList<string> Scopes);

public sealed record NewOrder(string Item, int Quantity);

public sealed record Order(int Id, string Item, int Quantity, DateTimeOffset CreatedAt);

/// <summary>Demo orders per owner, in memory and bounded (the sample's business data, not KeyPairAuth's).</summary>
public sealed class OrderBook(TimeProvider timeProvider)
{
    private const int MaxOrdersPerOwner = 100;
    private const int MaxOwners = 10_000;
    private readonly ConcurrentDictionary<string, List<Order>> _orders = new(StringComparer.Ordinal);
    private int _nextId = 1000;

    public IReadOnlyList<Order> List(string owner)
    {
        List<Order> orders = Orders(owner);
        lock (orders)
        {
            return [.. orders];
        }
    }

    public Order Add(string owner, NewOrder order)
    {
        var created = new Order(Interlocked.Increment(ref _nextId), order.Item, order.Quantity, timeProvider.GetUtcNow());
        List<Order> orders = Orders(owner);
        lock (orders)
        {
            if (orders.Count >= MaxOrdersPerOwner)
            {
                orders.RemoveAt(0);
            }

            orders.Add(created);
        }

        return created;
    }

    private List<Order> Orders(string owner)
    {
        if (_orders.TryGetValue(owner, out List<Order>? orders))
        {
            return orders;
        }

        if (_orders.Count >= MaxOwners)
        {
            _orders.Clear();
        }

        return _orders.GetOrAdd(owner, static _ => [new Order(1, "welcome mug", 1, DateTimeOffset.UnixEpoch)]);
    }
}
