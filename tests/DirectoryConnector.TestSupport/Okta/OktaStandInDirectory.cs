using System.Globalization;

namespace DirectoryConnector.TestSupport.Okta;

/// <summary>
/// The stand-in org's users and groups, which tests change between syncs the way an Okta admin would (lifecycle
/// operations of developer.okta.com/docs/api/openapi/okta-management/management/tag/UserLifecycle). Every change stamps
/// lastUpdated (users, group profiles) or lastMembershipUpdated (group membership) with a strictly increasing time.
/// </summary>
public sealed class OktaStandInDirectory(TimeProvider time)
{
    private readonly object gate = new();
    private readonly SortedDictionary<string, OktaStandInUser> users = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, OktaStandInGroup> groups = new(StringComparer.Ordinal);
    private DateTimeOffset lastStamp = DateTimeOffset.MinValue;
    private int nextId;
    private string? everyoneId;

    public IReadOnlyList<OktaStandInUser> Users
    {
        get
        {
            lock (gate)
            {
                return [.. users.Values];
            }
        }
    }

    public IReadOnlyList<OktaStandInGroup> Groups
    {
        get
        {
            lock (gate)
            {
                return [.. groups.Values];
            }
        }
    }

    /// <summary>Creates a user (POST /api/v1/users): ACTIVE by default; STAGED or PROVISIONED for one who never activated.</summary>
    public OktaStandInUser AddUser(string login, string? email = null, string status = "ACTIVE", IReadOnlyDictionary<string, string?>? profile = null)
    {
        lock (gate)
        {
            var now = Stamp();
            var user = new OktaStandInUser
            {
                Id = NewId("00u"),
                Status = status,
                Created = now,
                Activated = status is "STAGED" or "PROVISIONED" ? null : now,
                StatusChanged = now,
                LastUpdated = now,
            };
            var local = login.Split('@')[0];
            user.Profile["login"] = login;
            user.Profile["email"] = email ?? login;
            user.Profile["firstName"] = char.ToUpperInvariant(local[0]) + local[1..];
            user.Profile["lastName"] = "Example";
            foreach (var (key, value) in profile ?? new Dictionary<string, string?>())
            {
                user.Profile[key] = value;
            }

            users.Add(user.Id, user);
            TouchEveryone(now);
            return user;
        }
    }

    /// <summary>Creates a group; APP_GROUP for one imported from an app; BUILT_IN only for Everyone (<see cref="AddEveryone"/>).</summary>
    public OktaStandInGroup AddGroup(string name, string type = "OKTA_GROUP", params OktaStandInUser[] members)
    {
        lock (gate)
        {
            var now = Stamp();
            var group = new OktaStandInGroup { Id = NewId("00g"), Type = type, Name = name, Created = now, LastUpdated = now, LastMembershipUpdated = now };
            foreach (var member in members)
            {
                group.Members.Add(member.Id);
            }

            groups.Add(group.Id, group);
            return group;
        }
    }

    /// <summary>The BUILT_IN group "Everyone", whose members are all users.</summary>
    public OktaStandInGroup AddEveryone()
    {
        var group = AddGroup("Everyone", "BUILT_IN");
        group.Description = "All users in your organization";
        everyoneId = group.Id;
        return group;
    }

    public IReadOnlyList<string> MembersOf(OktaStandInGroup group)
    {
        lock (gate)
        {
            return group.Id == everyoneId ? [.. users.Keys] : [.. group.Members.Order(StringComparer.Ordinal)];
        }
    }

    public OktaStandInUser? FindUser(string id)
    {
        lock (gate)
        {
            return users.GetValueOrDefault(id);
        }
    }

    public OktaStandInGroup? FindGroup(string id)
    {
        lock (gate)
        {
            return groups.GetValueOrDefault(id);
        }
    }

    /// <summary>Lifecycle operations: activate (STAGED/PROVISIONED/DEPROVISIONED → ACTIVE), suspend, unsuspend, deactivate (→ DEPROVISIONED).</summary>
    public void Activate(OktaStandInUser user) => SetStatus(user, "ACTIVE", activated: true);

    public void Suspend(OktaStandInUser user) => SetStatus(user, "SUSPENDED");

    public void Unsuspend(OktaStandInUser user) => SetStatus(user, "ACTIVE");

    public void Deactivate(OktaStandInUser user) => SetStatus(user, "DEPROVISIONED");

    /// <summary>Deletes a user as DELETE /api/v1/users/{id} does: a user not yet DEPROVISIONED is deactivated first;
    /// a deleted user disappears from every list and group (no tombstone).</summary>
    public void Delete(OktaStandInUser user)
    {
        lock (gate)
        {
            if (user.Status != "DEPROVISIONED")
            {
                SetStatus(user, "DEPROVISIONED");
            }

            users.Remove(user.Id);
            var now = Stamp();
            foreach (var group in groups.Values.Where(g => g.Members.Remove(user.Id)))
            {
                group.LastMembershipUpdated = now;
            }

            TouchEveryone(now);
        }
    }

    /// <summary>Changes a profile attribute (email, login, department, ...).</summary>
    public void SetProfile(OktaStandInUser user, string attribute, string? value)
    {
        lock (gate)
        {
            user.Profile[attribute] = value;
            user.LastUpdated = Stamp();
        }
    }

    public void Rename(OktaStandInGroup group, string name)
    {
        lock (gate)
        {
            group.Name = name;
            group.LastUpdated = Stamp();
        }
    }

    public void AddMember(OktaStandInGroup group, OktaStandInUser user)
    {
        lock (gate)
        {
            if (group.Members.Add(user.Id))
            {
                group.LastMembershipUpdated = Stamp();
            }
        }
    }

    public void RemoveMember(OktaStandInGroup group, OktaStandInUser user)
    {
        lock (gate)
        {
            if (group.Members.Remove(user.Id))
            {
                group.LastMembershipUpdated = Stamp();
            }
        }
    }

    public void DeleteGroup(OktaStandInGroup group)
    {
        lock (gate)
        {
            groups.Remove(group.Id);
        }
    }

    private void SetStatus(OktaStandInUser user, string status, bool activated = false)
    {
        lock (gate)
        {
            var now = Stamp();
            user.Status = status;
            user.StatusChanged = now;
            user.LastUpdated = now;
            if (activated)
            {
                user.Activated = now;
            }
        }
    }

    private void TouchEveryone(DateTimeOffset now)
    {
        if (everyoneId is not null && groups.TryGetValue(everyoneId, out var everyone))
        {
            everyone.LastMembershipUpdated = now;
        }
    }

    /// <summary>Okta's timestamps have millisecond precision; each change gets a later one than the last.</summary>
    private DateTimeOffset Stamp()
    {
        var now = time.GetUtcNow();
        now = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
        lastStamp = now > lastStamp ? now : lastStamp.AddMilliseconds(1);
        return lastStamp;
    }

    // Okta ids are 20 characters: a type prefix (00u users, 00g groups) and an opaque part.
    private string NewId(string prefix) => prefix + (++nextId).ToString("D6", CultureInfo.InvariantCulture) + "x0kTa3SVt1d";
}
