using DirectoryConnector.Engine.Sync;
using DirectoryConnector.Operator.Resources;

namespace DirectoryConnector.Operator.Reconciliation;

/// <summary>The one mapping between the engine's <see cref="SyncState"/> and the DirectorySync status fields that keep
/// it: what a sync reads back (<see cref="Of"/>, <see cref="Previous"/>) and what a sync that posted records (<see cref="Record"/>).</summary>
public static class SyncStateStatus
{
    /// <summary>The state a sync starts from: null before the first sync attempt.</summary>
    public static SyncState? Previous(DirectorySyncStatus status)
        => status.LastSyncTime is null && status.MembersHash is null && status.GroupsHash is null ? null : Of(status);

    /// <summary>The state the status remembers (null for no status).</summary>
    public static SyncState? Of(DirectorySyncStatus? status)
        => status is null
            ? null
            : new SyncState
            {
                MembersHash = status.MembersHash,
                GroupsHash = status.GroupsHash,
                MemberShards = status.MemberShards,
                GroupShards = status.GroupShards,
                GroupDigests = status.GroupDigests,
                LastSyncTime = Utc(status.LastSyncTime),
                LastSuccessfulSyncTime = Utc(status.LastSuccessfulSyncTime),
                UserCount = status.UserCount,
                GroupCount = status.GroupCount,
                SkippedCount = status.SkippedCount,
                ManagedMembers = ManagedSetEncoding.Decode(status.ManagedMembers),
                ManagedGroups = ManagedSetEncoding.Decode(status.ManagedGroups),
                RemovedDisabled = ManagedSetEncoding.Decode(status.RemovedDisabled),
                Organization = status.Organization,
                SourceCursor = status.SourceCursor,
                SourceCursorScope = status.SourceCursorScope,
                LastFullReadTime = Utc(status.LastFullReadTime),
            };

    /// <summary>Records what Bitwarden accepted: the hashes and shard digests (a null hash stays null, so the next sync
    /// posts again), the source cursor and the managed sets (a set the engine did not record keeps its last value).
    /// Times and counts belong to the outcome and are the caller's.</summary>
    public static void Record(DirectorySyncStatus status, SyncState state)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(state);
        status.MembersHash = state.MembersHash;
        status.GroupsHash = state.GroupsHash;
        status.MemberShards = state.MemberShards;
        status.GroupShards = state.GroupShards;
        status.GroupDigests = state.GroupDigests;
        status.SourceCursor = state.SourceCursor;
        status.SourceCursorScope = state.SourceCursorScope;
        status.LastFullReadTime = state.LastFullReadTime?.UtcDateTime;
        status.ManagedMembers = ManagedSetEncoding.Encode(state.ManagedMembers) ?? status.ManagedMembers;
        status.ManagedGroups = ManagedSetEncoding.Encode(state.ManagedGroups) ?? status.ManagedGroups;
        status.RemovedDisabled = ManagedSetEncoding.Encode(state.RemovedDisabled) ?? status.RemovedDisabled;
        status.Organization = state.Organization ?? status.Organization;
    }

    private static DateTimeOffset? Utc(DateTime? time)
        => time is { } value ? new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)) : null;
}
