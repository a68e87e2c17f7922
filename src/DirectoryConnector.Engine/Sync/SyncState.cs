namespace DirectoryConnector.Engine.Sync;

/// <summary>
/// What the engine remembers between syncs: the operator keeps it in the DirectorySync's status,
/// the CLI in its --state file. A sync whose hashes match posts nothing.
/// </summary>
public sealed record SyncState
{
    public string? MembersHash { get; init; }

    public string? GroupsHash { get; init; }

    /// <summary>Per-shard digests of the members last posted (<see cref="Planning.ShardHashes.Encode"/>): a sync posts
    /// only the members of shards that differ. Null (state from before shards, or members not synced): every shard differs.</summary>
    public string? MemberShards { get; init; }

    /// <summary>Per-shard digests of the groups last posted, like <see cref="MemberShards"/>.</summary>
    public string? GroupShards { get; init; }

    /// <summary>The content digests of the groups last posted (<see cref="Planning.GroupDigestSet.Encode"/>): within a
    /// changed group shard, only the groups whose digest is not among them are posted. Null: all groups of a changed shard.</summary>
    public string? GroupDigests { get; init; }

    public DateTimeOffset? LastSyncTime { get; init; }

    public DateTimeOffset? LastSuccessfulSyncTime { get; init; }

    public int? UserCount { get; init; }

    public int? GroupCount { get; init; }

    public int? SkippedCount { get; init; }

    /// <summary>External ids of the members this DirectorySync manages: sent as active by its own successful syncs and
    /// not removed since, sorted. Null until the first sync that recorded them. Only these are ever pruned.</summary>
    public IReadOnlyList<string>? ManagedMembers { get; init; }

    /// <summary>External ids of the groups this DirectorySync manages, sorted; null until recorded.</summary>
    public IReadOnlyList<string>? ManagedGroups { get; init; }

    /// <summary>External ids this DirectorySync removed because their directory account was disabled (removeDisabled)
    /// and that are still disabled, sorted; null until recorded. Invited again, they are reported re-enabled.</summary>
    public IReadOnlyList<string>? RemovedDisabled { get; init; }

    /// <summary>The Bitwarden server and organization (<c>{apiUrl}|{ORGANIZATION-ID}</c>) that <see cref="ManagedMembers"/>,
    /// <see cref="ManagedGroups"/> and <see cref="RemovedDisabled"/> belong to; null in states from before it was kept.</summary>
    public string? Organization { get; init; }

    /// <summary>The source's cursor after the last successful sync (<see cref="Sources.DirectorySnapshot.Cursor"/>).</summary>
    public string? SourceCursor { get; init; }

    /// <summary>SHA-256 of what the cursor was read with (source spec, filters, sync options, organization): a cursor
    /// is handed back only while they are unchanged, so a spec change always brings a full read.</summary>
    public string? SourceCursorScope { get; init; }

    /// <summary>When the source last did a full read that a successful sync used.</summary>
    public DateTimeOffset? LastFullReadTime { get; init; }
}
