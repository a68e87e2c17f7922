using System.DirectoryServices.Protocols;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DirectoryConnector.Engine.Sync;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>
/// Tells, before a read, whether anything under rootPath changed since the cursor was issued, so a sync with nothing
/// changed skips the read. It never merges changes into an earlier read: group flattening needs the whole graph, and
/// neither mechanism below lets S.DS.P see every deletion one by one. Anything changed → a full read.
/// <list type="bullet">
/// <item>Active Directory (the root DSE has dsServiceName and highestCommittedUSN): the cursor is the domain
/// controller's invocationId and highestCommittedUSN, read before the full read. Unchanged when the same DC
/// (dsServiceName), with the same database (invocationId: a restore changes it), has committed nothing since
/// (highestCommittedUSN equal), or when no object of the domain naming context, tombstones in CN=Deleted Objects
/// included (show-deleted control 1.2.840.113556.1.4.417), has a uSNChanged above the cursor's. USNs are per DC, so
/// another DC or a restore forces a full read. If the bind user cannot list CN=Deleted Objects, a deletion would be
/// invisible to that search, so only an unchanged highestCommittedUSN counts. (learn.microsoft.com "Polling for
/// Changes Using the USNChanged Attribute". DirSync is not used: it needs the replication right.)</item>
/// <item>LDAP Content Synchronization (RFC 4533; OpenLDAP syncprov, 389-ds content sync), when the root DSE lists
/// the Sync Request control: a refreshOnly search of everything under rootPath (attributes 1.1) with the cookie.
/// Unchanged only when the server returns no entry, ends in the delete phase (refreshDeletes TRUE) and keeps the
/// cookie. S.DS.P drops intermediate syncInfo messages and entries' syncState controls, so a deletion reported in a
/// syncIdSet is invisible to it; the state change still moves the cookie, so a moved cookie counts as a change.</item>
/// </list>
/// Servers with neither get no cursor: every read is a full one.
/// </summary>
internal sealed partial class LdapChangeTracker(EffectiveLdapSpec settings, LdapSourceOptions options, Func<SearchRequest, SearchResponse> search, ILogger logger)
{
    private const string ContentSyncPrefix = "rfc4533:";
    private const string UsnPrefix = "adusn:";
    private const string DeletedObjectsRdn = "CN=Deleted Objects,";

    /// <summary>Checks <paramref name="cursor"/> (null: none) and returns the cursor for the read that follows.</summary>
    /// <exception cref="SyncFailedException">The server is unreachable or timed out (an error result only disables the cursor).</exception>
    public LdapChangeCheck Check(string? cursor, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var root = TrySearch(new SearchRequest("", "(objectClass=*)", SearchScope.Base, "supportedControl", "dsServiceName", "highestCommittedUSN"), out var rootError)
            ?.Entries.Cast<SearchResultEntry>().FirstOrDefault();
        if (root is null)
        {
            return Unavailable(cursor, $"the root DSE of {settings.Endpoint} cannot be read ({rootError ?? "no entry"}), so it cannot show whether anything changed");
        }

        if (Text(root, "dsServiceName") is { } dsServiceName && long.TryParse(Text(root, "highestCommittedUSN"), NumberStyles.None, CultureInfo.InvariantCulture, out var highestUsn))
        {
            return CheckUsn(dsServiceName, highestUsn, cursor, cancellationToken);
        }

        if (root.Attributes.Contains("supportedControl")
            && root.Attributes["supportedControl"].GetValues(typeof(string)).Cast<string>().Contains(ContentSyncControl.RequestOid, StringComparer.Ordinal))
        {
            return CheckContentSync(cursor, cancellationToken);
        }

        const string neither = "it offers neither LDAP Content Synchronization (RFC 4533: OpenLDAP's syncprov overlay, 389-ds content sync) nor Active Directory's highestCommittedUSN";
        LogNoChangeTracking(logger, settings.Endpoint, neither);
        return new(false, null, cursor is null ? null : $"{settings.Endpoint}: {neither}");
    }

    private LdapChangeCheck CheckContentSync(string? cursor, CancellationToken cancellationToken)
    {
        if (cursor is null)
        {
            return new(false, BeginContentSync(cancellationToken), null);
        }

        if (ParseContentSyncCookie(cursor) is not { } cookie)
        {
            return new(false, BeginContentSync(cancellationToken), NotOurs);
        }

        var response = ContentSyncRefresh(cookie, out var error, cancellationToken);
        if (response is null)
        {
            return new(false, BeginContentSync(cancellationToken), $"{settings.Endpoint} refused to resume LDAP Content Synchronization from the cookie ({error})");
        }

        var done = response.Done;
        if (response.Entries == 0 && response.References == 0 && done is { RefreshDeletes: true }
            && (done.Cookie is null || done.Cookie.AsSpan().SequenceEqual(cookie)))
        {
            LogUnchanged(logger, settings.RootPathText, "LDAP Content Synchronization");
            return new(true, cursor, null);
        }

        var reason = response.Entries > 0
            ? $"LDAP Content Synchronization reports {response.Entries} entries under {settings.RootPathText} added or changed since the last sync"
            : $"LDAP Content Synchronization reports changes under {settings.RootPathText} since the last sync (entries deleted or moved, or the server's sync state moved)";
        cancellationToken.ThrowIfCancellationRequested();
        return new(false, done?.Cookie is { } next ? ContentSyncCursor(next) : BeginContentSync(cancellationToken), reason);
    }

