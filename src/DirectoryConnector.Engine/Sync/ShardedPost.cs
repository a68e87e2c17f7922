using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Planning;

namespace DirectoryConnector.Engine.Sync;

/// <summary>
/// What one sync posts: the members and groups of the shards that changed (a changed group whole, with its full member
/// list), plus the deleted entries that remove a member; and which shard digests may advance once some or all of its
/// requests were applied.
/// </summary>
internal sealed class ShardedPost
{
    private readonly ImportPlan plan;
    private readonly bool[] memberShards;
    private readonly bool[] groupShards;
    private readonly bool[] heldBackMemberShards = new bool[ShardHashes.Count];
    private readonly bool[] heldBackGroupShards = new bool[ShardHashes.Count];
    private readonly bool sendMembers;
    private readonly bool sendGroups;
    private IReadOnlyList<OrganizationImportRequest>? requests;

    private ShardedPost(ImportPlan plan, bool[] memberShards, bool[] groupShards, bool sendMembers, bool sendGroups)
    {
        this.plan = plan;
        this.memberShards = memberShards;
        this.groupShards = groupShards;
        this.sendMembers = sendMembers;
        this.sendGroups = sendGroups;
    }

    public int MemberCount => plan.Members.Count;

    public int GroupCount => plan.Groups.Count;

    /// <param name="plan">The plan to post (conflicts left out, pruned members added).</param>
    /// <param name="read">The plan as read from the directory, before the organization was compared.</param>
    public static ShardedPost Select(ImportPlan plan, ImportPlan read, OrganizationPlan? organization, bool[] memberShards, bool[] groupShards, bool sendMembers, bool sendGroups)
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
            if (groupShards[ShardHashes.ShardOf(group.ExternalId)])
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
            MembersHash = plan.MembersHash,
            GroupsHash = plan.GroupsHash,
            MemberShards = read.MemberShards,
            GroupShards = read.GroupShards,
        }, memberShards, groupShards, sendMembers, sendGroups);
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
    /// unknown so the next sync sends it again. Null for a part the plan has no digests of.
    /// </summary>
    public (ShardHashes? Members, ShardHashes? Groups) Advance(ShardHashes? previousMembers, ShardHashes? previousGroups, int postedRequests)
    {
        var all = requests is null || postedRequests >= requests.Count;
        var appliedMembers = all ? int.MaxValue : requests!.Take(postedRequests).Sum(r => r.Members.Count);
        var appliedGroups = all ? int.MaxValue : requests!.Take(postedRequests).Sum(r => r.Groups.Count);
        var membersDone = Completed(plan.Members.Select(m => m.ExternalId), appliedMembers);
        var groupsDone = Completed(plan.Groups.Select(g => g.ExternalId), appliedGroups);
        return (
            plan.MemberShards?.Keeping(shard => !heldBackMemberShards[shard] && (memberShards[shard] ? membersDone[shard] : plan.MemberShards.Matches(previousMembers, shard))),
            plan.GroupShards?.Keeping(shard => !heldBackGroupShards[shard] && (groupShards[shard] ? groupsDone[shard] : plan.GroupShards.Matches(previousGroups, shard))));
    }

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
                heldBackGroupShards[ShardHashes.ShardOf(group.ExternalId)] = true;
            }
        }
    }
}
