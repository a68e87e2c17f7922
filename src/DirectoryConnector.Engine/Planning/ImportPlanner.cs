using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Engine.Planning;

/// <summary>Turns what a source read into what a sync sends: normalized, validated, deduplicated, flattened and hashed.</summary>
public static class ImportPlanner
{
    /// <param name="hashScope">Identifies the target organization (API URL and organization id) so that the same
    /// directory synced to another organization never counts as up to date.</param>
    /// <exception cref="SyncFailedException">DirectoryConflict: entries clash while overwriteExisting is set, where
    /// leaving them out would remove them from the organization.</exception>
    public static ImportPlan Plan(DirectorySnapshot snapshot, SyncOptionsSpec options, string hashScope)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hashScope);

        var (users, directoryGroups) = ComposeReferences(snapshot);
        var memberPlan = MemberPlanner.Plan(users, options);
        if (options.OverwriteExisting && memberPlan.Clashes.Count > 0)
        {
            throw new SyncFailedException(
                SyncFailureReason.DirectoryConflict,
                $"{memberPlan.Clashes.Count} email address(es) or external id(s) are used by more than one active directory entry. "
                + "They would normally be left out of the sync and stay as they are, but with overwriteExisting leaving them out "
                + "removes them from the organization, so nothing was sent. Give each user its own email and external id, or "
                + "turn off overwriteExisting: " + string.Join(" | ", memberPlan.Clashes),
                retryable: false);
        }

        var members = options.Users ? memberPlan.Members : [];

        // The members' hashes and the presence sets need nothing the groups need: they are computed on another core
        // while the groups are flattened and hashed. Neither throws; a failure would still surface as itself below.
        var membersPart = Task.Run(() => (Hash: ContentHash.OfMembers(hashScope, members, options.OverwriteExisting), Present: DirectoryPresence.Of(snapshot)));
        var (groups, groupSkipped) = options.Groups ? GroupFlattener.Flatten(directoryGroups, memberPlan) : ([], []);

        var plannerSkipped = memberPlan.Skipped.Concat(groupSkipped).ToList();
        plannerSkipped.Sort(static (x, y) =>
        {
            var order = x.Kind.CompareTo(y.Kind);
            if (order == 0)
            {
                order = string.CompareOrdinal(x.Entry, y.Entry);
            }

            return order == 0 ? string.CompareOrdinal(x.Reason, y.Reason) : order;
        });

        var warnings = new List<string>(snapshot.Warnings);
        if (options.RemoveDisabled && snapshot.DisabledUnknownReason is { } unknown)
        {
            warnings.Add($"removeDisabled is on but has no effect: {unknown}");
        }

        var (groupsHash, groupShards, groupDigests) = ContentHash.OfGroups(hashScope, groups);
        var ((membersHash, memberShards), present) = membersPart.GetAwaiter().GetResult();
        return new ImportPlan
        {
            Warnings = warnings,
            Members = members,
            Groups = groups,
            Skipped = [.. snapshot.Skipped, .. plannerSkipped],
            OverwriteExisting = options.OverwriteExisting,
            Present = present,
            MembersHash = membersHash,
            GroupsHash = groupsHash,
            MemberShards = memberShards,
            GroupShards = groupShards,
            GroupDigests = groupDigests,
        };
    }

    /// <summary>
    /// References (and the member lists that use them) match under Unicode canonical equivalence, whatever the source:
    /// the same name arrives precomposed (NFC) from one tool and decomposed (NFD) from another (macOS, Open Directory).
    /// Only NFC is applied: case and compatibility forms are the source's business (an LDAP source folds DNs as
    /// caseIgnoreMatch does; SaaS object ids are case-sensitive). Allocates nothing when everything is NFC already.
    /// </summary>
    private static (IReadOnlyList<DirectoryUser> Users, IReadOnlyList<DirectoryGroup> Groups) ComposeReferences(DirectorySnapshot snapshot)
    {
        IReadOnlyList<DirectoryUser> users = snapshot.Users.Any(u => !IsComposed(u.ReferenceId))
            ? [.. snapshot.Users.Select(u => u with { ReferenceId = DirectoryString.ComposeCanonical(u.ReferenceId) })]
            : snapshot.Users;
        IReadOnlyList<DirectoryGroup> groups = snapshot.Groups.Any(g => !IsComposed(g.ReferenceId) || !g.MemberReferences.All(IsComposed))
            ? [.. snapshot.Groups.Select(g => g with
            {
                ReferenceId = DirectoryString.ComposeCanonical(g.ReferenceId),
                MemberReferences = [.. g.MemberReferences.Select(DirectoryString.ComposeCanonical)],
            })]
            : snapshot.Groups;
        return (users, groups);
    }

    private static bool IsComposed(string reference) => ReferenceEquals(DirectoryString.ComposeCanonical(reference), reference);
}