    /// <summary>An initial refresh: the server lists the content (entry names only) and ends with the cookie of its state.</summary>
    private string? BeginContentSync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var response = ContentSyncRefresh(null, out var error, cancellationToken);
        if (response?.Done is not { Cookie: { } cookie })
        {
            LogUnavailable(logger, settings.Endpoint, response is null
                ? $"its LDAP Content Synchronization search under {settings.RootPathText} failed ({error}); an OpenLDAP bind user needs read access to entryUUID and entryCSN"
                : "its LDAP Content Synchronization search returned no cookie");
            return null;
        }

        return ContentSyncCursor(cookie);
    }

    /// <summary>
    /// A refreshOnly search of everything under rootPath (names only; everything, not just what the filters select: a
    /// change anywhere there may move an entry into or out of the users or groups the read selects, and a filter on a
    /// computed attribute would hide it). Only the number of entries and references and the final Sync Done are kept.
    /// Paged (RFC 2696) when the read pages, so a server's size limit for a non-root account (OpenLDAP: 500 by default)
    /// bounds a page, not the refresh: OpenLDAP's syncprov then ends the refresh after the first page with a Sync Done
    /// carrying the cookie of its whole state (the content itself is never needed, only the cookie); a server that
    /// pages the refresh through is followed to its last page. A server refusing paging with content sync is asked
    /// once more without it. Null with the error when the server answered with an error result.
    /// </summary>
    private ContentSyncResponse? ContentSyncRefresh(byte[]? cookie, out string? error, CancellationToken cancellationToken)
    {
        if (settings.PagedSearch && ContentSyncRefresh(cookie, settings.PageSize, out error, cancellationToken) is { } paged)
        {
            return paged;
        }

        return ContentSyncRefresh(cookie, pageSize: null, out error, cancellationToken);
    }

    private ContentSyncResponse? ContentSyncRefresh(byte[]? cookie, int? pageSize, out string? error, CancellationToken cancellationToken)
    {
        var request = new SearchRequest(settings.RootPathText, "(objectClass=*)", SearchScope.Subtree, "1.1") { TimeLimit = options.SearchTimeLimit };
        request.Controls.Add(ContentSyncControl.RefreshOnly(cookie));
        var paging = pageSize is { } size ? new PageResultRequestControl(size) : null;
        if (paging is not null)
        {
            request.Controls.Add(paging);
        }

        var (entries, references) = (0, 0);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var response = TrySearch(request, out error);
            if (response is null)
            {
                return null;
            }

            entries += response.Entries.Count;
            references += response.References.Count;
            var page = response.Controls.OfType<PageResultResponseControl>().FirstOrDefault();
            if (paging is null || page is null || page.Cookie.Length == 0)
            {
                return new ContentSyncResponse(entries, references, ContentSyncControl.Done(response));
            }

            paging.Cookie = page.Cookie;
        }
    }

    /// <summary>What a content-sync refresh returned: how many entries and references, and its final Sync Done.</summary>
    private sealed record ContentSyncResponse(int Entries, int References, SyncDone? Done);

    private static string ContentSyncCursor(byte[] cookie) => ContentSyncPrefix + Convert.ToBase64String(cookie);

    private static byte[]? ParseContentSyncCookie(string cursor)
    {
        if (!cursor.StartsWith(ContentSyncPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            return Convert.FromBase64String(cursor[ContentSyncPrefix.Length..]) is { Length: > 0 } cookie ? cookie : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private LdapChangeCheck CheckUsn(string dsServiceName, long highestUsn, string? cursor, CancellationToken cancellationToken)
    {
        var invocation = TrySearch(new SearchRequest(dsServiceName, "(objectClass=*)", SearchScope.Base, "invocationId"), out var error)
            ?.Entries.Cast<SearchResultEntry>().FirstOrDefault() is { } settingsEntry && settingsEntry.Attributes.Contains("invocationId")
            && settingsEntry.Attributes["invocationId"].GetValues(typeof(byte[])) is [byte[] { Length: 16 } id, ..]
                ? new Guid(id).ToString()
                : null;
        if (invocation is null)
        {
            return Unavailable(cursor, $"the invocationId of {dsServiceName} cannot be read ({error ?? "no value"}), so a restore of the domain controller could not be told apart");
        }

        var server = ServerKey(dsServiceName);
        var fresh = $"{UsnPrefix}{server}:{invocation}:{highestUsn.ToString(CultureInfo.InvariantCulture)}";
        if (cursor is null)
        {
            return new(false, fresh, null);
        }

        var parts = cursor.StartsWith(UsnPrefix, StringComparison.Ordinal) ? cursor[UsnPrefix.Length..].Split(':') : [];
        if (parts.Length != 3 || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var since))
        {
            return new(false, fresh, NotOurs);
        }

        if (parts[0] != server)
        {
            return new(false, fresh, $"another domain controller answered ({dsServiceName}): update sequence numbers are per domain controller");
        }

        if (parts[1] != invocation)
        {
            return new(false, fresh, $"the domain controller {dsServiceName} has a new invocationId (its database was restored): its update sequence numbers start over");
        }

        if (highestUsn < since)
        {
            return new(false, fresh, $"the highestCommittedUSN of {dsServiceName} went back from {since} to {highestUsn}");
        }

        if (highestUsn == since)
        {
            LogUnchanged(logger, settings.RootPathText, "highestCommittedUSN");
            return new(true, cursor, null);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var domain = settings.DeletedObjectsBase[DeletedObjectsRdn.Length..];
        // Seeing one tombstone proves the bind user may list them (AD grants that to administrators only by default);
        // a domain without any yet is treated the same as one that hides them.
        var tombstones = new SearchRequest(settings.DeletedObjectsBase, "(isDeleted=TRUE)", SearchScope.OneLevel, "1.1") { SizeLimit = 1, TimeLimit = options.SearchTimeLimit };
        tombstones.Controls.Add(new ShowDeletedControl { IsCritical = true });
        if (TrySearch(tombstones, out _, sizeLimitIsChange: true) is not { Entries.Count: > 0 })
        {
            return new(false, fresh, $"{dsServiceName} committed changes since the last sync and {settings.Username} cannot list {settings.DeletedObjectsBase} (or it holds no tombstone yet), so deletions cannot be ruled out (grant it List Contents and Read Property there to skip reads when only other objects changed)");
        }

        // Computers change their passwords every 30 days; they are never users or groups of a sync, so their changes are
        // left out (unless the users are computers). Groups listing them change themselves when their members do.
        var filter = settings.UserObjectClass.Equals("computer", StringComparison.OrdinalIgnoreCase)
            ? $"(uSNChanged>={since + 1})"
            : $"(&(uSNChanged>={since + 1})(!(objectClass=computer)))";
        var changed = new SearchRequest(domain, filter, SearchScope.Subtree, "1.1") { SizeLimit = 1, TimeLimit = options.SearchTimeLimit };
        changed.Controls.Add(new ShowDeletedControl { IsCritical = true });
        var response = TrySearch(changed, out var changedError, sizeLimitIsChange: true);
        if (response is null)
        {
            return new(false, fresh, $"searching {domain} for objects changed since update sequence number {since} failed ({changedError})");
        }

        if (response.Entries.Count > 0)
        {
            var example = response.Entries[0].DistinguishedName;
            return new(false, fresh, $"objects in {domain} changed since the last sync (uSNChanged above {since}, e.g. {example})");
        }

        LogUnchanged(logger, settings.RootPathText, "uSNChanged");
        return new(true, fresh, null);
    }

    /// <summary>dsServiceName names the DC (its NTDS Settings object); a short hash keeps the cursor small.</summary>
    private static string ServerKey(string dsServiceName)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(dsServiceName.ToUpperInvariant())))[..16];

    private LdapChangeCheck Unavailable(string? cursor, string reason)
    {
        LogUnavailable(logger, settings.Endpoint, reason);
        return new(false, null, cursor is null ? null : reason);
    }

    private const string NotOurs = "the cursor was not written by the LDAP source for this kind of server";

    /// <summary>The response; null with the error when the server answered with an error result (connection failures
    /// and timeouts are thrown: the read would fail the same way).</summary>
    private SearchResponse? TrySearch(SearchRequest request, out string? error, bool sizeLimitIsChange = false)
    {
        error = null;
        try
        {
            return search(request);
        }
        catch (SyncFailedException ex) when (ex.InnerException is DirectoryOperationException { Response: var response })
        {
            var code = response is null ? "unknown" : ((int)response.ResultCode).ToString(CultureInfo.InvariantCulture);
            if (sizeLimitIsChange && response is SearchResponse { ResultCode: ResultCode.SizeLimitExceeded } partial)
            {
                return partial;
            }

            error = response is { ResultCode: (ResultCode)ContentSyncControl.RefreshRequired }
                ? $"LDAP result {code}, e-syncRefreshRequired: the server can no longer resume from it"
                : $"LDAP result {code}{(string.IsNullOrWhiteSpace(response?.ErrorMessage) ? "" : ": " + response.ErrorMessage.Trim())}";
            return null;
        }
    }

    private static string? Text(SearchResultEntry entry, string attribute)
        => entry.Attributes.Contains(attribute) ? entry.Attributes[attribute].GetValues(typeof(string)).Cast<string>().FirstOrDefault() : null;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Nothing changed under {Base} since the last sync ({Mechanism}): the read is skipped")]
    private static partial void LogUnchanged(ILogger logger, string @base, string mechanism);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Incremental reads are off for {Endpoint}: {Reason}")]
    private static partial void LogNoChangeTracking(ILogger logger, string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Incremental reads are off for {Endpoint}: {Reason}; every sync reads the directory in full")]
    private static partial void LogUnavailable(ILogger logger, string endpoint, string reason);
}
