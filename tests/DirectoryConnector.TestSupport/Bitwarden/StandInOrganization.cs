namespace DirectoryConnector.TestSupport.Bitwarden;

/// <summary>The organization the stand-in imports into, following ImportOrganizationUsersAndGroupsCommand
/// (bitwarden-api.md §1.6) step by step, including its partial commits and unhandled 500s.</summary>
public sealed class StandInOrganization(Guid id)
{
    public const string SyncFailedMessage =
        "Sync failed. To proceed, disable the 'Remove and re-add users during next sync' setting and try again.";

    private readonly object gate = new();
    private readonly List<StandInMember> members = [];
    private readonly List<StandInGroup> groups = [];

    public Guid Id { get; } = id;

    public bool UseDirectory { get; set; } = true;

    public bool UseGroups { get; set; } = true;

    /// <summary>Licensed or subscribed seats; null: unlimited.</summary>
    public int? Seats { get; set; }

    /// <summary>Cloud autoscaling ceiling; null: no ceiling.</summary>
    public int? MaxAutoscaleSeats { get; set; }

    public IReadOnlyList<StandInMember> Members
    {
        get
        {
            lock (gate)
            {
                return [.. members];
            }
        }
    }

    public IReadOnlyList<StandInGroup> Groups
    {
        get
        {
            lock (gate)
            {
                return [.. groups.Select(g => g with { MemberIds = new HashSet<Guid>(g.MemberIds) })];
            }
        }
    }

    public StandInMember AddMember(string email, string? externalId = null, StandInMemberType type = StandInMemberType.User,
        StandInMemberStatus status = StandInMemberStatus.Confirmed, bool hasMasterPassword = true)
    {
        var member = new StandInMember(Guid.NewGuid(), email, externalId, status, type, hasMasterPassword);
        lock (gate)
        {
            members.Add(member);
        }

        return member;
    }

    public StandInGroup AddGroup(string name, string? externalId, params StandInMember[] groupMembers)
    {
        var group = new StandInGroup(Guid.NewGuid(), name, externalId, new HashSet<Guid>(groupMembers.Select(m => m.Id)));
        lock (gate)
        {
            groups.Add(group);
        }

        return group;
    }

    /// <summary>What happens when an invited user accepts and sets a master password, or an admin confirms or revokes a member.</summary>
    public void SetStatus(Guid memberId, StandInMemberStatus status, bool hasMasterPassword)
    {
        lock (gate)
        {
            var index = members.FindIndex(m => m.Id == memberId);
            members[index] = members[index] with { Status = status, HasMasterPassword = hasMasterPassword };
        }
    }

    public StandInMember? MemberByExternalId(string externalId) => Members.SingleOrDefault(m => m.ExternalId == externalId);

    public StandInGroup? GroupByExternalId(string externalId) => Groups.SingleOrDefault(g => g.ExternalId == externalId);

    /// <summary>A group's members by external id (email when a member has none), sorted.</summary>
    public IReadOnlyList<string> MemberExternalIdsOf(StandInGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var byId = Members.ToDictionary(m => m.Id);
        return [.. group.MemberIds.Select(id => byId[id].ExternalId ?? byId[id].Email).Order(StringComparer.Ordinal)];
    }

