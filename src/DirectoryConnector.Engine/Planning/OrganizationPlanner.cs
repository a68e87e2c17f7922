using DirectoryConnector.Engine.Bitwarden.Organization;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Engine.Planning;

/// <summary>
/// Compares an import plan with the organization read before posting (bitwarden-api.md §1.6 is the server's algorithm
/// this predicts). A member or group is <em>managed by this DirectorySync</em> when its external id is one this
/// DirectorySync itself sent as active in a successful sync and has not removed since (kept in status.managed or the
/// CLI state file). Only managed members and groups are pruned; owners, members without an external id and members
/// whose external id this DirectorySync never sent (another DirectorySync's, bwdc's, SCIM's) are never touched, and
/// neither are ids another DirectorySync of the same organization manages (<see cref="ManagedByOthers"/>): a user who
/// moved into its scope is handed over, not removed.
/// </summary>
public static class OrganizationPlanner
{
    /// <summary>Most existing groups whose membership a sync reads (one GET each) to say who joined and left them;
    /// the cloud allows 200 GETs a minute (bitwarden-api.md §1.8).</summary>
    public const int MaxGroupMembershipReads = 100;

    /// <param name="previousMembers">External ids this DirectorySync managed before; null when none were recorded yet
    /// (nothing is pruned then).</param>
    /// <param name="previousRemovedDisabled">External ids this DirectorySync removed because their account was disabled
    /// (<see cref="OrganizationPlan.RemovedDisabled"/> of the last successful sync): invited again, they are re-enabled.</param>
    /// <param name="others">What the other DirectorySyncs feeding this organization manage: never pruned, and no
    /// longer managed here once this directory stops listing them.</param>
    /// <exception cref="SyncFailedException">OrganizationConflict: the organization is in a state every import fails on,
    /// or overwriteExisting would fail or remove an entry that had to be left out.</exception>
    public static OrganizationPlan Plan(ImportPlan plan, OrganizationSnapshot organization, SyncOptionsSpec sync,
        IReadOnlyCollection<string>? previousMembers, IReadOnlyCollection<string>? previousGroups, IReadOnlyCollection<string>? previousRemovedDisabled = null, ManagedByOthers? others = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(organization);
        ArgumentNullException.ThrowIfNull(sync);

        var overwrite = plan.OverwriteExisting;
        var members = organization.Members;
        ThrowIfEveryImportFails(members);

        var byExternalId = members.Where(m => m.HasExternalId).ToDictionary(m => m.ExternalId!, StringComparer.Ordinal);
        // Step 3 links by ordinal email among members without an external id; step 4 skips emails already present
        // case-insensitively.
        var unlinkedByEmail = new Dictionary<string, OrganizationMember>(StringComparer.Ordinal);
        foreach (var member in members.Where(m => !m.HasExternalId))
        {
            if (!unlinkedByEmail.TryAdd(member.Email, member) && plan.Members.Any(m => !m.Deleted))
            {
                throw new SyncFailedException(SyncFailureReason.OrganizationConflict,
                    $"Bitwarden has two members without an external id with the email {member.Email}: every import that carries members fails with HTTP 500 "
                    + "until one of them is removed in the Admin Console. Nothing was sent.", retryable: false);
            }
        }

        // One entry per member (a list only for the rare shared email): at 200,000 members a grouping and a list per
        // email held ~30 MB through the whole plan.
        var byEmail = new Dictionary<string, OrganizationMember>(members.Count, StringComparer.OrdinalIgnoreCase);
        var moreByEmail = new Dictionary<string, List<OrganizationMember>>(StringComparer.OrdinalIgnoreCase);
        foreach (var member in members)
        {
            if (!byEmail.TryAdd(member.Email, member))
            {
                (moreByEmail.TryGetValue(member.Email, out var more) ? more : moreByEmail[member.Email] = []).Add(member);
            }
        }

        var managedBefore = new HashSet<string>(previousMembers ?? [], StringComparer.Ordinal);
        var managedGroupsBefore = new HashSet<string>(previousGroups ?? [], StringComparer.Ordinal);
        others ??= ManagedByOthers.None;

        // Removals decided before the conflicts: a member leaving in this sync frees its email for a new one.
        var present = plan.Present.Users;
        var activeIds = new HashSet<string>(plan.Members.Where(m => !m.Deleted).Select(m => m.ExternalId), StringComparer.Ordinal);
        var removals = new Dictionary<Guid, OrganizationMember>();
        var pruned = new List<OrganizationMember>();
        if (sync.Users)
        {
            foreach (var entry in plan.Members.Where(m => m.Deleted))
            {
                if (byExternalId.TryGetValue(entry.ExternalId, out var member) && !member.IsOwner && !activeIds.Contains(entry.ExternalId))
                {
                    removals[member.Id] = member;
                }
            }

            if (sync.Prune)
            {
                foreach (var member in members.Where(m => m.HasExternalId && !m.IsOwner && managedBefore.Contains(m.ExternalId!)
                             && !present.Contains(m.ExternalId!) && !others.Members.Contains(m.ExternalId!) && !removals.ContainsKey(m.Id)))
                {
                    removals[member.Id] = member;
                    pruned.Add(member);
                }
            }
        }

        var send = new List<PlannedMember>(plan.Members.Count + pruned.Count);
        var conflicts = new List<ServerConflict>();
        var added = new List<string>();
        var reEnabled = new List<string>();
        var linked = new List<string>();
        var removedDisabledBefore = new HashSet<string>(previousRemovedDisabled ?? [], StringComparer.Ordinal);
        // Who is a member once the import ran: external id → email.
        var membersAfter = new Dictionary<string, string>(StringComparer.Ordinal);
        var skippedIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in plan.Members)
        {
            if (entry.Deleted)
            {
                send.Add(entry);
                continue;
            }

            var conflict = Conflict(entry, byExternalId, unlinkedByEmail, byEmail, moreByEmail, removals);
            if (conflict is not null)
            {
                conflicts.Add(new ServerConflict(entry.DisplayName, conflict));
                skippedIds.Add(entry.ExternalId);
                continue;
            }

            send.Add(entry);
            if (!byExternalId.ContainsKey(entry.ExternalId))
            {
                (unlinkedByEmail.ContainsKey(entry.Email) ? linked : removedDisabledBefore.Contains(entry.ExternalId) ? reEnabled : added).Add(entry.Email);
                membersAfter[entry.ExternalId] = entry.Email;
            }
        }

