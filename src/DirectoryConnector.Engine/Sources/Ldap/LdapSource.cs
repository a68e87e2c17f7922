using System.Collections.Concurrent;
using System.DirectoryServices.Protocols;
using System.Globalization;
using System.Net;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sync;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>Reads users and groups from an LDAP server or Active Directory with System.DirectoryServices.Protocols.</summary>
public sealed partial class LdapSource : IDirectorySource
{
    private const string Field = "spec.source.ldap";

    /// <summary>How many converted pages a search's fetching thread may hold that the caller has not mapped yet.</summary>
    private const int PagesAhead = 2;
    private readonly EffectiveLdapSpec _settings;
    private readonly LdapSourceOptions _options;
    private readonly ILogger _logger;

    internal LdapSource(EffectiveLdapSpec settings, LdapSourceOptions options, ILogger<LdapSource> logger)
    {
        _settings = settings;
        _options = options;
        _logger = logger;
    }

    /// <summary>Validates the spec (InvalidSpec naming the field) and applies Active Directory / LDAP defaults.</summary>
    public static LdapSource Create(LdapSourceSpec spec, FiltersSpec? filters, string password, string? caCertificatesPem, ILogger<LdapSource> logger)
    {
        var settings = EffectiveLdapSpec.Create(spec, filters, password, caCertificatesPem);
        return new(settings, new LdapSourceOptions { OperationTimeout = settings.Timeout }, logger);
    }

    internal static LdapSource Create(LdapSourceSpec spec, FiltersSpec? filters, string password, string? caCertificatesPem, LdapSourceOptions options, ILogger<LdapSource> logger)
        => new(EffectiveLdapSpec.Create(spec, filters, password, caCertificatesPem), options, logger);

    public async Task<DirectorySnapshot> ReadAsync(DirectoryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();

        // S.DS.P blocks a thread per call, and unbinding a connection while another thread waits on it is unsafe in
        // libldap. So one worker owns the connection from connect to dispose and checks the token between calls,
        // each call bounded by a time limit; the caller stops waiting as soon as the token fires.
        try
        {
            return await Task.Run(() => Read(query, cancellationToken), cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ConnectFailedException failed)
        {
            // Off the LDAP worker: the diagnosis repeats the connection with .NET's sockets and TLS to say which step failed.
            throw await DiagnoseAsync(cancellationToken).ConfigureAwait(false) is { } diagnosis
                ? ConnectFailure(diagnosis, Endpoint, failed.Code, failed.Failure.InnerException!)
                : failed.Failure;
        }
    }

    private DirectorySnapshot Read(DirectoryQuery query, CancellationToken cancellationToken)
    {
        using var trust = _settings.CaCertificatesPem is null ? null : LdapTrustDirectory.Create(_settings.CaCertificatesPem, $"{Field}.caSecretRef");
        using var connection = Connect(trust, cancellationToken);
        var change = new LdapChangeTracker(_settings, _options, request => (SearchResponse)Send(connection, request,
            new SearchScopeContext(request.DistinguishedName, $"{Field}.rootPath", request.Filter?.ToString() ?? "", $"{Field}.rootPath")), _logger)
            .Check(query.Cursor, cancellationToken);
        if (change.Unchanged)
        {
            return new DirectorySnapshot { Users = [], Groups = [], Unchanged = true, Cursor = change.Cursor };
        }

        var report = new LdapReadReport();
        var mapping = _settings.Mapping;

        // Each user entry is mapped and indexed as its page arrives, then dropped: only what groups resolve members by is kept.
        var users = new List<DirectoryUser>();
        var memberIndex = new LdapMemberIndex();
        string? disabledUnknown = null;
        if (query.Users || query.Groups)
        {
            var userScope = new SearchScopeContext(_settings.UserBase, $"{Field}.userPath", _settings.UsersFilter, "spec.filters.users");
            var disabledByFilter = ReadDisabledByFilter(connection, cancellationToken);
            var anyLockAttribute = false;
            foreach (var entry in Search(connection, userScope, [.. mapping.UserAttributes()], [], cancellationToken))
            {
                var markedDisabled = disabledByFilter?.Contains(LdapEntryMapper.CanonicalDn(entry.DistinguishedName)) == true;
                if (LdapEntryMapper.MapUser(entry, mapping, deleted: false, report, markedDisabled) is { } user)
                {
                    users.Add(user);
                    memberIndex.Add(entry, user);
                    anyLockAttribute = anyLockAttribute || AccountLock.HasLockAttribute(entry);
                }
            }

            if (query.RemoveDisabled && disabledByFilter is null && users.Count > 0 && !anyLockAttribute)
            {
                disabledUnknown = ExplainMissingLockAttributes(connection, cancellationToken);
            }
        }

        var deletedUsers = query.IncludeDeleted && _settings.ActiveDirectory ? ReadDeletedUsers(connection, report, cancellationToken) : [];

        IReadOnlyList<DirectoryGroup> groups = query.Groups ? ReadGroups(connection, memberIndex, report, cancellationToken) : [];
        return new DirectorySnapshot
        {
            // Users read for a groups-only query are returned too: the planner needs them to resolve members.
            Users = deletedUsers.Count == 0 ? users : [.. users, .. deletedUsers],
            Groups = groups,
            Skipped = report.Skipped,
            Warnings = report.Warnings,
            DisabledUnknownReason = disabledUnknown,
            Cursor = change.Cursor,
            FullReadReason = change.Reason,
        };
    }

    /// <summary>The users spec.source.ldap.disabledFilter selects, evaluated by the server over the same users; null when unset.</summary>
    private HashSet<string>? ReadDisabledByFilter(BoundedLdapConnection connection, CancellationToken cancellationToken)
    {
        if (_settings.DisabledFilter is null)
        {
            return null;
        }

        var scope = new SearchScopeContext(_settings.UserBase, $"{Field}.userPath", $"(&{_settings.UsersFilter}{_settings.DisabledFilter})", $"{Field}.disabledFilter");
        return [.. Search(connection, scope, ["1.1"], [], cancellationToken).Select(entry => LdapEntryMapper.CanonicalDn(entry.DistinguishedName))];
    }

    /// <summary>
    /// No user carries a lock attribute: either none is locked, or the server has no such attribute. Its schema
    /// (RFC 4512 §4.2, subschemaSubentry) tells which; null when it defines one of them, so the source can tell.
    /// </summary>
    private string? ExplainMissingLockAttributes(BoundedLdapConnection connection, CancellationToken cancellationToken)
    {
        var known = string.Join(", ", AccountLock.Attributes);
        var advice = $"set {Field}.disabledFilter to the LDAP filter that matches disabled accounts in this directory";
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var root = (SearchResponse)Send(connection, new SearchRequest("", "(objectClass=*)", SearchScope.Base, "subschemaSubentry"),
                new SearchScopeContext("", $"{Field}.hostname", "(objectClass=*)", $"{Field}.disabledFilter"));
            var subschema = root.Entries.Cast<SearchResultEntry>().FirstOrDefault() is { } dse && dse.Attributes.Contains("subschemaSubentry")
                ? dse.Attributes["subschemaSubentry"].GetValues(typeof(string)).Cast<string>().FirstOrDefault()
                : null;
            if (subschema is not null)
            {
                var schema = (SearchResponse)Send(connection, new SearchRequest(subschema, "(objectClass=subschema)", SearchScope.Base, "attributeTypes"),
                    new SearchScopeContext(subschema, "subschemaSubentry", "(objectClass=subschema)", $"{Field}.disabledFilter"));
                var definitions = schema.Entries.Cast<SearchResultEntry>()
                    .SelectMany(entry => entry.Attributes.Contains("attributeTypes") ? entry.Attributes["attributeTypes"].GetValues(typeof(string)).Cast<string>() : [])
                    .ToList();
                if (AccountLock.Attributes.Any(attribute => definitions.Any(definition => definition.Contains($"'{attribute}'", StringComparison.OrdinalIgnoreCase))))
                {
                    return null;
                }

                return $"the server's schema defines none of the account-lock attributes recognised out of the box ({known}), so {Field} cannot tell disabled users apart; {advice}";
            }
        }
        catch (SyncFailedException ex) when (ex.Reason != SyncFailureReason.SourceUnavailable)
        {
            // An unreadable schema only makes the explanation less certain; a server that stopped answering fails the
            // read here, with its own message, as the next search would fail anyway on the connection it left.
        }

        return $"none of the users read carries an account-lock attribute recognised out of the box ({known}) and the server's schema cannot be read to tell whether it has any; if this directory marks disabled accounts another way, {advice}";
    }

