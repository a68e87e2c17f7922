namespace DirectoryConnector.TestSupport.EntraId;

/// <summary>
/// The in-memory directory of the Entra ID stand-in: users, groups (with direct members of any object type),
/// devices, administrative units, and a change log from which delta rounds are answered. Tests change it
/// between syncs; every change bumps a version that delta tokens remember.
/// </summary>
public sealed class EntraTenant
{
    private readonly object gate = new();
    private readonly Dictionary<string, EntraUser> users = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, EntraUser> deletedUsers = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, GroupState> groups = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> deletedGroups = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, EntraObjectType> others = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<string>> administrativeUnits = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, long> userVersions = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, long> groupVersions = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<MemberChange> memberChanges = [];
    private long version;

    /// <summary>Delta tokens from before this version answer 410 (the change-tracking state expired).</summary>
    internal long OldestValidVersion { get; private set; }

    public EntraUser AddUser(EntraUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        RequireObjectId(user.Id);
        lock (gate)
        {
            users[user.Id] = user;
            userVersions[user.Id] = ++version;
            return user;
        }
    }

    /// <summary>Replaces a user's properties (disable, rename, change mail).</summary>
    public void UpdateUser(string id, Func<EntraUser, EntraUser> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (gate)
        {
            users[id] = change(users[id]) with { Id = id };
            userVersions[id] = ++version;
        }
    }

    /// <summary>Soft-deletes a user (it goes to deletedItems and leaves its groups), as deleting it in the portal does.</summary>
    public void DeleteUser(string id)
    {
        lock (gate)
        {
            deletedUsers[id] = users[id];
            users.Remove(id);
            userVersions[id] = ++version;
            foreach (var group in groups.Values.Where(g => g.Members.Contains(id)))
            {
                group.Members.Remove(id);
                memberChanges.Add(new MemberChange(++version, group.Id, id, EntraObjectType.User, Added: false));
            }
        }
    }

    public void AddGroup(string id, string displayName, params string[] memberIds)
    {
        RequireObjectId(id);
        lock (gate)
        {
            groups[id] = new GroupState(id) { DisplayName = displayName };
            groupVersions[id] = ++version;
            foreach (var member in memberIds)
            {
                AddMemberLocked(id, member);
            }
        }
    }

    public void RenameGroup(string id, string displayName)
    {
        lock (gate)
        {
            groups[id].DisplayName = displayName;
            groupVersions[id] = ++version;
        }
    }

    public void DeleteGroup(string id)
    {
        lock (gate)
        {
            groups.Remove(id);
            deletedGroups.Add(id);
            groupVersions[id] = ++version;
        }
    }

    public void AddMember(string groupId, string memberId)
    {
        lock (gate)
        {
            AddMemberLocked(groupId, memberId);
        }
    }

    public void RemoveMember(string groupId, string memberId)
    {
        lock (gate)
        {
            if (groups[groupId].Members.Remove(memberId))
            {
                memberChanges.Add(new MemberChange(++version, groupId, memberId, TypeOfLocked(memberId), Added: false));
            }
        }
    }

    /// <summary>A device, contact or service principal that groups and administrative units may hold.</summary>
    public void AddObject(string id, EntraObjectType type)
    {
        RequireObjectId(id);
        lock (gate)
        {
            others[id] = type;
        }
    }

    public void AddAdministrativeUnit(string id, params string[] memberIds)
    {
        RequireObjectId(id);
        lock (gate)
        {
            administrativeUnits[id] = [.. memberIds];
        }
    }

    /// <summary>Makes every delta link issued so far expired (Graph keeps change-tracking state for 7 days).</summary>
    public void ExpireDeltaLinks()
    {
        lock (gate)
        {
            OldestValidVersion = ++version;
        }
    }

    internal long Version
    {
        get
        {
            lock (gate)
            {
                return version;
            }
        }
    }

    internal bool TryGetDeletedUser(string id, out EntraUser user)
    {
        lock (gate)
        {
            return deletedUsers.TryGetValue(id, out user!);
        }
    }

    /// <summary>The soft-deleted users (deletedItems), sorted by id.</summary>
    public IReadOnlyList<EntraUser> DeletedUsers()
    {
        lock (gate)
        {
            return [.. deletedUsers.Values.OrderBy(u => u.Id, StringComparer.OrdinalIgnoreCase)];
        }
    }

    internal bool GroupExists(string id)
    {
        lock (gate)
        {
            return groups.ContainsKey(id);
        }
    }

    internal EntraObjectType? TypeOf(string id)
    {
        lock (gate)
        {
            return users.ContainsKey(id) ? EntraObjectType.User
                : groups.ContainsKey(id) ? EntraObjectType.Group
                : others.TryGetValue(id, out var type) ? type
                : null;
        }
    }