        if (overwrite)
        {
            if (conflicts.Count > 0)
            {
                // Left out under overwriteExisting means removed: the existing member would go.
                throw new SyncFailedException(SyncFailureReason.OrganizationConflict,
                    $"{conflicts.Count} directory entries conflict with the organization, and with overwriteExisting leaving them out would remove "
                    + "their members, so nothing was sent. Fix them, or use spec.sync.prune instead of overwriteExisting: " + string.Join(" | ", conflicts),
                    retryable: false);
            }

            foreach (var member in members.Where(m => m.HasExternalId && !m.IsOwner && !activeIds.Contains(m.ExternalId!)))
            {
                removals[member.Id] = member;
            }

            var pending = removals.Values.Where(m => m.IsPending).ToList();
            if (pending.Count > 0)
            {
                throw new SyncFailedException(SyncFailureReason.OrganizationConflict,
                    $"overwriteExisting would remove {pending.Count} members who have not set a master password yet ("
                    + string.Join(", ", pending.Take(DeletionGuard.SampleSize)) + "); Bitwarden refuses that whole import with \"Sync failed. To proceed, "
                    + "disable the 'Remove and re-add users during next sync' setting\". Nothing was sent. Turn overwriteExisting off and set "
                    + "spec.sync.prune: true, which removes them.", retryable: false);
            }
        }

        send.AddRange(pruned.Select(m => new PlannedMember(m.Email, m.ExternalId!, Disabled: false, Deleted: true, $"{m.Email} (no longer in the directory)")));

