namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>The fields of Okta's Group object the source reads (GET /api/v1/groups). Type is OKTA_GROUP, APP_GROUP
/// or BUILT_IN; lastUpdated changes with the profile only, lastMembershipUpdated with the members.</summary>
public sealed record OktaGroup(string Id, string? Type, DateTimeOffset? LastUpdated, DateTimeOffset? LastMembershipUpdated, OktaGroupProfile? Profile);
