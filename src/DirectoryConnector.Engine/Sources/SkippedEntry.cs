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

    /// <summary>"user cn=…: has no email address …".</summary>
    public override string ToString() => $"{KindName} {Entry}: {Reason}";
}
