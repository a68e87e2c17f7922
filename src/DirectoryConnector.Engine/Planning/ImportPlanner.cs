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

        var memberPlan = MemberPlanner.Plan(snapshot.Users, options);
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
        var (groups, groupSkipped) = options.Groups ? GroupFlattener.Flatten(snapshot.Groups, memberPlan) : ([], []);

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

        return new ImportPlan
        {
            Members = members,
            Groups = groups,
            Skipped = [.. snapshot.Skipped, .. plannerSkipped],
            OverwriteExisting = options.OverwriteExisting,
            MembersHash = ContentHash.OfMembers(hashScope, members, options.OverwriteExisting),
            GroupsHash = ContentHash.OfGroups(hashScope, groups),
        };
    }
}
