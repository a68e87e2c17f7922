namespace DirectoryConnector.Engine.Planning;

/// <summary>How one group's membership changes in a sync, as member emails, sorted. Members who join or leave the
/// organization in the same sync are listed too (an invitee added to its groups, a removed member leaving them).</summary>
/// <param name="Group">The group's name after the sync.</param>
public sealed record GroupMembershipChange(string Group, IReadOnlyList<string> AddedMembers, IReadOnlyList<string> RemovedMembers)
{
    /// <summary>"Dev: +ann@example.com, -ben@example.com".</summary>
    public override string ToString()
        => $"{Group}: " + string.Join(", ", AddedMembers.Select(e => "+" + e).Concat(RemovedMembers.Select(e => "-" + e)));
}
