namespace DirectoryConnector.Engine.Bitwarden.Organization;

/// <summary>The organization's members and groups, read completely at the start of a sync.</summary>
public sealed class OrganizationSnapshot
{
    public required IReadOnlyList<OrganizationMember> Members { get; init; }

    public required IReadOnlyList<OrganizationGroup> Groups { get; init; }
}
