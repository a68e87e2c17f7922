using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Sources.OneLogin;

/// <summary>A user assigned to a role, as GET /api/2/roles/{id}/users lists it (developers.onelogin.com/api-docs/2/roles/get-role-users).</summary>
public sealed record OneLoginRoleMember(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("username")] string? Username);
