namespace DirectoryConnector.Engine.Bitwarden.Organization;

/// <summary>A group as GET {api}/public/groups lists it (GroupResponseModel; members are not listed).</summary>
public sealed record OrganizationGroup(Guid Id, string Name, string? ExternalId);
