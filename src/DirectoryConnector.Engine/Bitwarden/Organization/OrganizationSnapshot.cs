namespace DirectoryConnector.Engine.Bitwarden.Organization;

/// <summary>The organization's members and groups, read completely at the start of a sync.</summary>
public sealed class OrganizationSnapshot
{
    public required IReadOnlyList<OrganizationMember> Members { get; init; }

    public required IReadOnlyList<OrganizationGroup> Groups { get; init; }

    /// <summary>Member ids (organization user ids) of the groups whose membership was read, by group id; a group not
    /// in it was not read. Null when no membership was read: a sync that posts no groups changes none
    /// (<see cref="BitwardenOrganizationClient.ReadGroupMemberIdsAsync"/>).</summary>
    public IReadOnlyDictionary<Guid, IReadOnlyList<Guid>>? GroupMemberIds { get; init; }
}
