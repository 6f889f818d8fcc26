using System.Text.Json;
using System.Text.Json.Serialization;

namespace KeyPairAuth.EntityFrameworkCore;

/// <summary>Scopes are stored as one JSON array of strings: portable across providers, any scope text round-trips.</summary>
internal static class ScopesJson
{
    public static string Write(IReadOnlyList<string> scopes) =>
        JsonSerializer.Serialize(scopes as string[] ?? [.. scopes], ScopesJsonContext.Default.StringArray);

    public static string[] Read(string json) =>
        JsonSerializer.Deserialize(json, ScopesJsonContext.Default.StringArray) ?? [];
}

[JsonSerializable(typeof(string[]))]
internal sealed partial class ScopesJsonContext : JsonSerializerContext;
