using System.Text.Json;
using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Sources.GoogleWorkspace;

/// <summary>The Directory API answers' contracts with web defaults (camelCase, case-insensitive), generated at compile
/// time: no reflection, so the source works in a Native AOT executable.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(GoogleUserList))]
[JsonSerializable(typeof(GoogleGroupList))]
[JsonSerializable(typeof(GoogleMemberList))]
[JsonSerializable(typeof(GoogleErrorResponse))]
internal sealed partial class GoogleJsonContext : JsonSerializerContext;
