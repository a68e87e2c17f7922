namespace DirectoryConnector.TestSupport.OneLogin;

/// <summary>The stand-in's mutable directory: users and roles that tests change between syncs. Thread-safe.</summary>
public sealed class OneLoginStandInAccount
{
    private readonly object gate = new();
    private readonly SortedDictionary<long, OneLoginStandInUser> users = [];
    private readonly SortedDictionary<long, OneLoginStandInRole> roles = [];

    public IReadOnlyList<OneLoginStandInUser> Users
    {
        get
        {
            lock (gate)
            {
                return [.. users.Values];
            }
        }
    }

    public IReadOnlyList<OneLoginStandInRole> Roles
    {
        get
        {
            lock (gate)
            {
                return [.. roles.Values];
            }
        }
    }

    /// <summary>Adds or replaces users (by id).</summary>
    public void Put(params OneLoginStandInUser[] entries)
    {
        lock (gate)
        {
            foreach (var user in entries)
            {
                users[user.Id] = user;
            }
        }
    }

    /// <summary>Adds or replaces roles (by id).</summary>
    public void Put(params OneLoginStandInRole[] entries)
    {
        lock (gate)
        {
            foreach (var role in entries)
            {
                roles[role.Id] = role;
            }
        }
    }

    /// <summary>Deletes a user: OneLogin lists it nowhere afterwards, roles included (no tombstone).</summary>
    public void DeleteUser(long id)
    {
        lock (gate)
        {
            users.Remove(id);
            foreach (var role in roles.Values.ToList())
            {
                roles[role.Id] = role with { UserIds = [.. role.UserIds.Where(u => u != id)] };
            }
        }
    }

    public void DeleteRole(long id)
    {
        lock (gate)
        {
            roles.Remove(id);
        }
    }

    public void Update(long userId, Func<OneLoginStandInUser, OneLoginStandInUser> change)
    {
        lock (gate)
        {
            users[userId] = change(users[userId]);
        }
    }

    public void UpdateRole(long roleId, Func<OneLoginStandInRole, OneLoginStandInRole> change)
    {
        lock (gate)
        {
            roles[roleId] = change(roles[roleId]);
        }
    }

    internal OneLoginStandInRole? FindRole(long id)
    {
        lock (gate)
        {
            return roles.GetValueOrDefault(id);
        }
    }

    internal OneLoginStandInUser? FindUser(long id)
    {
        lock (gate)
        {
            return users.GetValueOrDefault(id);
        }
    }
}
