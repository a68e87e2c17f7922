namespace DirectoryConnector.TestSupport.EntraId;

/// <summary>A user object of the stand-in tenant (microsoft.graph.user, the properties the connector selects).</summary>
public sealed record EntraUser(
    string Id,
    string UserPrincipalName,
    string? Mail = null,
    bool AccountEnabled = true,
    string UserType = "Member",
    string? DisplayName = null);
