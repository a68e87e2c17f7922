namespace DirectoryConnector.Engine.Sources;

/// <summary>A group as read from the directory, with its direct members only.</summary>
/// <param name="ReferenceId">Canonical key by which other groups refer to this group.</param>
/// <param name="ExternalId">The identity Bitwarden stores.</param>
/// <param name="Name">The group's name; null when the entry has none.</param>
/// <param name="MemberReferences">Direct members as canonical keys: <see cref="DirectoryUser.ReferenceId"/>s,
/// other groups' <see cref="ReferenceId"/>s, or values that match neither (reported as unknown members).</param>
/// <param name="Selected">False when the group filter or path leaves the group out: it is not sent, but nesting
/// is still resolved through it so a kept parent keeps the users it gets through it.</param>
/// <param name="DisplayName">How reports name this entry: the DN as the server wrote it, or the object id.</param>
public sealed record DirectoryGroup(
    string ReferenceId,
    string ExternalId,
    string? Name,
    IReadOnlyList<string> MemberReferences,
    bool Selected,
    string DisplayName)
{
    /// <summary>Why <see cref="MemberReferences"/> is known to be only part of the group's members (e.g. an export
    /// holding only the first range of an Active Directory member attribute); null when the list is complete. The
    /// planner sends neither this group nor any group that gets members through it, since the import replaces a
    /// group's membership and an incomplete list would remove members.</summary>
    public string? IncompleteReason { get; init; }
}
