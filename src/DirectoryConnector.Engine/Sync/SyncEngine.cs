using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Sync;

public enum SyncResult
{
    /// <summary>Changes were posted to Bitwarden.</summary>
    Synced,

    /// <summary>The hashes matched the previous state: nothing was posted.</summary>
    UpToDate,

    /// <summary>Dry run: everything but the POST.</summary>
    DryRun,

    /// <summary>The CLI's test: never calls Bitwarden.</summary>
    Previewed,
}

public sealed record SyncRunOptions(bool Force = false, bool DryRun = false);

/// <summary>What one run did.</summary>
public sealed class SyncOutcome
{
    public required SyncResult Result { get; init; }

    public required ImportPlan Plan { get; init; }

    /// <summary>The requests posted (Synced) or that would be posted (DryRun, Previewed).</summary>
    public required IReadOnlyList<OrganizationImportRequest> Requests { get; init; }

    public required bool MembersChanged { get; init; }

    public required bool GroupsChanged { get; init; }

    /// <summary>The state to keep for the next run.</summary>
    public required SyncState State { get; init; }
}

/// <summary>Source → planner → Bitwarden client → outcome (CONTRACT: body filled in by the CLI/engine work).</summary>
public sealed class SyncEngine(BitwardenClient bitwarden, TimeProvider time, ILogger<SyncEngine> logger)
{
    /// <summary>The "test" of the original connector: reads the source and plans, never calls Bitwarden.</summary>
    public Task<SyncOutcome> PreviewAsync(DirectorySyncSpec spec, IDirectorySource source, CancellationToken cancellationToken)
        => throw new NotImplementedException($"contract placeholder {bitwarden}{time}{logger}");

    /// <summary>One sync: posts only the parts whose hash differs from <paramref name="previous"/> (all with Force).</summary>
    public Task<SyncOutcome> SyncAsync(DirectorySyncSpec spec, IDirectorySource source, IReferenceResolver references, SyncState? previous, SyncRunOptions options, CancellationToken cancellationToken)
        => throw new NotImplementedException("contract placeholder");
}
