namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>The fields of Okta's User object the source reads (GET /api/v1/users).</summary>
public sealed record OktaUser(string Id, string? Status, DateTimeOffset? LastUpdated, OktaUserProfile? Profile);
