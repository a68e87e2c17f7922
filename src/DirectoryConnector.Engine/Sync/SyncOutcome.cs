using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Planning;

namespace DirectoryConnector.Engine.Sync;

/// <summary>What one run did.</summary>
public sealed record SyncOutcome
{
    public required SyncResult Result { get; init; }

    /// <summary>The plan of this run; null when the source's cursor proved nothing changed (<see cref="SourceUnchanged"/>):
    /// then nothing was read or planned, and the counts are those of <see cref="State"/>.</summary>
    public required ImportPlan? Plan { get; init; }

    /// <summary>True when the source's cursor proved that nothing changed since the last sync, so nothing was read in full.</summary>
    public bool SourceUnchanged { get; init; }

    /// <summary>Why a read that had a cursor was a full read (expired or rejected cursor); null otherwise.</summary>
    public string? FullReadReason { get; init; }

    /// <summary>The requests posted (Synced) or that would be posted (DryRun, Previewed); empty for a preview asked not
    /// to build them (<c>SyncEngine.PreviewAsync</c> with buildRequests false).</summary>
    public required IReadOnlyList<OrganizationImportRequest> Requests { get; init; }

    public required bool MembersChanged { get; init; }

    public required bool GroupsChanged { get; init; }

    /// <summary>The state to keep for the next run.</summary>
    public required SyncState State { get; init; }

    /// <summary>What the sync changed (or, dry run, would change) in the organization; null when the organization was not read.</summary>
    public SyncChanges? Changes { get; init; }

    /// <summary>Entries left out because the server would fail on them, each with the fix.</summary>
    public IReadOnlyList<ServerConflict> Conflicts { get; init; } = [];

    /// <summary>The removals this sync was allowed to make past spec.sync.maxDeletions (their plan hash), if any.</summary>
    public string? ApprovedDeletions { get; init; }
}
