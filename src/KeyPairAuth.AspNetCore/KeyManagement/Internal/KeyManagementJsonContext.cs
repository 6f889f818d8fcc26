using System.Text.Json;
using System.Text.Json.Serialization;

namespace KeyPairAuth.AspNetCore.KeyManagement.Internal;

/// <summary>Source-generated JSON for the key self-service endpoints: no reflection, safe to trim and AOT-compile.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, MaxDepth = 8, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(RegisterKeyRequest))]
[JsonSerializable(typeof(ManagedKey))]
[JsonSerializable(typeof(ManagedKeyList))]
[JsonSerializable(typeof(CreatedKey))]
internal sealed partial class KeyManagementJsonContext : JsonSerializerContext;
