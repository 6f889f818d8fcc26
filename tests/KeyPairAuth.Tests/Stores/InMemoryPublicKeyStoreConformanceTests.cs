using System.Collections;
using System.Reflection;
using KeyPairAuth.Stores;
using KeyPairAuth.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace KeyPairAuth.Tests.Stores;

/// <summary>The in-memory store passes the public store conformance suite.</summary>
public sealed class InMemoryPublicKeyStoreConformanceTests : PublicKeyStoreConformanceTests
{
    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton<IPublicKeyStore, InMemoryPublicKeyStore>();

    // What the store "persists" is its object graph: every string and byte array reachable from its fields.
    protected override Task<IReadOnlyCollection<object?>> ReadStoredValuesAsync(IServiceProvider services) =>
        Task.FromResult(ObjectGraph.Values(services.GetRequiredService<IPublicKeyStore>()));
}

/// <summary>Collects the leaf values (strings, byte and char arrays, primitives) reachable from an object by reflection.</summary>
internal static class ObjectGraph
{
    private const int MaxObjects = 100_000;

    public static IReadOnlyCollection<object?> Values(object root)
    {
        List<object?> values = [];
        HashSet<object> seen = new(ReferenceEqualityComparer.Instance);
        Stack<object> pending = new();
        pending.Push(root);
        while (pending.Count > 0 && seen.Count < MaxObjects)
        {
            object current = pending.Pop();
            Type type = current.GetType();
            if (current is string or byte[] or char[] || type.IsPrimitive || type.IsEnum || current is decimal or DateTime or DateTimeOffset or TimeSpan or Guid)
            {
                values.Add(current);
                continue;
            }

            if (!type.IsValueType && !seen.Add(current))
            {
                continue;
            }

            if (current is Delegate or Type or MemberInfo or Pointer || type.IsPointer || current is System.Runtime.InteropServices.SafeHandle)
            {
                continue;
            }

            if (current is Array array)
            {
                foreach (object? element in array)
                {
                    Push(pending, element);
                }

                continue;
            }

            for (Type? t = type; t is not null && t != typeof(object); t = t.BaseType)
            {
                foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (field.FieldType.IsPointer || field.FieldType.IsByRefLike)
                    {
                        continue;
                    }

                    Push(pending, field.GetValue(current));
                }
            }
        }

        return values;
    }

    private static void Push(Stack<object> pending, object? value)
    {
        if (value is not null)
        {
            pending.Push(value);
        }
    }
}
