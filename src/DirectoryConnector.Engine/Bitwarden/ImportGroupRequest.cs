namespace DirectoryConnector.Engine.Bitwarden;

/// <summary>A group in an import request: flat, with the external ids of its members.</summary>
public sealed record ImportGroupRequest(string Name, string ExternalId, IReadOnlyList<string> MemberExternalIds);
