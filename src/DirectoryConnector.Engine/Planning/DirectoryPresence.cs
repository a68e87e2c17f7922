using DirectoryConnector.Engine.Sources;

namespace DirectoryConnector.Engine.Planning;

/// <summary>
/// Who the directory still lists, by external id: every user that is not deleted and every selected group, sent or
/// skipped by the source. Prune and group deletion remove only what is absent here, so an entry the source skipped
/// (no email, a bad address) is never removed for it. Kept in the plan so the organization is planned from the plan
/// alone and the directory snapshot can go once planning is done (at 200,000 users it held ~100 MB through the
/// organization read: issue "Performance").
/// </summary>
/// <param name="Users">External ids (ordinal) of the users present.</param>
/// <param name="Groups">External ids (ordinal) of the selected groups present.</param>
public sealed record DirectoryPresence(IReadOnlySet<string> Users, IReadOnlySet<string> Groups)
{
    /// <summary>What <paramref name="snapshot"/> lists.</summary>
    public static DirectoryPresence Of(DirectorySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var users = new HashSet<string>(snapshot.Users.Count, StringComparer.Ordinal);
        foreach (var user in snapshot.Users)
        {
            if (!user.Deleted)
            {
                users.Add(user.ExternalId);
            }
        }

        var groups = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in snapshot.Groups)
        {
            if (group.Selected)
            {
                groups.Add(group.ExternalId);
            }
        }

        foreach (var skipped in snapshot.Skipped)
        {
            (skipped.Kind == SkippedEntryKind.User ? users : skipped.Kind == SkippedEntryKind.Group ? groups : null)?.Add(skipped.Entry);
        }

        return new DirectoryPresence(users, groups);
    }
}
