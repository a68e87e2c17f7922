using System.Text.Json;
using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>The Management API answers' contracts with web defaults (camelCase, case-insensitive), generated at compile
/// time: no reflection, so the source works in a Native AOT executable.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(List<OktaUser>))]
[JsonSerializable(typeof(List<OktaGroup>))]
[JsonSerializable(typeof(OktaAccessToken))]
internal sealed partial class OktaJsonContext : JsonSerializerContext;
