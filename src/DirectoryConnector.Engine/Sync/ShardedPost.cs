using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Planning;

namespace DirectoryConnector.Engine.Sync;

/// <summary>
/// What one sync posts: the members of the shards that changed, the groups of the shards that changed whose own digest
/// is not among those last posted (<see cref="GroupDigestSet"/>; a changed group whole, with its full member list),
/// plus the deleted entries that remove a member; and which digests may advance once some or all of its requests were
/// applied.
/// </summary>
internal sealed class ShardedPost
{
    private readonly ImportPlan plan;
    private readonly bool[] memberShards;
    private readonly bool[] groupShards;
    private readonly bool[] heldBackMemberShards = new bool[ShardHashes.Count];
    private readonly bool[] heldBackGroupShards = new bool[ShardHashes.Count];
    private readonly HashSet<string> heldBackGroups = new(StringComparer.Ordinal);
    private readonly GroupDigestSet? previousGroupDigests;
    private readonly bool sendMembers;
    private readonly bool sendGroups;
    private IReadOnlyList<OrganizationImportRequest>? requests;

    private ShardedPost(ImportPlan plan, bool[] memberShards, bool[] groupShards, GroupDigestSet? previousGroupDigests, bool sendMembers, bool sendGroups)
    {
        this.plan = plan;
        this.previousGroupDigests = previousGroupDigests;
        this.memberShards = memberShards;
        this.groupShards = groupShards;
        this.sendMembers = sendMembers;
        this.sendGroups = sendGroups;
    }

    public int MemberCount => plan.Members.Count;

    public int GroupCount => plan.Groups.Count;

    /// <param name="plan">The plan to post (conflicts left out, pruned members added).</param>
    /// <param name="read">The plan as read from the directory, before the organization was compared.</param>
    /// <param name="previousGroupDigests">The digests of the groups last posted; null posts every group of a changed
    /// shard (overwriteExisting, a forced sync, or a state without them).</param>
    public static ShardedPost Select(ImportPlan plan, ImportPlan read, OrganizationPlan? organization, bool[] memberShards, bool[] groupShards,
        GroupDigestSet? previousGroupDigests, bool sendMembers, bool sendGroups)
    {
        var removals = organization is { MemberRemovals.Count: > 0 }
            ? organization.MemberRemovals.Select(m => m.ExternalId).OfType<string>().ToHashSet(StringComparer.Ordinal)
            : null;
        var members = new List<PlannedMember>();
        foreach (var member in plan.Members)
        {
            if (memberShards[ShardHashes.ShardOf(member.ExternalId)] || (member.Deleted && removals?.Contains(member.ExternalId) == true))
            {
                members.Add(member);
            }
        }

        var groups = new List<PlannedGroup>();
        foreach (var group in plan.Groups)
        {
            if (groupShards[ShardHashes.ShardOf(group.ExternalId)] && !WasPosted(group.ExternalId, read, previousGroupDigests))
            {
                groups.Add(group);
            }
        }

        // Shard by shard (stable: canonical order within a shard), so an interrupted import leaves whole shards done.
        var post = new ShardedPost(new ImportPlan
        {
            Members = [.. members.OrderBy(m => ShardHashes.ShardOf(m.ExternalId))],
            Groups = [.. groups.OrderBy(g => ShardHashes.ShardOf(g.ExternalId))],
            Skipped = plan.Skipped,
            Warnings = plan.Warnings,
            OverwriteExisting = plan.OverwriteExisting,
            Present = plan.Present,
            MembersHash = plan.MembersHash,
            GroupsHash = plan.GroupsHash,
            MemberShards = read.MemberShards,
            GroupShards = read.GroupShards,
            GroupDigests = read.GroupDigests,
        }, memberShards, groupShards, previousGroupDigests, sendMembers, sendGroups);
        if (organization is { Conflicts.Count: > 0 })
        {
            post.HoldBackConflicts(plan.Members, read);
        }

        return post;
    }

    /// <summary>The import requests (built once): members first, then groups, in chunks.</summary>
    public IReadOnlyList<OrganizationImportRequest> Requests(bool inviteUsersAfterProvisioning)
        => requests ??= sendMembers || sendGroups ? ImportRequestBuilder.Build(plan, sendMembers, sendGroups, inviteUsersAfterProvisioning) : [];

