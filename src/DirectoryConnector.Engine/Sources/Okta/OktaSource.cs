using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization.Metadata;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Sync;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>
/// Reads users (<c>GET /api/v1/users</c>), groups (<c>GET /api/v1/groups</c>) and each kept group's members
/// (<c>GET /api/v1/groups/{id}/users</c>) from an Okta org. Statuses: SUSPENDED is disabled; DEPROVISIONED is deleted
/// (the plain list hides them, so without a filter expression they are listed separately with
/// <c>filter=status eq "DEPROVISIONED"</c>); STAGED and PROVISIONED users never activated and are reported, not invited,
/// unless includeUnactivatedUsers is set; a user deleted in Okta is simply no longer listed (as for LDAP).
/// The cursor is a hash of every listed user's and group's id, status/type, email/name and lastUpdated /
/// lastMembershipUpdated: when the lists hash the same, nothing a full read would return changed (a deleted user or
/// group drops out of the hash; a membership change moves lastMembershipUpdated), so the per-group member calls,
/// the bulk of the requests, are skipped.
/// </summary>
public sealed partial class OktaSource(OktaClient client, OktaReadSettings settings, ILogger<OktaSource> logger) : IDirectorySource
{
    private const string Field = "spec.source.okta";
    private static readonly HttpService Service = new("The Okta org", $"{Field}.orgUrl", $"{Field}.caSecretRef");
    private const string CursorVersion = "okta1";
    private const int PageSize = 200;

