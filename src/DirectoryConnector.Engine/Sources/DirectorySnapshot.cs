namespace DirectoryConnector.Engine.Sources;

/// <summary>Everything one read of a source returned.</summary>
public sealed class DirectorySnapshot
{
    /// <summary>The longest cursor a source may return (characters): it is kept in the DirectorySync's status
    /// and the CLI's state file, which must stay small.</summary>
    public const int MaxCursorLength = 8192;

    public required IReadOnlyList<DirectoryUser> Users { get; init; }

    public required IReadOnlyList<DirectoryGroup> Groups { get; init; }

    /// <summary>Entries the source itself could not use (e.g. an unreadable attribute), with the reason.</summary>
    public IReadOnlyList<SkippedEntry> Skipped { get; init; } = [];

    /// <summary>What the source read but used only in part, one sentence each naming the entry (e.g. a second mail
    /// value that is ignored). Nothing is left out because of a warning: left-out entries are in <see cref="Skipped"/>.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Why this source cannot tell disabled users from active ones (null when it can): the planner then says
    /// once that removeDisabled has no effect, instead of staying silent.</summary>
    public string? DisabledUnknownReason { get; init; }

    /// <summary>An opaque, bounded (<see cref="MaxCursorLength"/>) position in the directory's change history (a delta
    /// link, a sync cookie, a highest USN, a content hash) that a later read can start from; null when the source
    /// has none. The engine stores it only after a successful sync.</summary>
    public string? Cursor { get; init; }

    /// <summary>True only when the query's cursor proves that nothing changed since it was issued, deletions included.
    /// <see cref="Users"/> and <see cref="Groups"/> are then empty and the engine posts nothing. Whenever anything
    /// changed, a source does a full read instead (never a partial one: a cursor must never hide a deletion).</summary>
    public bool Unchanged { get; init; }

    /// <summary>Why a query that carried a cursor got a full read (e.g. "the delta link expired"); null otherwise.</summary>
    public string? FullReadReason { get; init; }
}
