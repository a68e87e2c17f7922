using DirectoryConnector.Engine.Sources;

namespace DirectoryConnector.Engine.Planning;

/// <summary>A group as it will be sent: flat, with the external ids of every user it contains transitively.</summary>
public sealed record PlannedGroup(string Name, string ExternalId, IReadOnlyList<string> MemberExternalIds, string DisplayName);