        var groupDeletions = new List<OrganizationGroup>();
        if (sync.Groups && sync.Prune)
        {
            var presentGroups = plan.Present.Groups;
            groupDeletions.AddRange(organization.Groups.Where(g => !string.IsNullOrWhiteSpace(g.ExternalId)
                && managedGroupsBefore.Contains(g.ExternalId!) && !presentGroups.Contains(g.ExternalId!) && !others.Groups.Contains(g.ExternalId!)));
        }

        var groupsByExternalId = organization.Groups.Where(g => !string.IsNullOrWhiteSpace(g.ExternalId))
            .GroupBy(g => g.ExternalId!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        // The existing members who stay: only the group membership report needs them (another 200,000 entries otherwise).
        foreach (var (externalId, member) in organization.GroupMemberIds is null ? [] : byExternalId)
        {
            if (!removals.ContainsKey(member.Id))
            {
                membersAfter[externalId] = member.Email;
            }
        }

        var (memberships, membershipsComplete) = GroupMemberships(plan, organization, groupsByExternalId, membersAfter);
        var changes = new SyncChanges
        {
            Added = added,
            ReEnabled = reEnabled,
            Linked = linked,
            Removed = [.. removals.Values.Select(m => m.Email).Order(StringComparer.Ordinal)],
            GroupsCreated = [.. plan.Groups.Where(g => !groupsByExternalId.ContainsKey(g.ExternalId)).Select(g => g.Name)],
            GroupsRenamed = [.. plan.Groups.Where(g => groupsByExternalId.TryGetValue(g.ExternalId, out var old) && old.Name != g.Name)
                .Select(g => $"{groupsByExternalId[g.ExternalId].Name} → {g.Name}")],
            GroupsDeleted = [.. groupDeletions.Select(g => g.Name)],
            GroupMemberships = memberships,
            GroupMembershipsComplete = membershipsComplete,
        };

        // Removed because disabled, and still listed disabled: remembered so that enabling the account again reads as re-enabled.
        var disabledNow = plan.Members.Where(m => m.Deleted && m.Disabled).Select(m => m.ExternalId).ToHashSet(StringComparer.Ordinal);
        var removedDisabled = new SortedSet<string>(removedDisabledBefore.Where(disabledNow.Contains), StringComparer.Ordinal);
        removedDisabled.UnionWith(removals.Values.Select(m => m.ExternalId!).Where(disabledNow.Contains));

        // Managed afterwards: what it managed and still exists or is still listed, plus what it now sends.
        var removedIds = new HashSet<string>(removals.Values.Select(m => m.ExternalId!), StringComparer.Ordinal);
        var managedAfter = new SortedSet<string>(managedBefore.Where(id => byExternalId.ContainsKey(id) || activeIds.Contains(id)), StringComparer.Ordinal);
        managedAfter.UnionWith(activeIds.Where(id => !skippedIds.Contains(id) || byExternalId.ContainsKey(id)));
        managedAfter.ExceptWith(removedIds);
        // Handed over: another DirectorySync manages what this directory no longer lists.
        managedAfter.RemoveWhere(id => others.Members.Contains(id) && !present.Contains(id) && !activeIds.Contains(id));

        var deletedGroupIds = new HashSet<string>(groupDeletions.Select(g => g.ExternalId!), StringComparer.Ordinal);
        var plannedGroupIds = plan.Groups.Select(g => g.ExternalId).ToHashSet(StringComparer.Ordinal);
        var managedGroupsAfter = new SortedSet<string>(managedGroupsBefore.Where(id => groupsByExternalId.ContainsKey(id) || plannedGroupIds.Contains(id)), StringComparer.Ordinal);
        managedGroupsAfter.UnionWith(plannedGroupIds);
        managedGroupsAfter.ExceptWith(deletedGroupIds);
        managedGroupsAfter.RemoveWhere(id => others.Groups.Contains(id) && !plannedGroupIds.Contains(id));

        var memberBase = members.Count(m => m.HasExternalId && !m.IsOwner && (overwrite || managedBefore.Contains(m.ExternalId!) || activeIds.Contains(m.ExternalId!)));
        var groupBase = organization.Groups.Count(g => !string.IsNullOrWhiteSpace(g.ExternalId) && (managedGroupsBefore.Contains(g.ExternalId!) || plannedGroupIds.Contains(g.ExternalId!)));
        var guard = new DeletionGuardReport(
            removals.Count, DeletionGuard.Limit(sync.MaxDeletions, memberBase), memberBase,
            groupDeletions.Count, DeletionGuard.Limit(sync.MaxDeletions, groupBase), groupBase,
            [.. removals.Values.Select(m => m.ToString()).Order(StringComparer.Ordinal).Concat(groupDeletions.Select(g => $"group {g.Name}")).Take(DeletionGuard.SampleSize)],
            DeletionGuard.PlanHash(removedIds, deletedGroupIds));

        return new OrganizationPlan
        {
            Import = new ImportPlan
            {
                Members = send,
                Groups = plan.Groups,
                Skipped = plan.Skipped,
                Warnings = plan.Warnings,
                OverwriteExisting = overwrite,
                Present = plan.Present,
                MembersHash = plan.MembersHash,
                GroupsHash = plan.GroupsHash,
                MemberShards = plan.MemberShards,
                GroupShards = plan.GroupShards,
                GroupDigests = plan.GroupDigests,
            },
            MemberRemovals = [.. removals.Values],
            GroupDeletions = groupDeletions,
            Conflicts = conflicts,
            Changes = changes,
            Guard = guard,
            ManagedMembers = [.. managedAfter],
            ManagedGroups = [.. managedGroupsAfter],
            RemovedDisabled = [.. removedDisabled],
            GroupsListNewMembers = membersAfter.Count > 0 && plan.Groups.Any(g => g.MemberExternalIds.Any(id => membersAfter.ContainsKey(id) && !byExternalId.ContainsKey(id))),
        };
    }

