using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Sources.OneLogin;

/// <summary>A role as GET /api/2/roles lists it; roles become Bitwarden groups, as in the original connector.</summary>
public sealed record OneLoginRole(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("name")] string? Name);
