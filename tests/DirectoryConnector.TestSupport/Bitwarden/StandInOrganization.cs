namespace DirectoryConnector.TestSupport.Bitwarden;

/// <summary>The organization the stand-in imports into, following ImportOrganizationUsersAndGroupsCommand
/// (bitwarden-api.md §1.6) step by step, including its partial commits and unhandled 500s.</summary>
public sealed class StandInOrganization
{
    public const string SyncFailedMessage =
        "Sync failed. To proceed, disable the 'Remove and re-add users during next sync' setting and try again.";

    public const string NoConfirmedOwnerMessage = "Organization must have at least one confirmed owner.";

    private readonly object gate = new();
    private readonly List<StandInMember> members = [];
    private readonly List<StandInGroup> groups = [];

    /// <summary>An organization with its founding owner: every real organization has a confirmed owner, and inviting
    /// members needs one.</summary>
    public StandInOrganization(Guid id)
    {
        Id = id;
        FoundingOwner = new StandInMember(Guid.NewGuid(), "owner@org.example", null, StandInMemberStatus.Confirmed, StandInMemberType.Owner, HasMasterPassword: true);
        members.Add(FoundingOwner);
    }

    public Guid Id { get; }

    /// <summary>The confirmed owner who created the organization (no external id). Left out of <see cref="Members"/>.</summary>
    public StandInMember FoundingOwner { get; }

    public bool UseDirectory { get; set; } = true;

    public bool UseGroups { get; set; } = true;

    /// <summary>Licensed or subscribed seats; null: unlimited.</summary>
    public int? Seats { get; set; }

    /// <summary>Cloud autoscaling ceiling; null: no ceiling.</summary>
    public int? MaxAutoscaleSeats { get; set; }

    /// <summary>Every member but the <see cref="FoundingOwner"/>.</summary>
    public IReadOnlyList<StandInMember> Members => [.. AllMembers.Where(m => m.Id != FoundingOwner.Id)];

    /// <summary>Every member, as GET /public/members lists them.</summary>
    public IReadOnlyList<StandInMember> AllMembers
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

    /// <summary>Removes a member as an administrator would in the web vault (no checks).</summary>
    public void RemoveMember(Guid memberId)
    {
        lock (gate)
        {
            Remove(members.Where(m => m.Id == memberId).ToList());
        }
    }

    /// <summary>Changes a member's external id as an administrator would (PUT /public/members/{id}).</summary>
    public void SetExternalId(Guid memberId, string? externalId)
    {
        lock (gate)
        {
            var index = members.FindIndex(m => m.Id == memberId);
            members[index] = members[index] with { ExternalId = externalId };
        }
    }

    /// <summary>DELETE /public/members/{id} (RemoveOrganizationUserCommand): 404 when not a member, 400 when it would
    /// remove the last confirmed owner.</summary>
    public void DeleteMember(Guid memberId)
    {
        lock (gate)
        {
            var member = members.SingleOrDefault(m => m.Id == memberId) ?? throw StandInHttpException.NotFound();
            if (member.Type == StandInMemberType.Owner
                && !members.Any(m => m.Id != memberId && m.Type == StandInMemberType.Owner && m.Status == StandInMemberStatus.Confirmed))
            {
                throw StandInHttpException.BadRequest(NoConfirmedOwnerMessage);
            }

            Remove([member]);
        }
    }

    /// <summary>DELETE /public/groups/{id}: 404 when the organization has no such group.</summary>
    public void DeleteGroup(Guid groupId)
    {
        lock (gate)
        {
            if (groups.RemoveAll(g => g.Id == groupId) == 0)
            {
                throw StandInHttpException.NotFound();
            }
        }
    }

    /// <summary>Every member ("member email externalId type status") and every group ("group name (externalId): member
    /// emails"), each sorted: two snapshots are equal when nothing was added, removed or changed.</summary>
    public IReadOnlyList<string> Snapshot()
    {
        var all = AllMembers;
        var emails = all.ToDictionary(m => m.Id, m => m.Email);
        return
        [
            .. all.Select(m => $"member {m.Email} {m.ExternalId} {m.Type} {m.Status}").Order(StringComparer.Ordinal),
            .. Groups.Select(g => $"group {g.Name} ({g.ExternalId}): {string.Join(", ", g.MemberIds.Select(id => emails[id]).Order(StringComparer.Ordinal))}")
                .Order(StringComparer.Ordinal),
        ];
    }

    /// <summary>What a test compares with the directory: member emails (the founding owner aside), then each group as
    /// "name: member local parts", all sorted ordinally.</summary>
    public string[] Summary()
    {
        var members = Members;
        var emails = members.ToDictionary(m => m.Id, m => m.Email);
        return
        [
            .. members.Select(m => m.Email).Order(StringComparer.Ordinal),
            .. Groups.Select(g => $"{g.Name}: {string.Join(' ', g.MemberIds.Select(id => emails[id].Split('@')[0]).Order(StringComparer.Ordinal))}")
                .Order(StringComparer.Ordinal),
        ];
    }

