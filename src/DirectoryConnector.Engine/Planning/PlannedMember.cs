using DirectoryConnector.Engine.Sources;

namespace DirectoryConnector.Engine.Planning;

/// <summary>A member as it will be sent: normalized email, external id and whether it is removed.</summary>
/// <param name="Disabled">Disabled in the directory (kept as a member unless removeDisabled).</param>
/// <param name="Deleted">Sent as deleted: removed from the organization.</param>
/// <param name="DisplayName">The DN or id it came from, for reports.</param>
public sealed record PlannedMember(string Email, string ExternalId, bool Disabled, bool Deleted, string DisplayName);
