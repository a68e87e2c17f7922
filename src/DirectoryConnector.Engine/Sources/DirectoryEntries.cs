namespace DirectoryConnector.Engine.Sources;

// What a source yields: users and groups as the directory describes them, before the planner
// normalizes, validates, flattens and diffs them.

/// <summary>A user as read from the directory.</summary>
/// <param name="ReferenceId">Canonical key by which groups refer to this user (a canonical DN for LDAP, an object id for SaaS).</param>
/// <param name="ExternalId">The identity Bitwarden stores (objectGUID, DN, entryUUID, object id).</param>
/// <param name="Email">The raw email as read; the planner trims and lowercases it. Null when the entry has none.</param>
/// <param name="Disabled">The account is disabled in the directory.</param>
/// <param name="Deleted">The account is deleted (tombstone, deprovisioned); only read when the sync asks for deleted users.</param>
/// <param name="DisplayName">How reports name this entry: the DN as the server wrote it, or the object id.</param>
public sealed record DirectoryUser(
    string ReferenceId,
    string ExternalId,
    string? Email,
    bool Disabled,
    bool Deleted,
    string DisplayName)
{
    /// <summary>Where <see cref="Email"/> came from, in the source's terms (the attribute "mail", or
    /// "uid + emailSuffix" when built), so a report on an unusable address names what to fix. Null when unknown.</summary>
    public string? EmailOrigin { get; init; }
}

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

/// <summary>What to read from a source.</summary>
/// <param name="Users">Read users (they are read anyway when groups are, to resolve members).</param>
/// <param name="Groups">Read groups.</param>
/// <param name="IncludeDeleted">Also read deleted users (tombstones): only when the sync overwrites existing members,
/// because sending them as deleted removes members (upstream PR #548).</param>
public sealed record DirectoryQuery(bool Users, bool Groups, bool IncludeDeleted)
{
    /// <summary>The sync removes disabled users: a source that must do extra work to tell them apart (or to find out
    /// that it cannot) does it only then.</summary>
    public bool RemoveDisabled { get; init; }

    /// <summary>The cursor this source returned with its last snapshot, or null for a full read (interim: the
    /// "Source providers" change defines it).</summary>
    public string? Cursor { get; init; }
}

/// <summary>Everything one read of a source returned.</summary>
public sealed class DirectorySnapshot
{
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

    public const int MaxCursorLength = 8192;

    public string? Cursor { get; init; }

    public bool Unchanged { get; init; }

    public string? FullReadReason { get; init; }
}

/// <summary>Why an entry is not sent. Every entry that is not sent is reported, never dropped silently.</summary>
/// <param name="Entry">The DN or id of the entry.</param>
/// <param name="Kind">user, group or member.</param>
/// <param name="Reason">A sentence an administrator can act on.</param>
public sealed record SkippedEntry(string Entry, SkippedEntryKind Kind, string Reason);

public enum SkippedEntryKind
{
    User,
    Group,
    Member,
}
