using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Planning;

namespace DirectoryConnector.Engine.Sync;

/// <summary>What one run did.</summary>
public sealed class SyncOutcome
{
    public required SyncResult Result { get; init; }

    /// <summary>The plan of this run; null when the source's cursor proved nothing changed (<see cref="SourceUnchanged"/>):
    /// then nothing was read or planned, and the counts are those of <see cref="State"/>.</summary>
    public required ImportPlan? Plan { get; init; }

    /// <summary>True when the source's cursor proved that nothing changed since the last sync, so nothing was read in full.</summary>
    public bool SourceUnchanged { get; init; }

    /// <summary>Why a read that had a cursor was a full read (expired or rejected cursor); null otherwise.</summary>
    public string? FullReadReason { get; init; }

    /// <summary>The requests posted (Synced) or that would be posted (DryRun, Previewed).</summary>
    public required IReadOnlyList<OrganizationImportRequest> Requests { get; init; }

    public required bool MembersChanged { get; init; }

    public required bool GroupsChanged { get; init; }

    /// <summary>The state to keep for the next run.</summary>
    public required SyncState State { get; init; }
}
