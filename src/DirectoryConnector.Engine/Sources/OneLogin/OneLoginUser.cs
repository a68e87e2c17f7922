using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Sources.OneLogin;

/// <summary>A user as GET /api/2/users lists it (the fields the sync reads; developers.onelogin.com/api-docs/2/users/list-users).</summary>
/// <param name="Id">The OneLogin user id: the external id and the key role membership refers to.</param>
/// <param name="Status">0 unactivated, 1 active, 2 suspended, 3 locked, 4 password expired, 5 awaiting password reset,
/// 7 password pending, 8 security questions required (onelogin-go-sdk models/user.go).</param>
public sealed record OneLoginUser(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("username")] string? Username,
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("status")] int? Status);
