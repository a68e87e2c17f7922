using System.Security.Cryptography;
using System.Text;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.Engine.Sync;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Sources.File;

/// <summary>A directory exported to a file (LDIF or JSON), read from a path (CLI) or a ConfigMap key (operator).</summary>
public sealed partial class FileSource : IDirectorySource
{
    private const string Field = "spec.source.file";
    private const string CursorPrefix = "sha256:";

    // Auto-detection of LDIF exports of any directory: what kind of entry is a user or a group.
    private static readonly string[] UserObjectClasses = ["person", "inetOrgPerson", "organizationalPerson", "user"];
    private static readonly string[] GroupObjectClasses = ["groupOfNames", "groupOfUniqueNames", "posixGroup", "group"];

    // The same mapping code as the LDAP source: objectGUID when present (AD exports), else the DN, as there.
    private static readonly LdapEntryMapping LdifMapping = new(
        EmailAttribute: "mail",
        GroupNameAttribute: "cn",
        MemberAttributes: ["member", "uniqueMember", "memberUid"],
        EmailPrefixAttribute: null,
        EmailSuffix: null,
        ExternalIdAttribute: LdapEntryMapping.ObjectGuid,
        ExternalIdFallsBackToDn: true);

    private readonly FileSourceSpec _spec;
    private readonly FileFormat _format;
    private readonly IReferenceResolver _references;
    private readonly ILogger _logger;

    private FileSource(FileSourceSpec spec, FileFormat format, IReferenceResolver references, ILogger<FileSource> logger)
    {
        _spec = spec;
        _format = format;
        _references = references;
        _logger = logger;
    }

    /// <summary>What the operator answers to spec.source.file.path (the CRD refuses it at admission already).</summary>
    public const string NoLocalFiles = Field + ".path names a file on the host that runs the sync; the operator never reads its own files "
        + "(they include its service-account token). Put the export in a ConfigMap of this namespace and set "
        + Field + ".configMapRef instead; path is for the directory-connector CLI.";

    /// <summary>Validates the spec: exactly one of path and configMapRef, a path only where the host allows local
    /// files (<see cref="IReferenceResolver.AllowsLocalFiles"/>), and a known format.</summary>
    public static FileSource Create(FileSourceSpec spec, IReferenceResolver references, ILogger<FileSource> logger)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(references);
        var hasPath = !string.IsNullOrWhiteSpace(spec.Path);
        var hasConfigMap = spec.ConfigMapRef is not null;
        if (hasPath == hasConfigMap)
        {
            throw Invalid($"{Field} needs exactly one of path and configMapRef.");
        }

        if (hasPath && !references.AllowsLocalFiles)
        {
            throw Invalid(NoLocalFiles);
        }

        if (hasConfigMap && (string.IsNullOrWhiteSpace(spec.ConfigMapRef!.Name) || string.IsNullOrWhiteSpace(spec.ConfigMapRef.Key)))
        {
            throw Invalid($"{Field}.configMapRef needs a name and a key.");
        }

        // Before the format is guessed from the name: a folder named "exports" is a folder, not a missing format.
        if (hasPath && Directory.Exists(spec.Path))
        {
            throw Unreadable(spec.Path!, null);
        }

