namespace DirectoryConnector.Engine.Bitwarden;

/// <summary>A member in an import request. Deleted members are removed from the organization.</summary>
public sealed record ImportMemberRequest(string Email, string ExternalId, bool Deleted);