    /// <summary>Per group, who the import adds and removes (step 5 replaces an existing group's members with the listed
    /// external ids that are members after steps 1–4). Existing groups count only when their membership was read.</summary>
    private static (IReadOnlyList<GroupMembershipChange> Changes, bool Complete) GroupMemberships(ImportPlan plan, OrganizationSnapshot organization,
        Dictionary<string, OrganizationGroup> groupsByExternalId, Dictionary<string, string> membersAfter)
    {
        if (organization.GroupMemberIds is not { } read)
        {
            return ([], true);
        }

        var emailById = organization.Members.ToDictionary(m => m.Id, m => m.Email);
        var changes = new List<GroupMembershipChange>();
        var complete = true;
        foreach (var group in plan.Groups)
        {
            IEnumerable<string> before = [];
            if (groupsByExternalId.TryGetValue(group.ExternalId, out var existing))
            {
                if (!read.TryGetValue(existing.Id, out var ids))
                {
                    complete = false;
                    continue;
                }

                before = ids.Select(id => emailById.GetValueOrDefault(id)).OfType<string>();
            }

            var beforeSet = before.ToHashSet(StringComparer.OrdinalIgnoreCase);
            var afterSet = group.MemberExternalIds.Select(id => membersAfter.GetValueOrDefault(id)).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
            var joined = afterSet.Except(beforeSet, StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
            var left = beforeSet.Except(afterSet, StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
            if (joined.Count + left.Count > 0)
            {
                changes.Add(new GroupMembershipChange(group.Name, joined, left));
            }
        }

        return ([.. changes.OrderBy(c => c.Group, StringComparer.Ordinal)], complete);
    }

    /// <summary>The existing groups whose membership a sync that posts groups reads (at most
    /// <see cref="MaxGroupMembershipReads"/>; none when there are more, which the report then says).</summary>
    public static IReadOnlyList<OrganizationGroup> GroupsToRead(ImportPlan plan, OrganizationSnapshot organization)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(organization);
        var planned = plan.Groups.Select(g => g.ExternalId).ToHashSet(StringComparer.Ordinal);
        var existing = organization.Groups.Where(g => !string.IsNullOrWhiteSpace(g.ExternalId) && planned.Contains(g.ExternalId!)).ToList();
        return existing.Count <= MaxGroupMembershipReads ? existing : [];
    }

    /// <summary>Step 0 builds a dictionary of the existing external ids: two members sharing one fail every import.</summary>
    private static void ThrowIfEveryImportFails(IReadOnlyList<OrganizationMember> members)
    {
        // Grouped only when some id repeats: a grouping per member is ~16 MB of garbage at 200,000 members.
        var seen = new HashSet<string>(members.Count, StringComparer.Ordinal);
        var repeated = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in members.Where(m => m.HasExternalId))
        {
            if (!seen.Add(member.ExternalId!))
            {
                repeated.Add(member.ExternalId!);
            }
        }

        if (repeated.Count == 0)
        {
            return;
        }

        var shared = members.Where(m => m.HasExternalId && repeated.Contains(m.ExternalId!)).GroupBy(m => m.ExternalId!, StringComparer.Ordinal).ToList();
        if (shared.Count > 0)
        {
            throw new SyncFailedException(SyncFailureReason.OrganizationConflict,
                $"Bitwarden has {shared.Count} external id(s) shared by several members, so every import fails with HTTP 500 (the server maps external ids "
                + "to members with a dictionary): " + string.Join("; ", shared.Take(DeletionGuard.SampleSize).Select(g => $"{g.Key}: {string.Join(" and ", g.Select(m => m.Email))}"))
                + ". Remove the extra member(s) in the Admin Console (usually the one that never accepted its invitation); nothing was sent.", retryable: false);
        }
    }