    /// <summary>
    /// The digests to keep after the first <paramref name="postedRequests"/> requests were applied: a shard that was
    /// posted advances when every one of its entries was in an applied request; a shard that was not posted keeps its
    /// digest when it matched; a shard holding an entry left out for a conflict (or a group listing one) is marked
    /// unknown so the next sync sends it again. A group's own digest is kept when it was in an applied request, or was
    /// not posted because it was unchanged; a group listing a held-back member loses it. Null for a part the plan has
    /// no digests of.
    /// </summary>
    public (ShardHashes? Members, ShardHashes? Groups, GroupDigestSet? GroupDigests) Advance(ShardHashes? previousMembers, ShardHashes? previousGroups, int postedRequests)
    {
        var all = requests is null || postedRequests >= requests.Count;
        var appliedMembers = all ? int.MaxValue : requests!.Take(postedRequests).Sum(r => r.Members.Count);
        var appliedGroups = all ? int.MaxValue : requests!.Take(postedRequests).Sum(r => r.Groups.Count);
        var membersDone = Completed(plan.Members.Select(m => m.ExternalId), appliedMembers);
        var groupsDone = Completed(plan.Groups.Select(g => g.ExternalId), appliedGroups);
        return (
            plan.MemberShards?.Keeping(shard => !heldBackMemberShards[shard] && (memberShards[shard] ? membersDone[shard] : plan.MemberShards.Matches(previousMembers, shard))),
            plan.GroupShards?.Keeping(shard => !heldBackGroupShards[shard] && (groupShards[shard] ? groupsDone[shard] : plan.GroupShards.Matches(previousGroups, shard))),
            GroupDigestsAfter(previousGroups, appliedGroups));
    }

    private GroupDigestSet? GroupDigestsAfter(ShardHashes? previousGroups, int appliedGroups)
    {
        if (plan.GroupDigests is not { } current)
        {
            return null;
        }

        // Requests keep the plan's order: the first appliedGroups of the posted groups were applied.
        var posted = new Dictionary<string, bool>(StringComparer.Ordinal);
        for (var i = 0; i < plan.Groups.Count; i++)
        {
            posted[plan.Groups[i].ExternalId] = i < appliedGroups;
        }

        var kept = new List<ulong>(current.Count);
        foreach (var (externalId, digest) in current)
        {
            var keep = !heldBackGroups.Contains(externalId) && (posted.TryGetValue(externalId, out var applied)
                ? applied
                : previousGroupDigests?.Contains(digest) == true || plan.GroupShards?.Matches(previousGroups, ShardHashes.ShardOf(externalId)) == true);
            if (keep)
            {
                kept.Add(digest);
            }
        }

        return GroupDigestSet.Of(kept);
    }

    /// <summary>True when the group's content is among the groups last posted, so it need not be sent again.</summary>
    private static bool WasPosted(string externalId, ImportPlan read, GroupDigestSet? previous)
        => previous is not null && read.GroupDigests?.TryGetValue(externalId, out var digest) == true && previous.Contains(digest);

    /// <summary>Which shards have all their posted entries among the first <paramref name="applied"/> of the part
    /// (requests keep the plan's order).</summary>
    private static bool[] Completed(IEnumerable<string> externalIds, int applied)
    {
        var done = new bool[ShardHashes.Count];
        Array.Fill(done, true);
        var index = 0;
        foreach (var externalId in externalIds)
        {
            if (index++ >= applied)
            {
                done[ShardHashes.ShardOf(externalId)] = false;
            }
        }

        return done;
    }

    private void HoldBackConflicts(IReadOnlyList<PlannedMember> sentMembers, ImportPlan read)
    {
        var sent = sentMembers.Select(m => m.ExternalId).ToHashSet(StringComparer.Ordinal);
        var heldBack = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in read.Members)
        {
            if (!member.Deleted && !sent.Contains(member.ExternalId))
            {
                heldBack.Add(member.ExternalId);
                heldBackMemberShards[ShardHashes.ShardOf(member.ExternalId)] = true;
            }
        }

        // A group posted while one of its members was held back lacks that member on the server: send it again with them.
        foreach (var group in read.Groups)
        {
            if (group.MemberExternalIds.Any(heldBack.Contains))
            {
                heldBackGroups.Add(group.ExternalId);
                heldBackGroupShards[ShardHashes.ShardOf(group.ExternalId)] = true;
            }
        }
    }
}