    internal EntraUser? User(string id)
    {
        lock (gate)
        {
            return users.GetValueOrDefault(id);
        }
    }

    /// <summary>Users for a delta round since <paramref name="since"/> (0: the initial round, every live user):
    /// a user object, or (id, null) for a user removed since then.</summary>
    internal List<(string Id, EntraUser? User)> UserDelta(long since)
    {
        lock (gate)
        {
            return [.. userVersions.Where(v => v.Value > since)
                .OrderBy(v => v.Value)
                .Select(v => (v.Key, users.GetValueOrDefault(v.Key)))
                .Where(e => since > 0 || e.Item2 is not null)];
        }
    }

    /// <summary>Groups for a delta round: (id, name, member changes as (id, type, removed), removed group).</summary>
    internal List<GroupDeltaEntry> GroupDelta(long since)
    {
        lock (gate)
        {
            var changed = new SortedDictionary<long, string>();
            var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (id, v) in groupVersions.Where(v => v.Value > since).OrderBy(v => v.Value))
            {
                ids.Add(id);
            }

            foreach (var change in memberChanges.Where(c => c.Version > since))
            {
                ids.Add(change.GroupId);
            }

            var result = new List<GroupDeltaEntry>();
            foreach (var id in ids)
            {
                if (!groups.TryGetValue(id, out var group))
                {
                    if (since > 0 && deletedGroups.Contains(id))
                    {
                        result.Add(new GroupDeltaEntry(id, null, [], Removed: true));
                    }

                    continue;
                }

                List<(string, EntraObjectType, bool)> members;
                if (since == 0)
                {
                    members = [.. group.Members.Select(m => (m, TypeOfLocked(m), false))];
                }
                else
                {
                    // The net change per member since the token: present now and added, or absent now.
                    members = [.. memberChanges.Where(c => c.Version > since && string.Equals(c.GroupId, id, StringComparison.OrdinalIgnoreCase))
                        .GroupBy(c => c.MemberId, StringComparer.OrdinalIgnoreCase)
                        .Select(g => g.Last())
                        .Select(c => (c.MemberId, c.Type, !group.Members.Contains(c.MemberId)))];
                }

                result.Add(new GroupDeltaEntry(id, group.DisplayName, members, Removed: false));
            }

            return result;
        }
    }

    /// <summary>Every object reachable from the group through nested groups (each once), as transitiveMembers lists them.</summary>
    internal List<(string Id, EntraObjectType Type)> TransitiveMembers(string groupId)
    {
        lock (gate)
        {
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { groupId };
            var result = new List<(string, EntraObjectType)>();
            var pending = new Queue<string>([groupId]);
            while (pending.TryDequeue(out var current))
            {
                foreach (var member in groups[current].Members)
                {
                    if (!seen.Add(member))
                    {
                        continue;
                    }

                    var type = TypeOfLocked(member);
                    result.Add((member, type));
                    if (type == EntraObjectType.Group)
                    {
                        pending.Enqueue(member);
                    }
                }
            }

            return result;
        }
    }

    internal List<(string Id, EntraObjectType Type)>? AdministrativeUnitMembers(string id)
    {
        lock (gate)
        {
            return administrativeUnits.TryGetValue(id, out var members) ? [.. members.Select(m => (m, TypeOfLocked(m)))] : null;
        }
    }

    /// <summary>Entra object ids are GUIDs (the stand-in answers other ids in a path with 400, as Graph does).</summary>
    private static void RequireObjectId(string id)
    {
        if (!Guid.TryParseExact(id, "D", out _))
        {
            throw new ArgumentException($"Entra object ids are GUIDs (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), not '{id}'.", nameof(id));
        }
    }

    private void AddMemberLocked(string groupId, string memberId)
    {
        if (groups[groupId].Members.Add(memberId))
        {
            memberChanges.Add(new MemberChange(++version, groupId, memberId, TypeOfLocked(memberId), Added: true));
        }
    }

    private EntraObjectType TypeOfLocked(string id)
        => users.ContainsKey(id) || deletedUsers.ContainsKey(id) ? EntraObjectType.User
            : groups.ContainsKey(id) ? EntraObjectType.Group
            : others.TryGetValue(id, out var type) ? type
            : throw new InvalidOperationException($"Unknown directory object {id}: add it before making it a member.");

    internal sealed record GroupDeltaEntry(string Id, string? DisplayName, List<(string Id, EntraObjectType Type, bool Removed)> Members, bool Removed);

    private sealed record MemberChange(long Version, string GroupId, string MemberId, EntraObjectType Type, bool Added);

    private sealed class GroupState(string id)
    {
        public string Id { get; } = id;

        public string DisplayName { get; set; } = "";

        public HashSet<string> Members { get; } = new(StringComparer.OrdinalIgnoreCase);
    }
}
