using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>The Management API answers' contracts with web defaults (camelCase, case-insensitive), generated at compile
/// time: no reflection, so the source works in a Native AOT executable.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(List<OktaUser>))]
[JsonSerializable(typeof(List<OktaGroup>))]
[JsonSerializable(typeof(OktaAccessToken))]
internal sealed partial class OktaJsonContext : JsonSerializerContext
{
    /// <summary>The contract of a page of <typeparamref name="T"/> (the public <see cref="OktaClient.ListAsync{T}"/> is
    /// generic); a type without one fails here, naming it, instead of falling back to reflection.</summary>
    public static JsonTypeInfo<List<T>> ListOf<T>() =>
        Default.GetTypeInfo(typeof(List<T>)) as JsonTypeInfo<List<T>>
        ?? throw new NotSupportedException($"OktaClient lists {typeof(T).Name} without a compile-time JSON contract; add List<{typeof(T).Name}> to {nameof(OktaJsonContext)}.");
}
