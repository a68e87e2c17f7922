using DirectoryConnector.Engine.Sync;
using Microsoft.Extensions.Logging;
using Microsoft.Graph.Models.ODataErrors;

namespace DirectoryConnector.Engine.Sources.EntraId;

/// <summary>
/// Microsoft Entra ID through Microsoft Graph, with delta queries (learn.microsoft.com/graph/delta-query-overview).
/// A full read is the initial round of /users/delta and /groups/delta (members@delta gives every group's direct
/// members); the rounds' delta links become the cursor. With a cursor, one delta round per resource: nothing
/// changed → <see cref="DirectorySnapshot.Unchanged"/>; anything changed or the link expired → a full read, with
/// the users the round reported as @removed sent as deleted.
/// </summary>
internal sealed partial class EntraIdSource(
    EntraIdGraphReader graph,
    EntraIdSourceSpec spec,
    EntraIdFilter filter,
    EntraIdEndpoints endpoints,
    ILogger<EntraIdSource> logger) : IDirectorySource
{
    private const string Path = "spec.source.entraId";

    public async Task<DirectorySnapshot> ReadAsync(DirectoryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        try
        {
            return await ReadCoreAsync(query, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw EntraIdErrors.Translate(e, endpoints, spec.ClientSecretRef is null, filter.IncludeAdministrativeUnits is not null || filter.ExcludeAdministrativeUnits is not null);
        }
    }

    private async Task<DirectorySnapshot> ReadCoreAsync(DirectoryQuery query, CancellationToken cancellationToken)
    {
        // Groups are tracked when they are synced, or when membership decides which users are (includeGroup:).
        var trackGroups = query.Groups || filter.UsersDependOnGroups;
        var removed = new SortedSet<string>(StringComparer.Ordinal);
        string? reason = null;
        if (query.Cursor is { } text)
        {
            var cursor = EntraIdCursor.Parse(text);
            if (cursor is null || (trackGroups && cursor.Groups is null))
            {
                reason = "the cursor was not written by this source with these settings";
            }
            else
            {
                try
                {
                    var users = await graph.UsersDeltaAsync(cursor.Users, cancellationToken).ConfigureAwait(false);
                    var groups = trackGroups ? await graph.GroupsDeltaAsync(cursor.Groups, cancellationToken).ConfigureAwait(false) : null;
                    var changedGroups = groups?.Entries.Count ?? 0;
                    if (users.Entries.Count == 0 && changedGroups == 0)
                    {
                        LogUnchanged();
                        return new DirectorySnapshot { Users = [], Groups = [], Unchanged = true, Cursor = CursorOf(users.DeltaLink, groups?.DeltaLink) };
                    }

                    removed.UnionWith(users.Entries.Where(u => u.Removed).Select(u => u.Id));
                    reason = $"the directory changed since the last sync ({users.Entries.Count} user(s), {changedGroups} group(s))";
                }
                catch (EntraIdDeltaExpiredException e)
                {
                    reason = $"the delta link expired (Graph answered {e.Code})";
                }
            }

            LogFullRead(reason);
        }

        var snapshot = await FullReadAsync(query, trackGroups, removed, cancellationToken).ConfigureAwait(false);
        return new DirectorySnapshot
        {
            Users = snapshot.Users,
            Groups = snapshot.Groups,
            Skipped = snapshot.Skipped,
            Cursor = snapshot.Cursor,
            FullReadReason = reason,
        };
    }

    private async Task<DirectorySnapshot> FullReadAsync(DirectoryQuery query, bool trackGroups, SortedSet<string> removed, CancellationToken cancellationToken)
    {
        var userRound = await graph.UsersDeltaAsync(null, cancellationToken).ConfigureAwait(false);
        var groupRound = trackGroups ? await graph.GroupsDeltaAsync(null, cancellationToken).ConfigureAwait(false) : null;
        var skipped = new List<SkippedEntry>();

        var allowed = await AllowedByGroupsAsync(cancellationToken).ConfigureAwait(false);
        var users = new List<DirectoryUser>();
        foreach (var entry in userRound.Entries)
        {
            if (entry.Removed)
            {
                removed.Add(entry.Id); // @removed may appear in an initial round too
                continue;
            }

            if (ToUser(entry, skipped) is { } user && (allowed is null || allowed(entry.Id)) && PassesEmailFilter(user.Email))
            {
                users.Add(user);
            }
        }

        // Users deleted in the directory are sent as deleted (the original connector's intent): those the delta round
        // reported @removed, and every user still in deletedItems (30 days), so that a full read (first sync, forced,
        // expired link, fullSyncInterval) does not forget a deletion the last sync did not see.
        var present = users.Select(u => u.ReferenceId).ToHashSet(StringComparer.Ordinal);
        foreach (var deleted in await graph.DeletedUsersAsync(cancellationToken).ConfigureAwait(false))
        {
            removed.Remove(deleted.Id!);
            if (present.Add(deleted.Id!) && DeletedUser(deleted.Id!, deleted) is var user && PassesEmailFilter(user.Email))
            {
                users.Add(user);
            }
        }

        foreach (var id in removed.Where(present.Add))
        {
            if (DeletedUser(id, await graph.DeletedUserAsync(id, cancellationToken).ConfigureAwait(false)) is var deleted && PassesEmailFilter(deleted.Email))
            {
                users.Add(deleted);
            }
        }

        var groups = new List<DirectoryGroup>();
        if (query.Groups && groupRound is not null)
        {
            var selected = await SelectedGroupsAsync(cancellationToken).ConfigureAwait(false);
            groups.AddRange(groupRound.Entries.Where(g => !g.Removed).Select(g => new DirectoryGroup(
                g.Id, g.Id, g.DisplayName, [.. g.Members.Where(m => !m.Value).Select(m => m.Key)], selected(g), g.DisplayName ?? g.Id)));
            foreach (var group in groupRound.Entries.Where(g => !g.Removed))
            {
                foreach (var (id, type) in group.NotAccounts)
                {
                    skipped.Add(new SkippedEntry(id, SkippedEntryKind.Member,
                        $"is listed as a member of {group.DisplayName ?? group.Id} but is {NotAnAccount(type)} in Entra ID, not a user account: it is not added to any group"));
                }
            }
            if (filter.HasGroupFilter)
            {
                users = KeepMembersOfSelectedGroups(users, groups);
            }
        }

        users.Sort((x, y) => string.CompareOrdinal(x.ReferenceId, y.ReferenceId));
        groups.Sort((x, y) => string.CompareOrdinal(x.ReferenceId, y.ReferenceId));
        var cursor = filter.IncludeAdministrativeUnits is null && filter.ExcludeAdministrativeUnits is null
            ? CursorOf(userRound.DeltaLink, groupRound?.DeltaLink)
            : null; // administrative-unit membership is not tracked by the groups delta: always read it whole
        return new DirectorySnapshot { Users = users, Groups = groups, Skipped = skipped, Cursor = cursor };
    }

    /// <summary>Applies the email, guest and disabled rules of the original connector; null (reported) when the user cannot be sent.</summary>
    private DirectoryUser? ToUser(EntraIdUserEntry entry, List<SkippedEntry> skipped)
    {
        var name = entry.UserPrincipalName ?? entry.Id;
        var guest = string.Equals(entry.UserType, "Guest", StringComparison.OrdinalIgnoreCase)
                    || (entry.UserPrincipalName?.Contains("#EXT#", StringComparison.OrdinalIgnoreCase) ?? false);
        if (guest && !spec.IncludeGuests)
        {
            skipped.Add(new SkippedEntry(name, SkippedEntryKind.User, $"is a guest user: guests are not synced unless {Path}.includeGuests is true"));
            return null;
        }

        var email = EmailOf(entry.Mail, entry.UserPrincipalName);
        if (email is null || email.Contains('#', StringComparison.Ordinal))
        {
            skipped.Add(new SkippedEntry(name, SkippedEntryKind.User,
                "has no usable email address (mail is empty and the user principal name is not a mailbox address): it is not sent"));
            return null;
        }

        return new DirectoryUser(entry.Id, entry.Id, email, Disabled: entry.AccountEnabled == false, Deleted: false, name)
        {
            EmailOrigin = EmailOriginOf(entry.Mail),
        };
    }

    private static string NotAnAccount(string type) => type switch
    {
        "device" => "a device",
        "orgContact" => "an organizational contact",
        "servicePrincipal" => "a service principal (an application)",
        _ => $"a {type}",
    };

    /// <summary>mail, unless it is empty or an onmicrosoft.com address; then the user principal name (bwdc-behaviour.md §3.2).</summary>
    internal static string? EmailOf(string? mail, string? userPrincipalName)
        => EmailOriginOf(mail) == "userPrincipalName"
            ? (string.IsNullOrWhiteSpace(userPrincipalName) ? null : userPrincipalName.Trim())
            : mail!.Trim();

    /// <summary>The Graph property <see cref="EmailOf"/> takes the address from, named in reports.</summary>
    private static string EmailOriginOf(string? mail)
        => string.IsNullOrWhiteSpace(mail) || mail.Contains("onmicrosoft.com", StringComparison.OrdinalIgnoreCase) ? "userPrincipalName" : "mail";

    /// <summary>A deleted user as sent: its id, and the address deletedItems still holds (null when it is gone for good).</summary>
    private static DirectoryUser DeletedUser(string id, Microsoft.Graph.Models.User? deleted)
    {
        // Delta entries of removed users carry only the id; deletedItems still has the address for 30 days.
        string? email = null;
        if (deleted is not null)
        {
            // A deleted user's userPrincipalName is prefixed with its object id without dashes.
            var prefix = id.Replace("-", "", StringComparison.Ordinal);
            var upn = deleted.UserPrincipalName;
            if (upn is not null && upn.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                upn = upn[prefix.Length..];
            }

            email = EmailOf(deleted.Mail, upn);
        }

        return new DirectoryUser(id, id, email, Disabled: false, Deleted: true, deleted?.UserPrincipalName ?? id);
    }

    private bool PassesEmailFilter(string? email)
        => email is null
            ? filter.IncludeEmails.Count == 0
            : (filter.IncludeEmails.Count == 0 || filter.IncludeEmails.Contains(email.Trim())) && !filter.ExcludeEmails.Contains(email.Trim());

    /// <summary>includeGroup:/excludeGroup: as a test of user ids (transitive members), or null when the filter has neither.</summary>
    private async Task<Func<string, bool>?> AllowedByGroupsAsync(CancellationToken cancellationToken)
    {
        if (!filter.UsersDependOnGroups)
        {
            return null;
        }

        HashSet<string>? allowed = null;
        if (filter.IncludeGroups is { } include)
        {
            allowed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var id in include)
            {
                allowed.UnionWith(await MembersOfFilterGroupAsync(id, "includeGroup", cancellationToken).ConfigureAwait(false));
            }
        }

        var excluded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in filter.ExcludeGroups)
        {
            excluded.UnionWith(await MembersOfFilterGroupAsync(id, "excludeGroup", cancellationToken).ConfigureAwait(false));
        }

        return allowed is null
            ? id => !excluded.Contains(id)
            : id => allowed.Contains(id) && !excluded.Contains(id);
    }

    private async Task<IReadOnlyList<string>> MembersOfFilterGroupAsync(string id, string keyword, CancellationToken cancellationToken)
    {
        try
        {
            return await graph.TransitiveMemberUserIdsAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (ODataError e) when (e.ResponseStatusCode is 404 or 400)
        {
            // Graph answers 404 for an object id it does not hold and 400 for text that is no object id (a name).
            var what = e.ResponseStatusCode == 404 ? "names no group of the tenant" : "is not an object id";
            throw new SyncFailedException(SyncFailureReason.InvalidSpec,
                $"spec.filters.users: {keyword}:{id} {what} (Graph answered {e.ResponseStatusCode} {e.Error?.Code}): use the group's object id (a GUID, on the group's Overview page).", retryable: false, e);
        }
    }

    private async Task<Func<EntraIdGroupEntry, bool>> SelectedGroupsAsync(CancellationToken cancellationToken)
    {
        if (filter.IncludeGroupNames is { } include)
        {
            return g => g.DisplayName is not null && include.Contains(g.DisplayName.Trim());
        }

        if (filter.ExcludeGroupNames is { } exclude)
        {
            return g => g.DisplayName is null || !exclude.Contains(g.DisplayName.Trim());
        }

        var units = filter.IncludeAdministrativeUnits ?? filter.ExcludeAdministrativeUnits;
        if (units is null)
        {
            return _ => true;
        }

        var inUnits = new HashSet<string>(StringComparer.Ordinal);
        foreach (var unit in units)
        {
            try
            {
                inUnits.UnionWith(await graph.AdministrativeUnitGroupIdsAsync(unit, cancellationToken).ConfigureAwait(false));
            }
            catch (ODataError e) when (e.ResponseStatusCode is 404 or 400)
            {
                var what = e.ResponseStatusCode == 404 ? "does not exist in the tenant" : "is not an object id";
                throw new SyncFailedException(SyncFailureReason.InvalidSpec,
                    $"spec.filters.groups: administrative unit {unit} {what} (Graph answered {e.ResponseStatusCode} {e.Error?.Code}): use the unit's object id (a GUID, on the unit's Overview page).", retryable: false, e);
            }
        }

        var including = filter.IncludeAdministrativeUnits is not null;
        return g => inUnits.Contains(g.Id) == including;
    }

    /// <summary>With a group filter, a user is synced only when a selected group contains it (through any nesting)
    /// or it is deleted, as the original connector's filterUsersFromGroupsSet (which looks at direct members only).</summary>
    private static List<DirectoryUser> KeepMembersOfSelectedGroups(List<DirectoryUser> users, List<DirectoryGroup> groups)
    {
        var byId = groups.ToDictionary(g => g.ReferenceId, StringComparer.Ordinal);
        var members = new HashSet<string>(StringComparer.Ordinal);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<DirectoryGroup>(groups.Where(g => g.Selected));
        while (pending.TryPop(out var group))
        {
            if (!visited.Add(group.ReferenceId))
            {
                continue;
            }

            foreach (var member in group.MemberReferences)
            {
                if (byId.TryGetValue(member, out var nested))
                {
                    pending.Push(nested);
                }
                else
                {
                    members.Add(member);
                }
            }
        }

        return [.. users.Where(u => u.Deleted || members.Contains(u.ReferenceId))];
    }

    private static string? CursorOf(string users, string? groups)
        => new EntraIdCursor(users, groups).ToString() is { Length: <= DirectorySnapshot.MaxCursorLength } cursor ? cursor : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Entra ID delta round: nothing changed since the last sync")]
    private partial void LogUnchanged();

    [LoggerMessage(Level = LogLevel.Information, Message = "Entra ID full read: {Reason}")]
    private partial void LogFullRead(string reason);
}