        var fileName = hasPath ? spec.Path! : spec.ConfigMapRef!.Key;
        var format = spec.Format ?? Path.GetExtension(fileName).ToUpperInvariant() switch
        {
            ".LDIF" => FileFormat.Ldif,
            ".JSON" => FileFormat.Json,
            _ => throw Invalid($"{Field}.format is not set and '{fileName}' does not end in .ldif or .json: set format to ldif or json."),
        };
        return new FileSource(spec, format, references, logger);
    }

    private string Description => _spec.Path is { } path ? $"{Field}.path '{path}'" : $"ConfigMap {_spec.ConfigMapRef!.Name} key {_spec.ConfigMapRef.Key}";

    public async Task<DirectorySnapshot> ReadAsync(DirectoryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var text = await LoadAsync(cancellationToken).ConfigureAwait(false);
        // The cursor is the content's hash: the same bytes are the same directory, and any other bytes are read in full.
        var cursor = CursorPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        if (query.Cursor == cursor)
        {
            return new DirectorySnapshot { Users = [], Groups = [], Unchanged = true, Cursor = cursor };
        }

        var snapshot = _format == FileFormat.Ldif ? ReadLdif(text, query) : ReadJson(text, query);
        LogRead(_logger, Description, snapshot.Users.Count, snapshot.Groups.Count);
        return new DirectorySnapshot
        {
            // As the LDAP source: users come with a groups-only query so the planner can resolve members.
            Users = query.Users || query.Groups ? snapshot.Users : [],
            Groups = query.Groups ? snapshot.Groups : [],
            Skipped = snapshot.Skipped,
            Warnings = snapshot.Warnings,
            DisabledUnknownReason = snapshot.DisabledUnknownReason,
            Cursor = cursor,
            // A changed file is simply read; only a cursor that is not a content hash is worth a word.
            FullReadReason = query.Cursor is { } previous && !previous.StartsWith(CursorPrefix, StringComparison.Ordinal)
                ? "the cursor is not one the file source wrote"
                : null,
        };
    }

    private async Task<string> LoadAsync(CancellationToken cancellationToken)
    {
        if (_spec.ConfigMapRef is { } configMap)
        {
            return await _references.GetConfigMapValueAsync(configMap.Name, configMap.Key, $"{Field}.configMapRef.key", cancellationToken).ConfigureAwait(false);
        }

        byte[] bytes;
        try
        {
            bytes = await System.IO.File.ReadAllBytesAsync(_spec.Path!, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(_spec.Path!, ex);
        }

        try
        {
            return TextFileDecoder.Decode(bytes);
        }
        catch (TextFileEncodingException ex)
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec, $"{Description} {ex.Message}.", retryable: false, ex);
        }
    }

    /// <summary>The one classification of a path that cannot be read. What the administrator must fix in the spec or on
    /// the host (no such file, a folder, no read permission) is bad input (exit 2) naming the path, the field and the fix;
    /// only an I/O error of a readable file (a failing disk or share) may pass by itself and is retried.</summary>
    private static SyncFailedException Unreadable(string path, Exception? ex)
    {
        string? problem = ex switch
        {
            _ when Directory.Exists(path) => "is a directory: name the LDIF or JSON export file in it",
            FileNotFoundException or DirectoryNotFoundException => "does not exist: check the path (a relative path is relative to the manifest's folder) or export the directory there",
            UnauthorizedAccessException => "cannot be read by this user (permission denied): let the user running directory-connector read it (and enter its folders), or export it where that user can",
            _ => null,
        };
        var description = $"{Field}.path '{path}'";
        return problem is null
            ? new SyncFailedException(SyncFailureReason.SourceUnavailable, $"{description} cannot be read: {ex?.Message}", retryable: true, ex)
            : new SyncFailedException(SyncFailureReason.InvalidSpec, $"{description} {problem}.", retryable: false, ex);
    }

    private DirectorySnapshot ReadLdif(string text, DirectoryQuery query)
    {
        List<LdapEntry> entries;
        try
        {
            entries = LdifReader.Read(text);
        }
        catch (LdifFormatException ex)
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec, $"{Description} line {ex.Line}: {ex.Message}.", retryable: false, ex);
        }

        var report = new LdapReadReport();
        var users = new List<(LdapEntry Entry, DirectoryUser User)>();
        var notAccounts = new List<LdapEntry>();
        var groupEntries = new List<LdapEntry>();
        var anyLockAttribute = false;
        foreach (var entry in entries)
        {
            if (UserObjectClasses.Any(entry.HasObjectClass))
            {
                // Contacts and computers are persons / users to LDAP, never members.
                if (LdapEntryMapper.NotAnAccount(entry) is not null)
                {
                    notAccounts.Add(entry);
                    continue;
                }

                anyLockAttribute |= AccountLock.HasLockAttribute(entry);
                var deleted = string.Equals(entry.GetString("isDeleted")?.Trim(), "TRUE", StringComparison.OrdinalIgnoreCase);
                if ((!deleted || query.IncludeDeleted) && LdapEntryMapper.MapUser(entry, LdifMapping, deleted, report) is { } user)
                {
                    users.Add((entry, user));
                }
            }
            else if (GroupObjectClasses.Any(entry.HasObjectClass))
            {
                groupEntries.Add(entry);
            }
        }

        var memberIndex = LdapMemberIndex.Build(users, notAccounts);
        var groups = groupEntries
            .Select(entry => LdapEntryMapper.MapGroup(entry, LdifMapping, memberIndex, selected: true, report))
            .OfType<DirectoryGroup>()
            .ToList();
        return new DirectorySnapshot
        {
            Users = [.. users.Select(pair => pair.User)],
            Groups = groups,
            Skipped = report.Skipped,
            Warnings = report.Warnings,
            DisabledUnknownReason = anyLockAttribute || users.Count == 0
                ? null
                : $"none of the {users.Count} users in {Description} carries an account-lock attribute ({string.Join(", ", AccountLock.Attributes)}), so none can be told to be disabled; export the attribute your directory uses",
        };
    }

    private DirectorySnapshot ReadJson(string text, DirectoryQuery query)
    {
        try
        {
            var (users, groups) = JsonDirectoryReader.Read(text, query.IncludeDeleted);
            return new DirectorySnapshot { Users = users, Groups = groups };
        }
        catch (JsonDirectoryFormatException ex)
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec, $"{Description}: {ex.Message}.", retryable: false, ex);
        }
    }

    private static SyncFailedException Invalid(string message) => new(SyncFailureReason.InvalidSpec, message, retryable: false);

    [LoggerMessage(Level = LogLevel.Information, Message = "Read {Users} users and {Groups} groups from {Source}")]
    private static partial void LogRead(ILogger logger, string source, int users, int groups);
}
