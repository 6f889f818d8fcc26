using System.Collections;
using System.Reflection;
using System.Text;
using KeyPairAuth.Issuance;
using KeyPairAuth.Keys;
using KeyPairAuth.Keys.Internal;
using KeyPairAuth.Stores;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace KeyPairAuth.Tests.Issuance;

public sealed class StoreHoldsNoSeedTests
{
    /// <summary>
    /// The design's central promise: after issuing many keys, nothing the store holds contains any private seed, nor
    /// any 8-byte window of one (in raw bytes, hex, base64 or base64url). Every stored record is serialised field by
    /// field through reflection, including the public key's raw bytes and every string, and the store's own fields
    /// are walked too.
    /// </summary>
    [Fact]
    public async Task IssueMany_NoStoredByteSequenceContainsAnySeedWindow()
    {
        InMemoryPublicKeyStore store = new();
        KeyPairIssuer issuer = new(store, new FakeTimeProvider(), Options.Create(new KeyPairIssuerOptions { MaxActiveKeysPerOwner = 1000 }));
        List<byte[]> seeds = [];
        List<string> keyIds = [];
        for (int i = 0; i < 200; i++)
        {
            using IssuedKeyPair issued = await issuer.IssueAsync(new KeyIssueRequest { Owner = $"owner{i % 7}", Name = $"key {i}", Scopes = ["orders:read"] });
            byte[] seed = new byte[32];
            Assert.Null(SecretString.TryDecode(issued.Secret, seed, out string? keyId));
            Assert.Equal(issued.KeyId, keyId);
            seeds.Add(seed);
            keyIds.Add(issued.KeyId);
        }

        // Everything reachable from the store object, serialised to bytes.
        List<byte[]> stored = [];
        Walk(store, stored, new HashSet<object>(ReferenceEqualityComparer.Instance), depth: 0);
        Assert.Contains(stored, b => b.Length == 32); // the public keys were reached
        Assert.True(stored.Count > 200 * 5);

        byte[] haystack = [.. stored.SelectMany(b => b.Concat(new byte[] { 0xFF }))];
        foreach (byte[] seed in seeds)
        {
            for (int start = 0; start + 8 <= seed.Length; start++)
            {
                byte[] window = seed[start..(start + 8)];
                Assert.True(haystack.AsSpan().IndexOf(window) < 0, "A stored value contains 8 bytes of a private seed.");
                foreach (string text in new[] { Convert.ToHexString(window), Convert.ToHexString(window).ToLowerInvariant() })
                {
                    Assert.True(haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) < 0, "A stored string contains a seed in hex.");
                }
            }

            // base64/base64url of the whole seed, and of its 12-byte (16-character) aligned windows.
            for (int start = 0; start + 12 <= seed.Length; start += 3)
            {
                string b64 = Convert.ToBase64String(seed, start, 12);
                foreach (string text in new[] { b64, b64.Replace('+', '-').Replace('/', '_') })
                {
                    Assert.True(haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) < 0, "A stored string contains a seed in base64.");
                }
            }
        }

        // And the records as the store returns them: nothing private in any property.
        foreach (string keyId in keyIds)
        {
            PublicKeyRecord record = (await store.FindAsync(keyId))!;
            foreach (PropertyInfo property in typeof(PublicKeyRecord).GetProperties())
            {
                Assert.NotEqual(typeof(SigningKey), property.PropertyType);
                Assert.NotEqual(typeof(NSec.Cryptography.Key), property.PropertyType);
            }

            Assert.False(record.PublicKey.RawBytes.SequenceEqual(seeds[keyIds.IndexOf(keyId)]));
        }
    }

    private static void Walk(object? value, List<byte[]> output, HashSet<object> seen, int depth)
    {
        if (value is null || depth > 12)
        {
            return;
        }

        switch (value)
        {
            case string s:
                output.Add(Encoding.UTF8.GetBytes(s));
                output.Add(Encoding.Unicode.GetBytes(s));
                return;
            case byte[] bytes:
                output.Add(bytes);
                return;
            case char[] chars:
                output.Add(Encoding.UTF8.GetBytes(chars));
                return;
            case DateTimeOffset or DateTime or bool or int or long or uint or Enum:
                output.Add(Encoding.UTF8.GetBytes(value.ToString()!));
                return;
            case NSec.Cryptography.PublicKey publicKey:
                output.Add(publicKey.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey));
                return;
            case NSec.Cryptography.Key:
                Assert.Fail("The store holds a private NSec key.");
                return;
            case SigningKey:
                Assert.Fail("The store holds a SigningKey.");
                return;
        }

        Type type = value.GetType();
        if (type.IsPrimitive || type.IsPointer || value is Delegate or Type or Lock)
        {
            return;
        }

        if (!type.IsValueType && !seen.Add(value))
        {
            return;
        }

        if (value is IEnumerable enumerable)
        {
            foreach (object? item in enumerable)
            {
                Walk(item, output, seen, depth + 1);
            }
        }

        for (Type? t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType.IsPointer || field.FieldType.IsByRefLike)
                {
                    continue;
                }

                Walk(field.GetValue(value), output, seen, depth + 1);
            }
        }
    }
}