    private List<DirectoryUser> ReadDeletedUsers(BoundedLdapConnection connection, LdapReadReport report, CancellationToken cancellationToken)
    {
        // Tombstones keep objectGUID (the external id) but lose mail, so they are matched by external id.
        var context = new SearchScopeContext(
            _settings.DeletedObjectsBase, $"{Field}.rootPath",
            $"(&(objectClass={_settings.UserObjectClass})(!(objectClass=computer))(isDeleted=TRUE))", $"{Field}.userObjectClass");
        try
        {
            var entries = Search(connection, context, [.. _settings.Mapping.UserAttributes()], [new ShowDeletedControl { IsCritical = true }], cancellationToken);
            return [.. entries.Select(entry => LdapEntryMapper.MapUser(entry, _settings.Mapping, deleted: true, report)).OfType<DirectoryUser>()];
        }
        catch (SyncFailedException ex) when (ex.Reason == SyncFailureReason.SourceQueryFailed)
        {
            // Without tombstones deleted users are simply not reported as deleted: nothing is removed by mistake.
            LogDeletedObjectsUnreadable(_logger, context.Base, ex.Message);
            return [];
        }
    }

    private List<DirectoryGroup> ReadGroups(
        BoundedLdapConnection connection,
        LdapMemberIndex memberIndex,
        LdapReadReport report,
        CancellationToken cancellationToken)
    {
        var mapping = _settings.Mapping;
        var memberAttributes = mapping.MemberAttributes
            .Select(attribute => _options.MemberRangeWindow is { } window ? $"{attribute};range=0-{window - 1}" : attribute);
        IEnumerable<string> attributes = [.. mapping.GroupAttributes(), .. memberAttributes];

        HashSet<string>? selected = null;
        if (_settings.GroupPathSet || _settings.GroupFilter is not null)
        {
            var selectedEntries = Search(connection, new SearchScopeContext(_settings.GroupBase, $"{Field}.groupPath", _settings.SelectedGroupsFilter, "spec.filters.groups"),
                ["1.1"], [], cancellationToken);
            selected = [.. selectedEntries.Select(entry => LdapEntryMapper.CanonicalDn(entry.DistinguishedName))];
        }

        var groups = new List<DirectoryGroup>();
        // The whole group graph under rootPath: nesting is resolved through groups the path or filter leaves out.
        // Each group is mapped as its page arrives; ranged member values are read on the fetching thread, which owns the connection.
        foreach (var entry in Search(connection, new SearchScopeContext(_settings.RootPathText, $"{Field}.rootPath", _settings.AllGroupsFilter, $"{Field}.groupObjectClass"),
            [.. attributes.Distinct(StringComparer.OrdinalIgnoreCase)], [], cancellationToken, entry =>
            {
                foreach (var memberAttribute in mapping.MemberAttributes)
                {
                    ReadRemainingMemberRanges(connection, entry, memberAttribute, cancellationToken);
                }
            }))
        {
            var isSelected = selected is null || selected.Contains(LdapEntryMapper.CanonicalDn(entry.DistinguishedName));
            if (LdapEntryMapper.MapGroup(entry, mapping, memberIndex, isSelected, report) is { } group)
            {
                groups.Add(group);
            }
        }

        return groups;
    }