    /// <summary>Why the server would fail on (or silently drop) this active entry, with the fix; null when it is fine.</summary>
    private static string? Conflict(PlannedMember entry, Dictionary<string, OrganizationMember> byExternalId, Dictionary<string, OrganizationMember> unlinkedByEmail,
        Dictionary<string, OrganizationMember> byEmail, Dictionary<string, List<OrganizationMember>> moreByEmail, Dictionary<Guid, OrganizationMember> removals)
    {
        if (byExternalId.TryGetValue(entry.ExternalId, out var linkedMember))
        {
            // bitwarden/server#4117: step 3 links the unlinked member with this email to an external id that is taken.
            return unlinkedByEmail.TryGetValue(entry.Email, out var invited)
                ? $"its external id belongs to the member {linkedMember.Email}, and {invited.Email} is a separate member without an external id. The import "
                  + $"would link {invited.Email} to the same external id and fail with HTTP 500 on every sync (bitwarden/server#4117). Remove the member that "
                  + $"is not in use in the Admin Console ({linkedMember.Email}, the old address, once the user works as {invited.Email}); the next sync then syncs it."
                : null;
        }

        if (unlinkedByEmail.ContainsKey(entry.Email) || !byEmail.TryGetValue(entry.Email, out var first))
        {
            return null;
        }

        IEnumerable<OrganizationMember> sameEmail = moreByEmail.TryGetValue(entry.Email, out var more) ? [first, .. more] : [first];
        var other = sameEmail.FirstOrDefault(m => !removals.ContainsKey(m.Id));
        if (other is null)
        {
            return null;
        }

        return other.HasExternalId
            ? $"its email {entry.Email} belongs to the member linked to the external id {other.ExternalId}, which is not this entry's ({entry.ExternalId}). "
              + "The server would skip the invitation without an error and leave the user out of its groups. If it is the same person whose directory "
              + "identity changed, remove the member in the Admin Console (the next sync invites it again) or give the directory entry its old external id."
            : $"the member {other.Email} has no external id and differs from {entry.Email} only in case, so the server neither links nor invites it. "
              + $"Remove the member in the Admin Console and let the next sync invite {entry.Email}.";
    }
}
