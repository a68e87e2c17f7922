namespace DirectoryConnector.Engine.Bitwarden.Organization;

/// <summary>A member as GET {api}/public/members lists it (MemberResponseModel).</summary>
/// <param name="Id">The organization user id (the one DELETE /public/members/{id} takes).</param>
/// <param name="Email">As stored: the import and invitations store it lowercased; a hand invite may keep its case.</param>
/// <param name="ExternalId">The identity a directory sync linked it to; null or empty when none did.</param>
/// <param name="Type">OrganizationUserType: Owner 0, Admin 1, User 2, Custom 4.</param>
/// <param name="Status">OrganizationUserStatusType: Revoked -1, Invited 0, Accepted 1, Confirmed 2, Staged 3.</param>
public sealed record OrganizationMember(Guid Id, string Email, string? ExternalId, int Type, int Status)
{
    public const int OwnerType = 0;
    public const int InvitedStatus = 0;
    public const int StagedStatus = 3;

    public bool IsOwner => Type == OwnerType;

    /// <summary>Invited or staged: no account with a master password in this organization yet.</summary>
    public bool IsPending => Status is InvitedStatus or StagedStatus;

    public bool HasExternalId => !string.IsNullOrWhiteSpace(ExternalId);

    public override string ToString() => HasExternalId ? $"{Email} (external id {ExternalId})" : $"{Email} (no external id)";
}
