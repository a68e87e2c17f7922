namespace DirectoryConnector.Engine.Sources;

/// <summary>Why an entry is not sent. Every entry that is not sent is reported, never dropped silently.</summary>
/// <param name="Entry">The DN or id of the entry.</param>
/// <param name="Kind">user, group or member.</param>
/// <param name="Reason">A sentence an administrator can act on.</param>
public sealed record SkippedEntry(string Entry, SkippedEntryKind Kind, string Reason)
{
    /// <summary>"user", "group" or "member", as reports print it.</summary>
    public string KindName => Kind switch
    {
        SkippedEntryKind.User => "user",
        SkippedEntryKind.Group => "group",
        _ => "member",
    };

    /// <summary>The order every report lists skipped entries in: users, groups, members, each by entry (ordinal).</summary>
    public static IEnumerable<SkippedEntry> InReportOrder(IEnumerable<SkippedEntry> entries)
        => entries.OrderBy(e => e.Kind).ThenBy(e => e.Entry, StringComparer.Ordinal);

    /// <summary>"user cn=…: has no email address …": how every report that prints one line an entry prints it.</summary>
    public override string ToString() => $"{KindName} {Entry}: {Reason}";
}