    public StandInMember? MemberByExternalId(string externalId) => Members.SingleOrDefault(m => m.ExternalId == externalId);

    public StandInGroup? GroupByExternalId(string externalId) => Groups.SingleOrDefault(g => g.ExternalId == externalId);

    /// <summary>A group's members by external id (email when a member has none), sorted.</summary>
    public IReadOnlyList<string> MemberExternalIdsOf(StandInGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var byId = AllMembers.ToDictionary(m => m.Id);
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

            // OrganizationUserImportData: built once, before anything is removed, and never refreshed for step 2.
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
            // The id map is not updated here, so step 2 sees these members again.
            var deletedSet = deletedExternalIds.ToHashSet();
            var removedInStep1 = existingExternal.Where(m => deletedSet.Contains(m.ExternalId!) && !importedExternalIds.Contains(m.ExternalId!)
                && m.Type != StandInMemberType.Owner).ToList();
            Remove(removedInStep1);

            // Step 2: overwriteExisting removes every other synced member that is not in the import, counted from the
            // list loaded in step 0: members step 1 already removed count again, so an invited one among them fails the
            // import with 400 after step 1 was applied.
            if (model.OverwriteExisting)
            {
                var missing = existingExternal.Where(m => m.Type != StandInMemberType.Owner
                    && !importedExternalIds.Contains(m.ExternalId!) && externalIdToMember.ContainsKey(m.ExternalId!)).ToList();
                if (missing.Any(m => !m.HasMasterPassword))
                {
                    throw StandInHttpException.BadRequest(SyncFailedMessage);
                }

                Remove(missing);
                foreach (var member in missing)
                {
                    externalIdToMember.Remove(member.ExternalId!);
                }
            }

            // Step 3 (UpdateExistingUsers): every imported member whose email equals (ordinal) that of a member without an
            // external id is linked to it, whether or not its external id is already taken; a taken one throws
            // (Dictionary.Add) and nothing of this step is saved: bitwarden/server#4117.
            if (importedUsers.Count > 0)
            {
                var unlinkedByEmail = new Dictionary<string, StandInMember>(StringComparer.Ordinal);
                foreach (var member in members.Where(m => string.IsNullOrWhiteSpace(m.ExternalId)))
                {
                    if (!unlinkedByEmail.TryAdd(member.Email, member))
                    {
                        throw StandInHttpException.Unhandled($"two members without external id share the email '{member.Email}' (ToDictionary)");
                    }
                }

                var importedByEmail = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var user in importedUsers)
                {
                    if (!importedByEmail.TryAdd(user.Email, user.ExternalId))
                    {
                        throw StandInHttpException.Unhandled($"duplicate email '{user.Email}' among imported members (ToDictionary)");
                    }
                }

                var links = new List<StandInMember>();
                foreach (var email in unlinkedByEmail.Keys.Intersect(importedByEmail.Keys).ToList())
                {
                    var externalId = importedByEmail[email];
                    if (!externalIdToMember.TryAdd(externalId, unlinkedByEmail[email].Id))
                    {
                        throw StandInHttpException.Unhandled(
                            $"external id '{externalId}' is already mapped to another member (Dictionary.Add) while linking '{email}'");
                    }

                    links.Add(unlinkedByEmail[email] with { ExternalId = externalId });
                }

                foreach (var linked in links)
                {
                    members[members.FindIndex(m => m.Id == linked.Id)] = linked;
                }

                // Step 4: add new members; emails already in the organization are skipped silently.
                var newUsers = importedUsers.Where(u => !externalIdToMember.ContainsKey(u.ExternalId) && !string.IsNullOrWhiteSpace(u.Email)).ToList();
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

                // OrganizationService.SaveUsersSendInvitesAsync: invitations need a confirmed owner.
                if (!staged && newUsers.Count > 0
                    && !members.Any(m => m.Type == StandInMemberType.Owner && m.Status == StandInMemberStatus.Confirmed))
                {
                    throw StandInHttpException.BadRequest(NoConfirmedOwnerMessage);
                }

                var created = toCreate.Select(u => new StandInMember(Guid.NewGuid(), u.Email, u.ExternalId,
                    staged ? StandInMemberStatus.Staged : StandInMemberStatus.Invited, StandInMemberType.User, HasMasterPassword: false)).ToList();
                members.AddRange(created);
                foreach (var member in created)
                {
                    // TryAdd: two new emails with one external id both become members sharing it, the import answers 200,
                    // and every later import fails in step 0.
                    externalIdToMember.TryAdd(member.ExternalId!, member.Id);
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

    private void Remove(IEnumerable<StandInMember> toRemove)
    {
        var ids = toRemove.Select(m => m.Id).ToHashSet();
        members.RemoveAll(m => ids.Contains(m.Id));
        for (var index = 0; index < groups.Count; index++)
        {
            groups[index] = groups[index] with { MemberIds = groups[index].MemberIds.Where(id => !ids.Contains(id)).ToHashSet() };
        }
    }
}
