using DirectoryConnector.Engine.Sources.Filters;
using DirectoryConnector.Engine.Sync;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Sources.GoogleWorkspace;

/// <summary>
/// Reads a Google Workspace customer as the original connector does (gsuite-directory.service.ts): users.list (and
/// users.list showDeleted=true when deleted users are asked for), groups.list, members.list of every group. Users:
/// id as reference and external id, primaryEmail as email, suspended or archived as disabled. Members: ACTIVE USER
/// members, GROUP members as nested groups (the planner flattens them, also through groups the filter leaves out,
/// which are read for that), CUSTOMER as every synced user. A group filter with a set also keeps only users that are
/// direct members of a kept group (or deleted, or disabled with removeDisabled), as upstream's filterUsersFromGroupsSet.
/// </summary>
internal sealed partial class GoogleWorkspaceSource(
    GoogleDirectoryClient client,
    GoogleDirectorySession session,
    SourceFilter userFilter,
    SourceFilter groupFilter,
    bool removeDisabled,
    ILogger logger) : IDirectorySource
{
    public const string DefaultTokenUrl = "https://oauth2.googleapis.com/token";
    public const string DefaultApiUrl = "https://admin.googleapis.com/";

    /// <summary>Builds the source from its spec and the JSON key text; throws SyncFailedException(InvalidSpec) naming
    /// <paramref name="secret"/> (e.g. "key key.json of Secret google-sa") when the key is unusable.</summary>
    public static GoogleWorkspaceSource Create(GoogleWorkspaceSourceSpec spec, string keyJson, string secret, SourceFilter userFilter,
        SourceFilter groupFilter, bool removeDisabled, GoogleDirectoryClient client, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(client);
        var field = $"{GoogleDirectoryClient.Field}.serviceAccountKeySecretRef";
        var key = GoogleServiceAccountKey.Parse(keyJson, field, secret);
        var tokenUrl = string.IsNullOrWhiteSpace(spec.TokenUrl) ? DefaultTokenUrl : spec.TokenUrl.Trim();
        var credential = key.CreateCredential(spec.AdminUser.Trim(), GoogleDirectoryClient.Scopes, new Uri(tokenUrl), field, secret);
        var apiUrl = new Uri((string.IsNullOrWhiteSpace(spec.ApiUrl) ? DefaultApiUrl : spec.ApiUrl.Trim()).TrimEnd('/') + "/");
        var customer = string.IsNullOrWhiteSpace(spec.Customer) ? "my_customer" : spec.Customer.Trim();
        var session = new GoogleDirectorySession(apiUrl, customer, spec.Domain?.Trim(), credential, spec.AdminUser.Trim(), key.ClientId);
        return new GoogleWorkspaceSource(client, session, userFilter, groupFilter, removeDisabled, logger);
    }

    public async Task<DirectorySnapshot> ReadAsync(DirectoryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!query.Users && !query.Groups)
        {
            return new DirectorySnapshot { Users = [], Groups = [] };
        }

        var skipped = new List<SkippedEntry>();
        var users = await ReadUsersAsync(deleted: false, skipped, cancellationToken).ConfigureAwait(false);
        if (query.IncludeDeleted)
        {
            users.AddRange(await ReadUsersAsync(deleted: true, skipped, cancellationToken).ConfigureAwait(false));
        }

        List<DirectoryGroup> groups = query.Groups ? await ReadGroupsAsync(users, skipped, cancellationToken).ConfigureAwait(false) : [];
        if (groupFilter.Keyword is not null)
        {
            var directMembers = groups.Where(g => g.Selected).SelectMany(g => g.MemberReferences).ToHashSet(StringComparer.Ordinal);
            users.RemoveAll(u => !(u.Deleted || (u.Disabled && removeDisabled) || directMembers.Contains(u.ReferenceId)));
        }

        LogRead(logger, users.Count, groups.Count, skipped.Count);
        return new DirectorySnapshot
        {
            Users = [.. users.OrderBy(u => u.ReferenceId, StringComparer.Ordinal)],
            Groups = [.. groups.OrderBy(g => g.ReferenceId, StringComparer.Ordinal)],
            Skipped = skipped,
        };
    }

    private async Task<List<DirectoryUser>> ReadUsersAsync(bool deleted, List<SkippedEntry> skipped, CancellationToken cancellationToken)
    {
        var users = new List<DirectoryUser>();
        await foreach (var page in PagesAsync(token => client.ListUsersAsync(session, userFilter.Query, deleted, token, cancellationToken), p => p.NextPageToken,
                           deleted ? "users.list (showDeleted)" : "users.list", cancellationToken).ConfigureAwait(false))
        {
            foreach (var user in page.Users ?? [])
            {
                if (!userFilter.Keeps(user.PrimaryEmail))
                {
                    continue;
                }

                // Upstream drops accounts without email addresses; here the planner reports them (null email).
                var hasEmails = deleted || user.Emails is { ValueKind: not (System.Text.Json.JsonValueKind.Null or System.Text.Json.JsonValueKind.Undefined) };
                if (!hasEmails)
                {
                    skipped.Add(new SkippedEntry(user.PrimaryEmail ?? user.Id, SkippedEntryKind.User,
                        $"Google lists no email addresses for user {user.Id}; it is not synced (as the original connector)."));
                    continue;
                }

                users.Add(new DirectoryUser(user.Id, user.Id, user.PrimaryEmail, user.Suspended || user.Archived, deleted, user.PrimaryEmail ?? user.Id)
                {
                    EmailOrigin = "primaryEmail",
                });
            }
        }

        return users;
    }

    private async Task<List<DirectoryGroup>> ReadGroupsAsync(List<DirectoryUser> users, List<SkippedEntry> skipped, CancellationToken cancellationToken)
    {
        var groups = new Dictionary<string, DirectoryGroup>(StringComparer.Ordinal);
        var listed = new List<GoogleGroupResource>();
        await foreach (var page in PagesAsync(token => client.ListGroupsAsync(session, groupFilter.Query, token, cancellationToken), p => p.NextPageToken,
                           "groups.list", cancellationToken).ConfigureAwait(false))
        {
            listed.AddRange(page.Groups ?? []);
        }

        var everyone = users.Where(u => !u.Deleted).Select(u => u.ReferenceId).ToList();
        var nested = new Queue<string>();
        foreach (var group in listed)
        {
            groups[group.Id] = await ReadGroupAsync(group.Id, group.Name, groupFilter.Keeps(group.Name), everyone, nested, skipped, cancellationToken).ConfigureAwait(false);
        }

        // Nested groups the query leaves out are read too (not sent), so nesting resolves through them.
        while (nested.TryDequeue(out var id))
        {
            if (!groups.ContainsKey(id))
            {
                groups[id] = await ReadGroupAsync(id, null, selected: false, everyone, nested, skipped, cancellationToken).ConfigureAwait(false);
            }
        }

        return [.. groups.Values];
    }

    /// <param name="nested">Receives the ids of GROUP members.</param>
    private async Task<DirectoryGroup> ReadGroupAsync(string id, string? name, bool selected, List<string> everyone, Queue<string> nested,
        List<SkippedEntry> skipped, CancellationToken cancellationToken)
    {
        var members = new SortedSet<string>(StringComparer.Ordinal);
        var display = name ?? id;
        await foreach (var page in PagesAsync(token => client.ListMembersAsync(session, id, token, cancellationToken), p => p.NextPageToken,
                           $"members.list of group {id}", cancellationToken).ConfigureAwait(false))
        {
            foreach (var member in page.Members ?? [])
            {
                switch (member.Type?.ToUpperInvariant())
                {
                    case "USER" when member.Id is not null && string.Equals(member.Status, "ACTIVE", StringComparison.OrdinalIgnoreCase):
                        members.Add(member.Id);
                        break;
                    case "USER":
                        skipped.Add(new SkippedEntry($"{display}: {member.Email ?? member.Id}", SkippedEntryKind.Member,
                            $"Google reports this member's status as {member.Status ?? "unknown"}; only ACTIVE members are synced (as the original connector)."));
                        break;
                    case "GROUP" when member.Id is not null:
                        nested.Enqueue(member.Id);
                        members.Add(member.Id);
                        break;
                    case "CUSTOMER":
                        members.UnionWith(everyone);
                        break;
                    default:
                        skipped.Add(new SkippedEntry($"{display}: {member.Email ?? member.Id}", SkippedEntryKind.Member,
                            $"A member of type {member.Type ?? "unknown"} is not a user of the customer; it is not synced."));
                        break;
                }
            }
        }

        return new DirectoryGroup(id, id, name, [.. members], selected, display);
    }

    /// <summary>Every page of one list call, following nextPageToken; a token that repeats fails the read
    /// instead of looping or returning a partial list.</summary>
    private static async IAsyncEnumerable<T> PagesAsync<T>(Func<string?, Task<T>> read, Func<T, string?> next, string operation,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await read(token).ConfigureAwait(false);
            yield return page;
            token = next(page);
            if (token is not null && !seen.Add(token))
            {
                throw new SyncFailedException(SyncFailureReason.SourceUnavailable,
                    $"Google returned the same nextPageToken twice for {operation}; the read stopped rather than loop or sync a partial list.", retryable: true);
            }
        }
        while (token is not null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Read {Users} users and {Groups} groups from Google Workspace ({Skipped} entries skipped)")]
    private static partial void LogRead(ILogger logger, int users, int groups, int skipped);
}
