using DirectoryConnector.Engine.Sources;

namespace DirectoryConnector.Engine.Planning;

/// <summary>A member as it will be sent: normalized email, external id and whether it is removed.</summary>
/// <param name="Disabled">Disabled in the directory (kept as a member unless removeDisabled).</param>
/// <param name="Deleted">Sent as deleted: removed from the organization.</param>
/// <param name="DisplayName">The DN or id it came from, for reports.</param>
public sealed record PlannedMember(string Email, string ExternalId, bool Disabled, bool Deleted, string DisplayName);

/// <summary>A group as it will be sent: flat, with the external ids of every user it contains transitively.</summary>
public sealed record PlannedGroup(string Name, string ExternalId, IReadOnlyList<string> MemberExternalIds, string DisplayName);

/// <summary>What a sync would send, in canonical order (by external id), and what it leaves out.</summary>
public sealed class ImportPlan
{
    public required IReadOnlyList<PlannedMember> Members { get; init; }

    public required IReadOnlyList<PlannedGroup> Groups { get; init; }

    /// <summary>Every entry that is not sent, with the reason: source-level and planner-level skips together.</summary>
    public required IReadOnlyList<SkippedEntry> Skipped { get; init; }

    /// <summary>What the run could not do as configured though nothing was left out (a second mail value ignored,
    /// removeDisabled without a way to tell disabled users apart), one sentence each, in the source's order.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public required bool OverwriteExisting { get; init; }

    /// <summary>SHA-256 (hex) of the canonical JSON of the members part as it would be posted, scoped to the target organization.</summary>
    public required string MembersHash { get; init; }

    /// <summary>SHA-256 (hex) of the canonical JSON of the groups part as it would be posted, scoped to the target organization.</summary>
    public required string GroupsHash { get; init; }
}
