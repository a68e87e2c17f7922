namespace DirectoryConnector.TestSupport.Bitwarden;

/// <summary>OrganizationUserStatusType.</summary>
public enum StandInMemberStatus
{
    Revoked = -1,
    Invited = 0,
    Accepted = 1,
    Confirmed = 2,
    Staged = 3,
}

/// <summary>OrganizationUserType.</summary>
public enum StandInMemberType
{
    Owner = 0,
    Admin = 1,
    User = 2,
    Custom = 4,
}

/// <summary>A member of the in-memory organization.</summary>
public sealed record StandInMember(Guid Id, string Email, string? ExternalId, StandInMemberStatus Status, StandInMemberType Type, bool HasMasterPassword);

/// <summary>A group of the in-memory organization, with the ids of its members.</summary>
public sealed record StandInGroup(Guid Id, string Name, string? ExternalId, IReadOnlySet<Guid> MemberIds);
