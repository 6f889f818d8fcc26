using System.Security.Cryptography;
using System.Text;
using KeyPairAuth.Keys;
using KeyPairAuth.Stores;
using NSec.Cryptography;

namespace KeyPairAuth.Benchmarks.Infrastructure;

/// <summary>Deterministic inputs shared by the suites, so every baseline measures the same bytes as our code.</summary>
internal static class Fixtures
{
    /// <summary>The fixed RFC 8032 seed used everywhere (the private key of RFC 8032 §7.1 TEST 1). Benchmarks only.</summary>
    public static readonly byte[] Seed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");

    /// <summary>The key id used by every signed request (a well-formed one: the key cache looks up no other).</summary>
    public const string KeyId = "kpa_bench00000000001";

    /// <summary>The authority signed requests are addressed to in micro-benchmarks.</summary>
    public const string Authority = "api.example.com";

    /// <summary>The request target of the GET benchmarks.</summary>
    public const string GetTarget = "/v1/orders?id=42&expand=items";

    /// <summary>
    /// A realistic RFC 9421 signature base for a GET, the kind our verifier builds (used as the raw baseline's
    /// message when the suite does not size it to our actual base).
    /// </summary>
    public static byte[] SignatureBaseLike(int size)
    {
        const string template =
            "\"@method\": GET\n\"@authority\": api.example.com\n\"@path\": /v1/orders\n\"@query\": ?id=42&expand=items\n" +
            "\"@signature-params\": (\"@method\" \"@authority\" \"@path\" \"@query\");created=1764380000;keyid=\"kpa_bench00000000001\";" +
            "nonce=\"q3bxJ9Yl0hQx2m1n5S8uWg\";alg=\"ed25519\"";
        var builder = new StringBuilder(template);
        while (builder.Length < size)
        {
            builder.Append(template);
        }

        return Encoding.ASCII.GetBytes(builder.ToString(0, size));
    }

    /// <summary>Creates the NSec key for <see cref="Seed"/>.</summary>
    public static Key CreateNSecKey() =>
        Key.Import(SignatureAlgorithm.Ed25519, Seed, KeyBlobFormat.RawPrivateKey,
            new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });

    /// <summary>Fills a body of <paramref name="size"/> bytes with deterministic, non-trivial content.</summary>
    public static byte[] Body(int size)
    {
        byte[] body = new byte[size];
        for (int i = 0; i < body.Length; i++)
        {
            body[i] = (byte)((i * 31) ^ (i >> 8));
        }

        return body;
    }

    /// <summary>A random base64url nonce of 16 bytes, as the client SDK would send.</summary>
    public static string NewNonce() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// An in-memory store holding the bench key (owner <c>user-42</c>, created a day before <paramref name="now"/>),
    /// checked to have been stored.
    /// </summary>
    public static InMemoryPublicKeyStore StoreWithKey(SigningKey key, DateTimeOffset now)
    {
        var store = new InMemoryPublicKeyStore();
        PublicKeyAddResult added = store.AddAsync(RecordFor(key, now), maxActiveKeysPerOwner: 10).AsTask().GetAwaiter().GetResult();
        Require(added == PublicKeyAddResult.Added, "the key is stored");
        return store;
    }

    /// <summary>The bench key's record, created a day before <paramref name="now"/>.</summary>
    public static PublicKeyRecord RecordFor(SigningKey key, DateTimeOffset now) => new()
    {
        KeyId = key.KeyId,
        Owner = "user-42",
        Name = "bench",
        PublicKey = key.PublicKey,
        Scopes = ["orders:read", "orders:write"],
        CreatedAt = now.AddDays(-1),
    };

    /// <summary>Throws when a setup invariant does not hold (benchmarks must measure the success path).</summary>
    public static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Benchmark setup check failed: " + what);
        }
    }
}

/// <summary>A clock stopped at one instant, so pre-signed requests stay fresh for the whole run.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