    /// <summary>
    /// Range retrieval (MS-ADTS 3.1.1.3.1.3.3): a server with more values than its window returns
    /// `member;range=0-1499`; ask for the next window until the returned name ends in `-*`.
    /// </summary>
    private void ReadRemainingMemberRanges(BoundedLdapConnection connection, LdapEntry entry, string attribute, CancellationToken cancellationToken)
    {
        var rangedName = entry.HasRangedAttributes ? entry.AttributeNames.FirstOrDefault(name => LdapEntryMapper.ParseRange(name, attribute) is not null) : null;
        if (rangedName is null)
        {
            return;
        }

        var values = new List<byte[]>(entry.GetBytes(attribute));
        values.AddRange(entry.GetBytes(rangedName));
        var chunks = FollowMemberRanges(attribute, rangedName, values, _options.MemberRangeWindow, requested =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            var request = new SearchRequest(entry.DistinguishedName, "(objectClass=*)", SearchScope.Base, requested)
            {
                TimeLimit = _options.SearchTimeLimit,
            };
            var response = (SearchResponse)Send(connection, request, new SearchScopeContext(entry.DistinguishedName, $"{Field}.memberAttribute", "(objectClass=*)", $"{Field}.memberAttribute"));
            var returned = response.Entries.Cast<SearchResultEntry>().FirstOrDefault();
            var returnedName = returned?.Attributes.AttributeNames.Cast<string>().FirstOrDefault(name => LdapEntryMapper.ParseRange(name, attribute) is not null);
            return returnedName is null ? null : (returnedName, returned!.Attributes[returnedName].GetValues(typeof(byte[])).Cast<byte[]>().ToList());
        }, $"{_settings.Endpoint} answered range {{0}} when {{1}} was asked for the members of {entry.DistinguishedName}.");
        entry.Replace(attribute, values);
        LogRangedMembers(_logger, entry.DistinguishedName, attribute, values.Count, chunks);
    }

    /// <summary>
    /// Follows the ranges after <paramref name="firstRangedName"/> (whose values <paramref name="values"/> already holds)
    /// until a returned name ends in `-*`, appending each chunk's values; returns the number of chunks read. The
    /// returned name is parsed, never assumed (MS-ADTS: "The server can return fewer values than requested"):
    /// <list type="bullet">
    /// <item>An empty final range (`member;range=1500-*` with no values) ends the list: nothing is missing. It is
    /// what a request starting at or past the value count gets (Samba's ranged_results module clips the end to the
    /// last value and returns no values when the start lies beyond it), e.g. when members were removed during the read.</item>
    /// <item>No ranged attribute at all in the answer (every value was removed while we read) ends it too.</item>
    /// <item>A range that does not start where the previous one ended is a failure (retried), never a list with a
    /// hole.</item>
    /// </list>
    /// </summary>
    /// <param name="fetch">Asks the server for one attribute description (e.g. `member;range=1500-*`); returns the
    /// ranged name and values it answered, or null when it answered none.</param>
    /// <param name="mismatch">The failure message, with {0} the returned name and {1} the requested one.</param>
    internal static int FollowMemberRanges(string attribute, string firstRangedName, List<byte[]> values, int? window,
        Func<string, (string Name, IReadOnlyList<byte[]> Values)?> fetch, string mismatch)
    {
        var (_, high) = LdapEntryMapper.ParseRange(firstRangedName, attribute)!.Value;
        var chunks = 1;
        while (high is { } last)
        {
            var low = last + 1;
            var requested = window is { } size ? $"{attribute};range={low}-{low + size - 1}" : $"{attribute};range={low}-*";
            if (fetch(requested) is not { } answer)
            {
                break; // the values were removed while we read: what we have is what there is
            }

            var (returnedLow, returnedHigh) = LdapEntryMapper.ParseRange(answer.Name, attribute)!.Value;
            if (returnedLow != low)
            {
                throw new SyncFailedException(SyncFailureReason.SourceUnavailable,
                    string.Format(CultureInfo.InvariantCulture, mismatch, answer.Name, requested), retryable: true);
            }

            values.AddRange(answer.Values);
            high = returnedHigh;
            chunks++;
        }

        return chunks;
    }

    private BoundedLdapConnection Connect(LdapTrustDirectory? trust, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        LdapConnection connection;
        try
        {
            connection = new LdapConnection(new LdapDirectoryIdentifier(_settings.Hostname, _settings.Port))
            {
                AuthType = AuthType.Basic,
                Credential = new NetworkCredential(_settings.Username, _settings.Password),
                Timeout = _options.OperationTimeout,
                AutoBind = false,
            };
        }
        catch (TypeInitializationException ex) when (ex.InnerException is DllNotFoundException)
        {
            // S.DS.P calls OpenLDAP's client library on Linux; the image ships it, a bare machine may not.
            throw new SyncFailedException(SyncFailureReason.SourceUnavailable,
                "LDAP sources need OpenLDAP's client library (libldap), which is not installed: on Debian 12 run apt-get install libldap-2.5-0 (Debian 13: libldap2).",
                retryable: false, ex);
        }

        var bounded = new BoundedLdapConnection(connection, _options.OperationTimeout);
        try
        {
            var session = connection.SessionOptions;
            session.ProtocolVersion = 3; // the Linux default is 2, which slapd and AD refuse
            var inSteps = false;
            if (!OperatingSystem.IsWindows())
            {
                if (LibLdap.SetTimeouts(connection, _options.OperationTimeout))
                {
                    // The URI S.DS.P itself sets at bind (dotnet/runtime#56619), so that the connection opens before it.
                    inSteps = LibLdap.CanConnectInSteps && LibLdap.SetUri(connection, $"ldap://{_settings.Hostname}:{_settings.Port.ToString(CultureInfo.InvariantCulture)}");
                }
                else
                {
                    LogNoNativeTimeouts(_logger, _settings.Endpoint);
                }
            }

            session.ReferralChasing = ReferralChasingOptions.None; // referral hosts are often unresolvable from pods
            if (_settings.Encryption == LdapEncryption.Ldaps && !inSteps)
            {
                session.SecureSocketLayer = true;
            }

            if (trust is not null || _settings.InsecureSkipVerify)
            {
                if (OperatingSystem.IsWindows())
                {
                    throw new SyncFailedException(SyncFailureReason.InvalidSpec,
                        $"{Field}.caSecretRef and {Field}.insecureSkipVerify need libldap (Linux); on Windows trust the CA in the machine store.", retryable: false);
                }

                if (trust is not null)
                {
                    session.TrustedCertificatesDirectory = trust.Path;
                }

                if (_settings.InsecureSkipVerify)
                {
                    LibLdap.DisableCertificateVerification(connection);
                }

                session.StartNewTlsSessionContext();
            }

            if (inSteps)
            {
                OpenInSteps(bounded);
            }
            else if (_settings.Encryption == LdapEncryption.StartTls)
            {
                StartTlsWithoutSteps(bounded);
            }

            try
            {
                Bounded(bounded, () =>
                {
                    connection.Bind();
                    return true;
                }, inner => NoAnswer(Endpoint, $"the bind as {_settings.Username} within {Seconds}", LdapResult.Timeout, ConnectingCauses(LdapEncryption.None), inner));
            }
            catch (DirectoryOperationException ex) when (ex.Response is null)
            {
                // S.DS.P on Linux turns a refused bind into an exception without a response: a refusal's code is on the
                // handle. Anything else there (libldap leaves 1 after a failed StartTLS handshake) is a failed connection,
                // which the TLS diagnosis explains.
                var code = LibLdap.LastResultCode(connection) is int last and (LdapResult.StrongAuthRequired or LdapResult.ConfidentialityRequired
                    or LdapResult.InvalidCredentials or LdapResult.InappropriateAuthentication) ? last : LdapResult.ServerDown;
                throw ConnectOrBindFailure(ex, code);
            }

            LogConnected(_logger, _settings.Endpoint, _settings.Encryption, _settings.Username);
            return bounded;
        }
        catch (Exception ex) when (ex is LdapException or DirectoryOperationException or TimeoutException)
        {
            bounded.Dispose();
            throw ConnectOrBindFailure(ex);
        }
        catch
        {
            bounded.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Connects, then StartTLS or the LDAPS handshake, each a step of its own before the bind: the TCP connect is
    /// bounded by libldap's network timeout, the handshakes by <see cref="BoundedLdapConnection"/>, which from here on
    /// holds the socket it shuts down when the time limit runs out, and a failure names the step that failed.
    /// </summary>
    private void OpenInSteps(BoundedLdapConnection bounded)
    {
        var connection = bounded.Connection;
        var connected = FromLibLdap(LibLdap.Connect(connection));
        if (connected != 0)
        {
            throw ConnectOrBindFailure(new LdapException(connected), connected);
        }

        bounded.WatchSocket();
        if (_settings.Encryption == LdapEncryption.None)
        {
            return;
        }

        // The handshake blocks on the socket, bounded from outside (libldap 2.5 would spin on a non-blocking one).
        LibLdap.ClearNetworkTimeout(connection);
        if (_settings.Encryption == LdapEncryption.Ldaps)
        {
            var handshake = Bounded(bounded, () => FromLibLdap(LibLdap.InstallTls(connection)),
                inner => NoAnswer(Endpoint, $"the TLS handshake within {Seconds}", LdapResult.Timeout, ConnectingCauses(LdapEncryption.Ldaps), inner));
            if (handshake is LdapResult.Timeout or LdapResult.ClientTimeout)
            {
                throw NoAnswer(Endpoint, $"the TLS handshake within {Seconds}", handshake, ConnectingCauses(LdapEncryption.Ldaps), null);
            }

            if (handshake != 0)
            {
                // Untrusted certificate, name mismatch or no TLS on that port: the diagnosis tells which.
                throw new ConnectFailedException(handshake, MapFailure(new LdapException(handshake), context: null, handshake));
            }

            return;
        }

        StartTls(bounded);
    }

    /// <summary>Where libldap cannot connect before the bind (Windows, or libldap before 2.5): an anonymous RootDSE read
    /// connects without sending credentials, as StartTLS needs an open connection (dotnet/runtime#56619).</summary>
    private void StartTlsWithoutSteps(BoundedLdapConnection bounded)
    {
        try
        {
            Bounded(bounded, () => bounded.Connection.SendRequest(new SearchRequest("", "(objectClass=*)", SearchScope.Base, "supportedExtension"), _options.OperationTimeout),
                inner => NoAnswer(Endpoint, $"the StartTLS handshake within {Seconds}", LdapResult.Timeout, ConnectingCauses(LdapEncryption.StartTls), inner));
        }
        catch (DirectoryOperationException)
        {
            // Refused anonymous reads still leave a connection to upgrade.
        }

        StartTls(bounded);
    }

    private void StartTls(BoundedLdapConnection bounded)
    {
        try
        {
            Bounded(bounded, () =>
            {
                bounded.Connection.SessionOptions.StartTransportLayerSecurity(null);
                return true;
            }, inner => NoAnswer(Endpoint, $"the StartTLS handshake within {Seconds}", LdapResult.Timeout, ConnectingCauses(LdapEncryption.StartTls), inner));
        }
        catch (Exception ex) when (ex is DirectoryOperationException or LdapException)
        {
            // The code alone cannot tell a refusal (slapd without a certificate answers protocolError) from a
            // failed handshake, after which libldap sometimes leaves operationsError on the handle: the
            // diagnosis repeats StartTLS on its own socket and reads the server's answer.
            var code = ResultCode(ex, null);
            throw new ConnectFailedException(code, MapFailure(ex, context: null, code));
        }
    }

    /// <summary>
    /// Runs one step on the server within the time limit. Whichever limit ends the wait, <see cref="BoundedLdapConnection"/>'s
    /// or libldap's own (LDAP_OPT_TIMEOUT, or S.DS.P's when its garbage limit happens to be short), the failure is the
    /// same: <paramref name="noAnswer"/>, which names the step; never a connection failure for the TLS diagnosis to
    /// retry, as a diagnosis of a silent server only waits again and misnames it.
    /// </summary>
    private static T Bounded<T>(BoundedLdapConnection connection, Func<T> call, Func<Exception?, SyncFailedException> noAnswer) => connection.Run(() =>
    {
        try
        {
            return call();
        }
        catch (Exception ex) when (ex is TimeoutException or LdapException { ErrorCode: LdapResult.Timeout or LdapResult.ClientTimeout })
        {
            throw noAnswer(ex);
        }
    }, inner => inner as SyncFailedException ?? noAnswer(inner));

    /// <summary>The result codes ldap_connect and ldap_install_tls return are libldap's own, negative for client
    /// errors; the rest of this source (and S.DS.P) speaks the LDAP C API's (RFC 1823 draft) numbers.</summary>
    private static int FromLibLdap(int code) => code switch
    {
        -1 => LdapResult.ServerDown,
        -5 => LdapResult.Timeout,
        -11 => LdapResult.ConnectError,
        _ => code,
    };

    /// <summary>
    /// The entries page by page as the server sends them (RFC 2696), each page converted as it arrives and then
    /// dropped, so a caller that maps as it goes never holds the raw responses of the whole search. A thread of its own
    /// asks for each page, converts it and runs <paramref name="prepare"/> (which may use the connection) on each entry,
    /// up to <see cref="PagesAhead"/> pages ahead: the caller maps page N while the server and S.DS.P produce page N+1.
    /// That thread alone uses the connection until the enumeration ends; ending it (read to the end, failed, cancelled
    /// or abandoned) stops the thread and waits for it, so the caller may then use or dispose the connection. A failed
    /// page fails the enumeration after the pages before it, with the same exception as when read inline.
    /// </summary>
    private IEnumerable<LdapEntry> Search(
        BoundedLdapConnection connection,
        SearchScopeContext context,
        string[] attributes,
        DirectoryControl[] controls,
        CancellationToken cancellationToken,
        Action<LdapEntry>? prepare = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var pages = new BlockingCollection<List<LdapEntry>>(PagesAhead);
        var producer = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    FetchPages(connection, context, attributes, controls, prepare, pages, stop.Token, cancellationToken);
                }
                finally
                {
                    pages.CompleteAdding();
                }
            },
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            foreach (var page in pages.GetConsumingEnumerable(cancellationToken))
            {
                foreach (var entry in page)
                {
                    yield return entry;
                }
            }
        }
        finally
        {
            // The connection is the fetching thread's until it returns (it checks stop between calls).
            stop.Cancel();
            Task.WaitAny(producer);
        }

        producer.GetAwaiter().GetResult();
    }

    private void FetchPages(
        BoundedLdapConnection connection,
        SearchScopeContext context,
        string[] attributes,
        DirectoryControl[] controls,
        Action<LdapEntry>? prepare,
        BlockingCollection<List<LdapEntry>> pages,
        CancellationToken stop,
        CancellationToken cancellationToken)
    {
        var request = new SearchRequest(context.Base, context.Filter, SearchScope.Subtree, attributes)
        {
            TimeLimit = _options.SearchTimeLimit,
        };
        request.Controls.AddRange(controls);
        var paging = _settings.PagedSearch ? new PageResultRequestControl(PageSize) : null;
        if (paging is not null)
        {
            request.Controls.Add(paging);
        }

        var count = 0;
        var pageCount = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            stop.ThrowIfCancellationRequested();
            var response = (SearchResponse)Send(connection, request, context, pageCount + 1);
            pageCount++;
            LogPage(_logger, context.Base, pageCount, response.Entries.Count);
            var page = new List<LdapEntry>(response.Entries.Count);
            foreach (SearchResultEntry result in response.Entries)
            {
                var entry = ToEntry(result);
                prepare?.Invoke(entry);
                page.Add(entry);
            }

            count += page.Count;
            pages.Add(page, stop);

            // Search continuation references (RFC 4511 §4.5.3): subordinate parts of the tree held by other servers.
            foreach (SearchResultReference reference in response.References)
            {
                foreach (var url in reference.Reference)
                {
                    LogReference(_logger, context.Base, url.OriginalString);
                }
            }

            var pageResponse = FindPageResponse(response.Controls);
            if (paging is null || pageResponse is null || pageResponse.Cookie.Length == 0)
            {
                break;
            }

            paging.Cookie = pageResponse.Cookie;
        }

        LogSearch(_logger, context.Base, context.Filter, count, pageCount);
    }

    private static PageResultResponseControl? FindPageResponse(DirectoryControl[] controls)
    {
        foreach (var control in controls)
        {
            if (control is PageResultResponseControl page)
            {
                return page;
            }
        }

        return null;
    }

    /// <param name="page">The page of a paged search this request asks for (1 for the first); null for other requests.</param>
    private DirectoryResponse Send(BoundedLdapConnection connection, DirectoryRequest request, SearchScopeContext context, int? page = null)
    {
        try
        {
            return Bounded(connection, () => connection.Connection.SendRequest(request, _options.OperationTimeout),
                inner => NoAnswer(Endpoint, $"{(page is { } number ? $"search page {number.ToString(CultureInfo.InvariantCulture)} of {context.Base}" : $"the search of {context.Base}")} with filter {context.Filter} within {Seconds}",
                    LdapResult.Timeout, SearchCauses, inner));
        }
        catch (Exception ex) when (ex is LdapException or DirectoryOperationException or TimeoutException)
        {
            throw MapFailure(ex, context);
        }
    }

    private static LdapEntry ToEntry(SearchResultEntry result)
    {
        var entry = new LdapEntry(result.DistinguishedName, result.Attributes.Count);
        foreach (DirectoryAttribute attribute in result.Attributes.Values)
        {
            // Bytes for every value: binary ones (objectGUID) can happen to be valid UTF-8. GetValues returns a new
            // array (a byte[][] typed object[]), which the entry keeps as it is.
            var values = attribute.GetValues(typeof(byte[]));
            entry.AddAll(attribute.Name, values as byte[][] ?? [.. values.Cast<byte[]>()]);
        }

        return entry;
    }

    /// <summary>Maps result codes (never message text) to failures an administrator can act on.</summary>
    /// <param name="resultCode">The result code when the exception does not carry it.</param>
    private SyncFailedException MapFailure(Exception exception, SearchScopeContext? context, int? resultCode = null)
    {
        var code = ResultCode(exception, resultCode);
        var endpoint = Endpoint;
        var operation = context is null ? $"binding as {_settings.Username}" : $"searching {context.Base} with filter {context.Filter}";
        switch (code)
        {
            case LdapResult.InvalidCredentials or LdapResult.InappropriateAuthentication:
                return new(SyncFailureReason.SourceAuthFailed,
                    $"{endpoint} rejected the credentials of {Field}.username '{_settings.Username}' (LDAP result {code}); check the password in {Field}.passwordSecretRef."
                    // kubectl create secret --from-file keeps the file's final line break, which no one sees in the password.
                    + (_settings.Password.Length > 0 && char.IsWhiteSpace(_settings.Password[^1])
                        ? " It ends with a line break or space (a Secret made with --from-file keeps the file's last line break): remove it if the password has none."
                        : ""),
                    retryable: false, exception);
            case LdapResult.StrongAuthRequired or LdapResult.ConfidentialityRequired:
                return new(SyncFailureReason.SourceAuthFailed,
                    // Active Directory's default ("LDAP server signing requirements", Samba's "ldap server require strong auth").
                    $"{endpoint} requires strong auth: it refuses a simple bind without transport encryption (LDAP result {code}). "
                    + $"Set {Field}.encryption to ldaps (port 636) or startTls, and {Field}.caSecretRef to the CA that issued the server's certificate unless the system trusts it.",
                    retryable: false, exception);
            case LdapResult.InsufficientAccessRights:
                return new(SyncFailureReason.SourceAuthFailed,
                    $"{endpoint} denied {_settings.Username} access while {operation} (LDAP result {code}).", retryable: false, exception);
            case LdapResult.Timeout or LdapResult.ClientTimeout:
                return NoAnswer(endpoint,
                    $"{(context is null ? $"the bind as {_settings.Username}" : $"the search of {context.Base} with filter {context.Filter}")} within {Seconds}",
                    code, context is null ? ConnectingCauses(LdapEncryption.None) : SearchCauses, exception);
            case LdapResult.ServerDown or LdapResult.ConnectError
                or LdapResult.Busy or LdapResult.Unavailable or LdapResult.TimeLimitExceeded
                or LdapResult.UnwillingToPerform or LdapResult.Other:
                return new(SyncFailureReason.SourceUnavailable,
                    $"The LDAP server {endpoint} is unreachable, timed out or busy while {operation} (LDAP result {code}).",
                    retryable: true, exception);
            case LdapResult.FilterError or LdapResult.ClientFilterError or LdapResult.ProtocolError or LdapResult.UndefinedAttributeType
                or LdapResult.InappropriateMatching when context is not null:
                return new(SyncFailureReason.SourceQueryFailed,
                    $"{endpoint} rejected the filter {context.Filter} built from {context.FilterField} (LDAP result {code}): check its syntax and attribute names.",
                    retryable: false, exception);
            case LdapResult.Referral when context is not null:
                var urls = exception is DirectoryOperationException { Response.Referral: { Length: > 0 } referral }
                    ? string.Join(", ", referral.Select(url => url.OriginalString))
                    : "a server it does not name";
                return new(SyncFailureReason.SourceQueryFailed,
                    $"{endpoint} does not hold the search base {context.Base} (from {context.BaseField}) and refers to {urls} (LDAP result {code}): point {Field}.hostname at that server, or {context.BaseField} at a base this server holds.",
                    retryable: false, exception);
            case LdapResult.NoSuchObject or LdapResult.InvalidDnSyntax when context is not null:
                return new(SyncFailureReason.SourceQueryFailed,
                    $"The search base {context.Base} (from {context.BaseField}) does not exist on {endpoint} (LDAP result {code}).",
                    retryable: false, exception);
            case LdapResult.UnavailableCriticalExtension when context is not null:
                return new(SyncFailureReason.SourceQueryFailed,
                    $"{endpoint} does not support a control this search needs (LDAP result {code}: paged results, or show-deleted); set {Field}.pagedSearch to false if the server cannot page.",
                    retryable: false, exception);
            // OpenLDAP answers a page larger than the account's size.pr with adminLimitExceeded ("illegal pagedResults page size").
            case LdapResult.AdminLimitExceeded when context is not null && _settings.PagedSearch:
                return new(SyncFailureReason.SourceQueryFailed,
                    $"{endpoint} refused a page of {PageSize} entries for {context.Base} with filter {context.Filter} (LDAP result {code}, administrative limit): the server caps pages for {_settings.Username} below that (OpenLDAP: size.pr); set {Field}.pageSize at or below its cap, or raise the cap for that account.",
                    retryable: false, exception);
            // OpenLDAP caps the total of a paged search at the account's hard size limit (500 by default) unless
            // size.prtotal says otherwise (slapd.conf(5) "limits"): paging alone does not read past it.
            case LdapResult.SizeLimitExceeded or LdapResult.AdminLimitExceeded when context is not null:
                return new(SyncFailureReason.SourceQueryFailed,
                    _settings.PagedSearch
                        ? $"{endpoint} stopped the search of {context.Base} with filter {context.Filter} at its size limit for {_settings.Username}, although it was read page by page ({PageSize} entries a page): OpenLDAP caps a paged search at the account's hard size limit unless size.prtotal allows more (limits dn.exact=\"{_settings.Username}\" size.prtotal=unlimited), and a page at size.pr; raise them for that account. Nothing was synced from a partial read."
                        : $"{endpoint} returned more entries than its size limit for {context.Base} with filter {context.Filter}; set {Field}.pagedSearch to true or raise the limit for {_settings.Username}.",
                    retryable: false, exception);
            default:
                return new(SyncFailureReason.SourceUnavailable,
                    $"{endpoint} failed while {operation} (LDAP result {code}).", retryable: true, exception);
        }
    }

    private static int ResultCode(Exception exception, int? resultCode) => resultCode ?? exception switch
    {
        LdapException ldap => ldap.ErrorCode,
        DirectoryOperationException { Response: { } response } => (int)response.ResultCode,
        TimeoutException => LdapResult.Timeout,
        _ => LdapResult.Other,
    };

    /// <summary>A failed connect or bind: libldap reports every failed connection alike (server down, connect error,
    /// timeout), so those are left for <see cref="ReadAsync"/> to explain with the TLS diagnosis.</summary>
    private Exception ConnectOrBindFailure(Exception exception, int? resultCode = null)
    {
        var code = ResultCode(exception, resultCode);
        var failure = MapFailure(exception, context: null, code);
        return IsConnectionFailure(code) ? new ConnectFailedException(code, failure) : failure;
    }

    /// <summary>The result codes libldap gives every failed connection alike (no server answer to read).</summary>
    private static bool IsConnectionFailure(int code)
        => code is LdapResult.ServerDown or LdapResult.ConnectError or LdapResult.Timeout or LdapResult.ClientTimeout;

    private async Task<LdapConnectDiagnosis?> DiagnoseAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await LdapTlsDiagnosis.DiagnoseAsync(_settings.Hostname, _settings.Port, _settings.Encryption, _settings.CaCertificatesPem,
                _settings.InsecureSkipVerify, _options.OperationTimeout < TimeSpan.FromSeconds(30) ? _options.OperationTimeout : TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            LogDiagnosisFailed(_logger, _settings.Endpoint, ex.Message);
            return null;
        }
    }

    /// <summary>The client-side limit ran out: the server took the connection (or the request) and never answered.
    /// Retryable like any unreachable server; the message names what went unanswered, the limit and the usual causes.</summary>
    private static SyncFailedException NoAnswer(string endpoint, string unanswered, int code, string causes, Exception? exception) => new(SyncFailureReason.SourceUnavailable,
        $"The LDAP server {endpoint} did not answer {unanswered} (LDAP result {code}); {Field}.timeout sets that limit (default {LdapSourceSpec.DefaultTimeout}). {causes}",
        retryable: true, exception);

    /// <summary>Why a server accepts the connection and then stays silent at a step of connecting.</summary>
    private static string ConnectingCauses(LdapEncryption step) => step switch
    {
        LdapEncryption.StartTls => $"A server that accepts the connection and then stays silent during StartTLS is usually the wrong port (another service, or an LDAPS port such as 636, which takes {Field}.encryption: ldaps) or a firewall or proxy that drops the traffic: check {Field}.port and {Field}.encryption.",
        LdapEncryption.Ldaps => $"A server that accepts the connection and then stays silent during the TLS handshake is usually the wrong port (another service, or a plain LDAP port such as 389, which takes {Field}.encryption: startTls) or a firewall or proxy that drops the traffic: check {Field}.port and {Field}.encryption.",
        _ => $"A server that accepts the connection and then stays silent is usually the wrong port (another service, or an LDAPS port such as 636 without {Field}.encryption: ldaps) or a firewall or proxy that drops the traffic: check {Field}.port and {Field}.encryption.",
    };

    /// <summary>Why a server stops answering in the middle of a read.</summary>
    private static string SearchCauses =>
        $"A server that stops answering in the middle of a read is usually overloaded or restarting, or a firewall, proxy or load balancer in between dropped the connection without closing it; if the server is only slow to answer this search, raise {Field}.timeout. Nothing was synced from a partial read.";

    /// <summary>The time limit of each step, as the messages say it.</summary>
    private string Seconds => string.Create(CultureInfo.InvariantCulture, $"{_options.OperationTimeout.TotalSeconds:0} seconds");

    /// <summary>A connect or bind that failed the way every failed connection does, carrying the failure to throw when the
    /// diagnosis finds nothing more precise.</summary>
    private sealed class ConnectFailedException(int code, SyncFailedException failure) : Exception(failure.Message, failure)
    {
        public int Code { get; } = code;

        public SyncFailedException Failure { get; } = failure;
    }

    /// <summary>Unreachable, untrusted certificate and name mismatch need different fixes, so each says its own.</summary>
    private static SyncFailedException ConnectFailure(LdapConnectDiagnosis diagnosis, string endpoint, int code, Exception exception) => diagnosis.Problem switch
    {
        LdapConnectProblem.Unreachable => new(SyncFailureReason.SourceUnavailable,
            $"The LDAP server {endpoint} is unreachable: {diagnosis.Detail} (LDAP result {code}). Check {Field}.hostname and {Field}.port, and that the network lets the connector reach the server.",
            retryable: true, exception),
        LdapConnectProblem.UntrustedCertificate => new(SyncFailureReason.SourceUnavailable,
            $"The LDAP server {endpoint} was reached, but {diagnosis.Detail} (LDAP result {code}). Put the PEM certificate of the CA that issued it in a Secret of this namespace and set {Field}.caSecretRef to it (or renew an expired certificate).",
            retryable: false, exception),
        LdapConnectProblem.StartTlsRefused => StartTlsRefused(endpoint, diagnosis.ServerResult ?? code, exception),
        LdapConnectProblem.NameMismatch => new(SyncFailureReason.SourceUnavailable,
            $"The LDAP server {endpoint} was reached and its certificate is trusted, but {diagnosis.Detail} (LDAP result {code}). Set {Field}.hostname to a name the certificate lists, or reissue the certificate for this name.",
            retryable: false, exception),
        _ => new(SyncFailureReason.SourceUnavailable,
            $"The LDAP server {endpoint} was reached, but TLS failed: {diagnosis.Detail} (LDAP result {code}). Check {Field}.encryption and {Field}.port.",
            retryable: false, exception),
    };

    /// <summary>A server that answers StartTLS with an error offers no TLS on that port: RFC 4511 §4.12 (protocolError
    /// for an extended operation it does not support, as slapd without TLSCertificateFile answers) and §4.14.2
    /// (unavailable: its TLS subsystem is not available). Not retried: the answer stays the same until the server or
    /// the spec changes.</summary>
    private static SyncFailedException StartTlsRefused(string endpoint, int code, Exception exception) => new(SyncFailureReason.SourceUnavailable,
        $"The LDAP server {endpoint} does not offer StartTLS: it answered the StartTLS request with LDAP result {code}{code switch
        {
            LdapResult.ProtocolError => " (protocolError: it does not support the operation)",
            LdapResult.Unavailable => " (unavailable: its TLS subsystem is not available)",
            _ => "",
        }}, as a server without a TLS certificate does. Give the server a certificate (OpenLDAP: olcTLSCertificateFile and "
        + $"olcTLSCertificateKeyFile; Active Directory: a server authentication certificate on each domain controller), or, if it serves "
        + $"LDAPS on another port, set {Field}.encryption to ldaps and {Field}.port to that port (usually 636).",
        retryable: false, exception);

    private int PageSize => _settings.PageSize;

    private string Endpoint => $"{_settings.Endpoint} ({EncryptionName})";

    private string EncryptionName => _settings.Encryption switch
    {
        LdapEncryption.Ldaps => "ldaps",
        LdapEncryption.StartTls => "startTls",
        _ => "ldap",
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bound to LDAP server {Endpoint} ({Encryption}) as {Username}")]
    private static partial void LogConnected(ILogger logger, string endpoint, LdapEncryption encryption, string username);

    [LoggerMessage(Level = LogLevel.Information, Message = "LDAP search {Base} {Filter} returned {Count} entries in {Pages} pages")]
    private static partial void LogSearch(ILogger logger, string @base, string filter, int count, int pages);

    [LoggerMessage(Level = LogLevel.Debug, Message = "LDAP search {Base} received page {Page} with {Count} entries")]
    private static partial void LogPage(ILogger logger, string @base, int page, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Read {Count} values of {Attribute} of {Group} in {Chunks} range chunks")]
    private static partial void LogRangedMembers(ILogger logger, string group, string attribute, int count, int chunks);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not find out why the connection to {Endpoint} failed: {Reason}")]
    private static partial void LogDiagnosisFailed(ILogger logger, string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "LDAP search {Base} returned a reference to {Url}, which is not followed: entries held there are not read (point spec.source.ldap at that server to read them)")]
    private static partial void LogReference(ILogger logger, string @base, string url);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleted users under {Base} cannot be read, so none are reported as deleted: {Reason}")]
    private static partial void LogDeletedObjectsUnreadable(ILogger logger, string @base, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot set libldap time limits for {Endpoint}: a server that never answers a bind blocks a worker thread (the sync itself still honours cancellation)")]
    private static partial void LogNoNativeTimeouts(ILogger logger, string endpoint);

    /// <summary>What a search is, in the spec's terms, so errors name the field to fix.</summary>
    private sealed record SearchScopeContext(string Base, string BaseField, string Filter, string FilterField);

    /// <summary>LDAP result codes (RFC 4511) and libldap's negative client codes.</summary>
    private static class LdapResult
    {
        public const int ProtocolError = 2;
        public const int TimeLimitExceeded = 3;
        public const int SizeLimitExceeded = 4;
        public const int StrongAuthRequired = 8;
        public const int Referral = 10;
        public const int AdminLimitExceeded = 11;
        public const int UnavailableCriticalExtension = 12;
        public const int ConfidentialityRequired = 13;
        public const int UndefinedAttributeType = 17;
        public const int InappropriateMatching = 18;
        public const int NoSuchObject = 32;
        public const int InvalidDnSyntax = 34;
        public const int InappropriateAuthentication = 48;
        public const int InvalidCredentials = 49;
        public const int InsufficientAccessRights = 50;
        public const int Busy = 51;
        public const int Unavailable = 52;
        public const int UnwillingToPerform = 53;
        public const int Other = 80;
        public const int ServerDown = 81;
        public const int Timeout = 85;
        public const int FilterError = 87;
        public const int ConnectError = 91;
        public const int ClientTimeout = -5;
        public const int ClientFilterError = -7;
    }
}