    /// <summary>The controller and the import command. Throws <see cref="StandInHttpException"/> for 400/404/500 answers;
    /// like the real server, earlier steps stay applied when a later one fails.</summary>
    public void Import(ImportModel model, bool selfHosted, bool stagedStatusFeature)
    {
        ArgumentNullException.ThrowIfNull(model);
        lock (gate)
        {
            // Controller.
            if (!selfHosted && !model.LargeImport
                && ((model.Groups?.Count ?? 0) > 2000 || (model.Members?.Count(m => !m.Deleted) ?? 0) > 2000))
            {
                throw StandInHttpException.BadRequest("You cannot import this much data at once.");
            }

            if (model.Groups is null || model.Members is null)
            {
                throw StandInHttpException.Unhandled("groups or members is null (NullReferenceException in the controller)");
            }

            if (model.Groups.Any(g => g.MemberExternalIds is null))
            {
                throw StandInHttpException.Unhandled("a group's memberExternalIds is null (new HashSet<string>(null))");
            }

            var importedUsers = model.Members.Where(m => !m.Deleted).Select(m => (Email: m.Email!.ToLowerInvariant(), m.ExternalId)).ToList();
            var deletedExternalIds = model.Members.Where(m => m.Deleted).Select(m => m.ExternalId).ToList();

            // Step 0: load and check.
            if (!UseDirectory)
            {
                throw StandInHttpException.BadRequest("Organization cannot use directory syncing.");
            }

            var existingExternal = members.Where(m => !string.IsNullOrWhiteSpace(m.ExternalId)).ToList();
            var externalIdToMember = new Dictionary<string, Guid>();
            foreach (var member in existingExternal)
            {
                if (!externalIdToMember.TryAdd(member.ExternalId!, member.Id))
                {
                    throw StandInHttpException.Unhandled($"two members share the external id '{member.ExternalId}' (ToDictionary)");
                }
            }

            var importedExternalIds = importedUsers.Select(u => u.ExternalId).ToHashSet();

            // Step 1: remove members sent as deleted (never owners, never members without an external id).
            var deletedSet = deletedExternalIds.ToHashSet();
            Remove(existingExternal.Where(m => deletedSet.Contains(m.ExternalId!) && !importedExternalIds.Contains(m.ExternalId!)
                && m.Type != StandInMemberType.Owner), externalIdToMember);

            // Step 2: overwriteExisting removes every other synced member that is not in the import.
            if (model.OverwriteExisting)
            {
                var missing = members.Where(m => !string.IsNullOrWhiteSpace(m.ExternalId) && m.Type != StandInMemberType.Owner
                    && !importedExternalIds.Contains(m.ExternalId!)).ToList();
                if (missing.Any(m => !m.HasMasterPassword))
                {
                    throw StandInHttpException.BadRequest(SyncFailedMessage);
                }

                Remove(missing, externalIdToMember);
            }

            // Step 3: link existing members without an external id by email; collect the rest as new.
            if (importedUsers.Count > 0)
            {
                var importedByEmail = new Dictionary<string, string>();
                foreach (var user in importedUsers)
                {
                    if (!importedByEmail.TryAdd(user.Email, user.ExternalId))
                    {
                        throw StandInHttpException.Unhandled($"duplicate email '{user.Email}' among imported members (ToDictionary)");
                    }
                }

                var unlinkedByEmail = new Dictionary<string, StandInMember>(StringComparer.Ordinal);
                foreach (var member in members.Where(m => string.IsNullOrWhiteSpace(m.ExternalId)))
                {
                    if (!unlinkedByEmail.TryAdd(member.Email, member))
                    {
                        throw StandInHttpException.Unhandled($"two members without external id share the email '{member.Email}' (ToDictionary)");
                    }
                }

                var externalIdsToAdd = importedExternalIds.Except(externalIdToMember.Keys).ToHashSet();
                var links = new List<StandInMember>();
                var newUsers = new List<(string Email, string ExternalId)>();
                foreach (var user in importedUsers)
                {
                    if (!externalIdsToAdd.Contains(user.ExternalId) || string.IsNullOrWhiteSpace(user.Email))
                    {
                        continue;
                    }

                    // Case-sensitive: an existing "Ann@x.com" is not linked to the imported "ann@x.com".
                    if (unlinkedByEmail.TryGetValue(user.Email, out var existing))
                    {
                        if (!externalIdToMember.TryAdd(user.ExternalId, existing.Id))
                        {
                            throw StandInHttpException.Unhandled($"external id '{user.ExternalId}' is already mapped to another member (Dictionary.Add)");
                        }

                        links.Add(existing with { ExternalId = user.ExternalId });
                    }
                    else
                    {
                        newUsers.Add(user);
                    }
                }

                foreach (var linked in links)
                {
                    members[members.FindIndex(m => m.Id == linked.Id)] = linked;
                }

                // Step 4: add new members; emails already in the organization are skipped silently.
                var presentEmails = members.Select(m => m.Email).ToHashSet(StringComparer.OrdinalIgnoreCase);
                var toCreate = newUsers.Where(u => !presentEmails.Contains(u.Email)).ToList();
                var staged = !model.InviteUsersAfterProvisioning && stagedStatusFeature;
                if (!staged && toCreate.Count > 0 && Seats is { } seats)
                {
                    var occupied = members.Count(m => m.Status is StandInMemberStatus.Invited or StandInMemberStatus.Accepted or StandInMemberStatus.Confirmed);
                    var needed = toCreate.Count - (seats - occupied);
                    if (needed > 0)
                    {
                        if (selfHosted)
                        {
                            throw StandInHttpException.BadRequest("Cannot autoscale on self-hosted instance.");
                        }

                        if (MaxAutoscaleSeats is { } ceiling && seats + needed > ceiling)
                        {
                            throw StandInHttpException.BadRequest("Seat limit has been reached.");
                        }

                        Seats = seats + needed;
                    }
                }

                var created = toCreate.Select(u => new StandInMember(Guid.NewGuid(), u.Email, u.ExternalId,
                    staged ? StandInMemberStatus.Staged : StandInMemberStatus.Invited, StandInMemberType.User, HasMasterPassword: false)).ToList();
                members.AddRange(created);
                foreach (var member in created)
                {
                    // Committed before this can throw: two new emails with one external id leave two members sharing it.
                    if (!externalIdToMember.TryAdd(member.ExternalId!, member.Id))
                    {
                        throw StandInHttpException.Unhandled($"two imported members share the external id '{member.ExternalId}' (Dictionary.Add)");
                    }
                }
            }

            // Step 5: groups, matched only by external id; never deleted.
            if (model.Groups.Count == 0)
            {
                return;
            }

            if (!UseGroups)
            {
                throw StandInHttpException.BadRequest("Organization cannot use groups.");
            }

            var importedGroups = new Dictionary<string, ImportedGroup>();
            foreach (var group in model.Groups)
            {
                if (!importedGroups.TryAdd(group.ExternalId, group))
                {
                    throw StandInHttpException.Unhandled($"duplicate group external id '{group.ExternalId}' in the import (ToDictionary)");
                }
            }

            var existingGroups = new Dictionary<string, int>();
            for (var index = 0; index < groups.Count; index++)
            {
                if (!string.IsNullOrWhiteSpace(groups[index].ExternalId) && !existingGroups.TryAdd(groups[index].ExternalId!, index))
                {
                    throw StandInHttpException.Unhandled($"two groups share the external id '{groups[index].ExternalId}' (ToDictionary)");
                }
            }

            foreach (var group in importedGroups.Values)
            {
                // Unknown external ids are dropped silently.
                var memberIds = group.MemberExternalIds!.Where(externalIdToMember.ContainsKey).Select(e => externalIdToMember[e]).ToHashSet();
                if (existingGroups.TryGetValue(group.ExternalId, out var index))
                {
                    groups[index] = groups[index] with { Name = group.Name, MemberIds = memberIds };
                }
                else
                {
                    groups.Add(new StandInGroup(Guid.NewGuid(), group.Name, group.ExternalId, memberIds));
                }
            }
        }
    }

    private void Remove(IEnumerable<StandInMember> toRemove, Dictionary<string, Guid> externalIdToMember)
    {
        var ids = toRemove.Select(m => m.Id).ToHashSet();
        foreach (var member in members.Where(m => ids.Contains(m.Id)))
        {
            externalIdToMember.Remove(member.ExternalId!);
        }

        members.RemoveAll(m => ids.Contains(m.Id));
        for (var index = 0; index < groups.Count; index++)
        {
            groups[index] = groups[index] with { MemberIds = groups[index].MemberIds.Where(id => !ids.Contains(id)).ToHashSet() };
        }
    }
}
