using System.Text.Json;
using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Sources.GoogleWorkspace;

/// <summary>The JSON key and token response contracts, generated at compile time (no reflection, so they work in a
/// Native AOT executable). Lenient as Google's own parser was: any case, comments, trailing commas, numbers as strings.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(GoogleServiceAccountKeyFile))]
[JsonSerializable(typeof(GoogleTokenResponse))]
internal sealed partial class GoogleAuthJsonContext : JsonSerializerContext;
