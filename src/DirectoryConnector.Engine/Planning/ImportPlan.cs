using DirectoryConnector.Engine.Sources;

namespace DirectoryConnector.Engine.Planning;

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

    /// <summary>Who the directory still lists (sent or skipped): what prune and group deletion must keep.</summary>
    public required DirectoryPresence Present { get; init; }

    /// <summary>SHA-256 (hex) of the canonical JSON of the members part as it would be posted, scoped to the target organization.</summary>
    public required string MembersHash { get; init; }

    /// <summary>SHA-256 (hex) of the canonical JSON of the groups part as it would be posted, scoped to the target organization.</summary>
    public required string GroupsHash { get; init; }

    /// <summary>Per-shard digests of the members part (<see cref="ShardHashes"/>); null: every shard counts as changed.</summary>
    public ShardHashes? MemberShards { get; init; }

    /// <summary>Per-shard digests of the groups part; null: every shard counts as changed.</summary>
    public ShardHashes? GroupShards { get; init; }

    /// <summary>Each group's own content digest by external id (<see cref="GroupDigestSet"/>); null: every group of a
    /// changed shard counts as changed.</summary>
    public IReadOnlyDictionary<string, ulong>? GroupDigests { get; init; }
}
