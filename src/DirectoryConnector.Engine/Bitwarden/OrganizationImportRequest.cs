namespace DirectoryConnector.Engine.Bitwarden;

/// <summary>The body of POST {api}/public/organization/import (properties in the order the original connector sends them).</summary>
public sealed record OrganizationImportRequest(
    IReadOnlyList<ImportGroupRequest> Groups,
    IReadOnlyList<ImportMemberRequest> Members,
    bool OverwriteExisting,
    bool LargeImport,
    bool InviteUsersAfterProvisioning);