    public async Task<DirectorySnapshot> ReadAsync(DirectoryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        try
        {
            return await ReadCoreAsync(query, cancellationToken).ConfigureAwait(false);
        }
        catch (OktaApiException error)
        {
            throw Failure(error);
        }
        catch (Exception error) when (Service.TransportFailure(error, "reading users and groups", settings.OrgUrl, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    private async Task<DirectorySnapshot> ReadCoreAsync(DirectoryQuery query, CancellationToken cancellationToken)
    {
        var users = await ListUsersAsync(cancellationToken).ConfigureAwait(false);
        var groups = query.Groups ? await ListGroupsAsync(cancellationToken).ConfigureAwait(false) : [];
        var cursor = Cursor(users, groups);
        if (query.Cursor == cursor)
        {
            LogUnchanged(users.Count, groups.Count);
            return new DirectorySnapshot { Users = [], Groups = [], Cursor = cursor, Unchanged = true };
        }

        var skipped = new List<SkippedEntry>();
        var read = new SortedDictionary<string, DirectoryUser>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            if (Map(user, skipped) is { } mapped && settings.KeepUser(user.Profile?.Email?.Trim()))
            {
                read[user.Id] = mapped;
            }
        }

        var directoryGroups = new List<DirectoryGroup>();
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var name = group.Profile?.Name;
            if (!settings.KeepGroup(name?.Trim()))
            {
                continue;
            }

            var firstPage = new Uri(settings.OrgUrl, $"api/v1/groups/{Uri.EscapeDataString(group.Id)}/users?limit={PageSize}");
            var members = await client.ListAsync(firstPage, OktaJsonContext.Default.ListOktaUser, settings.Credential, cancellationToken).ConfigureAwait(false);
            var memberIds = members.Select(m => m.Id).Where(read.ContainsKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            kept.UnionWith(memberIds);
            directoryGroups.Add(new DirectoryGroup(group.Id, group.Id, name, memberIds, Selected: true, $"{group.Id} ({name}, {group.Type})"));
        }

        var result = read.Values.ToList();
        if (query.Groups && settings.GroupSetFilter)
        {
            // The original connector's rule (filterUsersFromGroupsSet): with a group include/exclude list, only members
            // of the kept groups are users, plus users whose removal must still be sent.
            result = [.. result.Where(u => u.Deleted || (u.Disabled && settings.RemoveDisabled) || kept.Contains(u.ReferenceId))];
        }

        LogRead(result.Count, directoryGroups.Count, skipped.Count);
        return new DirectorySnapshot
        {
            Users = result,
            Groups = [.. directoryGroups.OrderBy(g => g.ReferenceId, StringComparer.Ordinal)],
            Skipped = skipped,
            Cursor = cursor,
            FullReadReason = query.Cursor is null ? null
                : query.Cursor.StartsWith(CursorVersion + ":", StringComparison.Ordinal) ? "users or groups changed in Okta since the last sync"
                : "the cursor was not written by this version of the Okta source",
        };
    }

    /// <summary>All users the filter selects, DEPROVISIONED ones included, sorted by id.</summary>
    private async Task<List<OktaUser>> ListUsersAsync(CancellationToken cancellationToken)
    {
        List<OktaUser> users;
        if (settings.UserExpression is { } expression)
        {
            users = await ListFilteredAsync(OktaJsonContext.Default.ListOktaUser, "users", OktaExpressionKind.ForUsers(expression), expression, "spec.filters.users", cancellationToken).ConfigureAwait(false);
        }
        else
        {
            users = await client.ListAsync(new Uri(settings.OrgUrl, $"api/v1/users?limit={PageSize}"), OktaJsonContext.Default.ListOktaUser, settings.Credential, cancellationToken).ConfigureAwait(false);
            users.AddRange(await client.ListAsync(new Uri(settings.OrgUrl, $"api/v1/users?limit={PageSize}&filter={Uri.EscapeDataString("status eq \"DEPROVISIONED\"")}"),
                OktaJsonContext.Default.ListOktaUser, settings.Credential, cancellationToken).ConfigureAwait(false));
        }

        return [.. users.DistinctBy(u => u.Id, StringComparer.Ordinal).OrderBy(u => u.Id, StringComparer.Ordinal)];
    }

    private async Task<List<OktaGroup>> ListGroupsAsync(CancellationToken cancellationToken)
    {
        var groups = settings.GroupExpression is { } expression
            ? await ListFilteredAsync(OktaJsonContext.Default.ListOktaGroup, "groups", OktaExpressionKind.ForGroups(expression), expression, "spec.filters.groups", cancellationToken).ConfigureAwait(false)
            : await client.ListAsync(new Uri(settings.OrgUrl, $"api/v1/groups?limit={PageSize}"), OktaJsonContext.Default.ListOktaGroup, settings.Credential, cancellationToken).ConfigureAwait(false);
        return [.. groups.DistinctBy(g => g.Id, StringComparer.Ordinal).OrderBy(g => g.Id, StringComparer.Ordinal)];
    }

    private async Task<List<T>> ListFilteredAsync<T>(JsonTypeInfo<List<T>> pageJson, string collection, string parameter, string expression, string filterField, CancellationToken cancellationToken)
    {
        var firstPage = new Uri(settings.OrgUrl, $"api/v1/{collection}?limit={PageSize}&{parameter}={Uri.EscapeDataString(expression)}");
        try
        {
            return await client.ListAsync(firstPage, pageJson, settings.Credential, cancellationToken).ConfigureAwait(false);
        }
        catch (OktaApiException error) when (error.StatusCode == HttpStatusCode.BadRequest)
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec,
                $"{filterField}: Okta rejected the expression {expression} (sent as {parameter}=): {error.Summary}. See developer.okta.com/docs/api/#filter for what {parameter} supports.",
                retryable: false, error);
        }
    }

    private DirectoryUser? Map(OktaUser user, List<SkippedEntry> skipped)
    {
        var display = user.Profile?.Login is { } login ? $"{user.Id} ({login})" : user.Id;
        switch (user.Status)
        {
            case "STAGED" or "PROVISIONED" when !settings.IncludeUnactivatedUsers:
                skipped.Add(new SkippedEntry(display, SkippedEntryKind.User,
                    $"is {user.Status} in Okta (never activated): not invited; set {Field}.includeUnactivatedUsers to invite such users"));
                return null;
            default:
                return new DirectoryUser(user.Id, user.Id, user.Profile?.Email, Disabled: user.Status == "SUSPENDED", Deleted: user.Status == "DEPROVISIONED", display)
                {
                    EmailOrigin = "profile.email",
                };
        }
    }

    private static string Cursor(List<OktaUser> users, List<OktaGroup> groups)
    {
        static string Hash(IEnumerable<string> lines) =>
            Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', lines))));

        static string Time(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) ?? "-";

        var userHash = Hash(users.Select(u => $"{u.Id}\t{u.Status}\t{Time(u.LastUpdated)}\t{u.Profile?.Email}"));
        var groupHash = Hash(groups.Select(g => $"{g.Id}\t{g.Type}\t{Time(g.LastUpdated)}\t{Time(g.LastMembershipUpdated)}\t{g.Profile?.Name}"));
        return $"{CursorVersion}:{userHash}:{groupHash}";
    }

    private SyncFailedException Failure(OktaApiException error)
    {
        var org = settings.OrgUrl.GetLeftPart(UriPartial.Authority);
        return error.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest when error.ErrorCode is "invalid_dpop_proof" or "use_dpop_nonce" =>
                new SyncFailedException(SyncFailureReason.SourceAuthFailed,
                    $"Okta at {org} refused the DPoP proof of the app in {Field}.{settings.CredentialField}: {error.Summary}. The app requires DPoP "
                    + "(Require Demonstrating Proof of Possession (DPoP) header in token requests); if a proxy rewrites the URL or strips the DPoP header, "
                    + "fix the proxy, or clear that setting in the app's General Settings.",
                    retryable: false, error),
            HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest when error.ErrorCode is "E0000011" or "invalid_client" or "invalid_scope" or "unauthorized_client" =>
                new SyncFailedException(SyncFailureReason.SourceAuthFailed,
                    $"Okta at {org} rejected the credential in {Field}.{settings.CredentialField}: {error.Summary}"
                    + (error.ErrorCode == "invalid_scope" ? $" Grant the scopes {OktaServiceApp.Scopes} to the app (Okta API Scopes)." : " Check that it is current and belongs to this org."),
                    retryable: false, error),
            HttpStatusCode.Unauthorized =>
                new SyncFailedException(SyncFailureReason.SourceAuthFailed, $"Okta at {org} rejected the credential in {Field}.{settings.CredentialField}: {error.Summary}", retryable: false, error),
            HttpStatusCode.Forbidden =>
                new SyncFailedException(SyncFailureReason.SourceAuthFailed,
                    $"Okta at {org} refused to list users or groups with the credential in {Field}.{settings.CredentialField}: {error.Summary}. "
                    + (settings.CredentialField == "tokenSecretRef"
                        ? "Create the API token as an admin with the Read-only Administrator role (or a custom role that can view users and groups)."
                        : $"Grant the app the scopes {OktaServiceApp.Scopes} (Okta API Scopes) and assign it the Read-only Administrator role (Admin roles)."),
                    retryable: false, error),
            HttpStatusCode.NotFound =>
                new SyncFailedException(SyncFailureReason.SourceUnavailable, $"Okta at {org} no longer has an object the read was listing (it changed during the sync): {error.Summary}", retryable: true, error),
            HttpStatusCode.TooManyRequests =>
                new SyncFailedException(SyncFailureReason.SourceUnavailable, $"Okta at {org} kept answering 429 (rate limit) past the retry budget: {error.Summary}", retryable: true, error),
            _ when (int)error.StatusCode >= 500 =>
                new SyncFailedException(SyncFailureReason.SourceUnavailable, $"Okta at {org} failed: {error.Summary}", retryable: true, error),
            _ => new SyncFailedException(SyncFailureReason.SourceQueryFailed, $"Okta at {org} rejected a request: {error.Summary}", retryable: false, error),
        };
    }

    /// <summary>The innermost causes (DNS, connection refused, certificate), which say what to fix.</summary>
    [LoggerMessage(Level = LogLevel.Information, Message = "Okta: {UserCount} users and {GroupCount} groups hash as at the last sync; nothing changed")]
    private partial void LogUnchanged(int userCount, int groupCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Okta: read {UserCount} users and {GroupCount} groups ({SkippedCount} skipped)")]
    private partial void LogRead(int userCount, int groupCount, int skippedCount);
}
