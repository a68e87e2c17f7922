using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Configuration;

// The DirectorySync spec, shared by the CLI (read from a manifest) and the operator (the CRD's spec).
// Field names follow the original Bitwarden Directory Connector so configurations migrate as they are.
// [Description] texts become the CRD's field descriptions, so `kubectl explain` teaches the spec.

[Description("Keeps a Bitwarden organization's members and groups in sync with a company directory.")]
public sealed class DirectorySyncSpec
{
    [Description("How often the operator syncs, as a duration such as 15m or 1h30m. Minimum 1m.")]
    public string Interval { get; set; } = "15m";

    [Description("Stops syncing while true; the last synced state in Bitwarden is left as it is.")]
    public bool Suspend { get; set; }

    [Description("Runs the whole pipeline except the import POST, and records what would be sent in status.")]
    public bool DryRun { get; set; }

    [Required]
    [Description("The Bitwarden organization to sync into.")]
    public BitwardenSpec Bitwarden { get; set; } = new();

    [Required]
    [Description("The directory to read users and groups from. Set exactly one source.")]
    public SourceSpec Source { get; set; } = new();

    [Description("Which users and groups of the source to sync.")]
    public FiltersSpec Filters { get; set; } = new();

    [Description("What the sync sends and how it treats disabled and missing users.")]
    public SyncOptionsSpec Sync { get; set; } = new();
}

[Description("The Bitwarden organization and its API key.")]
public sealed class BitwardenSpec
{
    public const string CloudUs = "https://vault.bitwarden.com";

    [Description("Base URL of the Bitwarden server: https://vault.bitwarden.com (cloud US), https://vault.bitwarden.eu (cloud EU), or a self-hosted base URL.")]
    public string ServerUrl { get; set; } = CloudUs;

    [Description("Overrides the API URL derived from serverUrl (cloud: https://api.bitwarden.com; self-hosted: {serverUrl}/api).")]
    public string? ApiUrl { get; set; }

    [Description("Overrides the identity URL derived from serverUrl (cloud: https://identity.bitwarden.com; self-hosted: {serverUrl}/identity).")]
    public string? IdentityUrl { get; set; }

    [Description("The Secret key, in this namespace, holding the PEM certificate(s) of the CA that issued the Bitwarden server's TLS certificate (a private CA). "
        + "When set, only these CAs are trusted for Bitwarden; otherwise the system trust store.")]
    public SecretKeyRef? CaSecretRef { get; set; }

    [Description("The organization id. Optional: otherwise taken from the API key's client_id \"organization.<id>\"; when both are set they must agree.")]
    public string? OrganizationId { get; set; }

    [Required]
    [Description("The Secret, in this namespace, that holds the organization API key.")]
    public ApiKeySecretRef ApiKeySecretRef { get; set; } = new();

    [Description("Sends invitation emails to new members. When false, servers that support it create them as Staged.")]
    public bool InviteUsersAfterProvisioning { get; set; } = true;
}

[Description("A Secret in the DirectorySync's namespace holding the organization API key.")]
public sealed class ApiKeySecretRef
{
    [Required]
    [Description("Name of the Secret.")]
    public string Name { get; set; } = "";

    [Description("Key of the client id (organization.<id>).")]
    public string ClientIdKey { get; set; } = "client_id";

    [Description("Key of the client secret.")]
    public string ClientSecretKey { get; set; } = "client_secret";
}

[Description("A key of a Secret in the DirectorySync's namespace.")]
public sealed class SecretKeyRef
{
    [Required]
    [Description("Name of the Secret.")]
    public string Name { get; set; } = "";

    [Required]
    [Description("Key within the Secret.")]
    public string Key { get; set; } = "";
}

[Description("A key of a ConfigMap in the DirectorySync's namespace.")]
public sealed class ConfigMapKeyRef
{
    [Required]
    [Description("Name of the ConfigMap.")]
    public string Name { get; set; } = "";

    [Required]
    [Description("Key within the ConfigMap.")]
    public string Key { get; set; } = "";
}

[Description("The directory source. Exactly one of its fields is set.")]
public sealed class SourceSpec
{
    [Description("An LDAP directory or Active Directory.")]
    public LdapSourceSpec? Ldap { get; set; }

    [Description("A directory exported as LDIF or JSON (also useful for HR exports).")]
    public FileSourceSpec? File { get; set; }

    /// <summary>The name of the one source that is set ("ldap", "file"), or null when none or several are.</summary>
    [JsonIgnore]
    public string? Kind => (Ldap, File) switch
    {
        (not null, null) => "ldap",
        (null, not null) => "file",
        _ => null,
    };
}

[JsonConverter(typeof(JsonStringEnumConverter<LdapEncryption>))]
public enum LdapEncryption
{
    [JsonStringEnumMemberName("none")] None,
    [JsonStringEnumMemberName("startTls")] StartTls,
    [JsonStringEnumMemberName("ldaps")] Ldaps,
}

[Description("An LDAP server or Active Directory domain controller.")]
public sealed class LdapSourceSpec
{
    [Required]
    [Description("Host name or IP address of the LDAP server.")]
    public string Hostname { get; set; } = "";

    [Description("Port; defaults to 636 with ldaps, otherwise 389.")]
    public int? Port { get; set; }

    [Description("Transport security: none, startTls or ldaps.")]
    public LdapEncryption Encryption { get; set; } = LdapEncryption.None;

    [Description("A Secret key holding the PEM CA certificate(s) that sign the server's certificate; the system trust store otherwise.")]
    public SecretKeyRef? CaSecretRef { get; set; }

    [Description("Accepts any server certificate. For testing only: it allows an attacker to read the bind password.")]
    public bool InsecureSkipVerify { get; set; }

    [Description("The server is Active Directory: fills the attribute defaults of the original connector and reads only real user accounts.")]
    public bool ActiveDirectory { get; set; }

    [Description("Uses the paged results control, required by servers that cap result sizes (Active Directory returns at most 1000 entries otherwise).")]
    public bool PagedSearch { get; set; } = true;

    [Required]
    [Description("Base DN of all searches, e.g. dc=corp,dc=example,dc=com.")]
    public string RootPath { get; set; } = "";

    [Required]
    [Description("DN (or user@domain on Active Directory) to bind as.")]
    public string Username { get; set; } = "";

    [Required]
    [Description("The Secret key holding the bind password.")]
    public SecretKeyRef PasswordSecretRef { get; set; } = new();

    [Description("Users are searched below this path, relative to rootPath (e.g. ou=People); rootPath itself when empty.")]
    public string? UserPath { get; set; }

    [Description("Groups are searched below this path, relative to rootPath (e.g. ou=Groups); rootPath itself when empty.")]
    public string? GroupPath { get; set; }

    [Description("Object class of users (Active Directory: person; otherwise inetOrgPerson).")]
    public string? UserObjectClass { get; set; }

    [Description("Object class of groups (Active Directory: group; otherwise groupOfNames).")]
    public string? GroupObjectClass { get; set; }

    [Description("Attribute holding a user's email (default mail).")]
    public string? UserEmailAttribute { get; set; }

    [Description("Attribute holding a group's name (Active Directory: name; otherwise cn).")]
    public string? GroupNameAttribute { get; set; }

    [Description("Attribute listing a group's members: member, uniqueMember or memberUid (default member).")]
    public string? MemberAttribute { get; set; }

    [Description("Builds a missing email from emailPrefixAttribute and emailSuffix.")]
    public bool UseEmailPrefixSuffix { get; set; }

    [Description("Attribute used as the email prefix (Active Directory: sAMAccountName; otherwise uid).")]
    public string? EmailPrefixAttribute { get; set; }

    [Description("Suffix appended to the prefix, e.g. @corp.example.com.")]
    public string? EmailSuffix { get; set; }

    [Description("Attribute used as the Bitwarden external id: objectGUID on Active Directory and the DN otherwise (as the original connector), or entryUUID, which survives renames and moves.")]
    public string? ExternalIdAttribute { get; set; }

    [Description("An LDAP filter (RFC 4515) matching the users that are disabled, evaluated by the server, for directories whose lock convention is not recognised out of the box (userAccountControl, nsAccountLock, pwdAccountLockedTime 000001010000Z, loginDisabled), e.g. (shadowExpire=0) or (employeeStatus=terminated).")]
    public string? DisabledFilter { get; set; }
}

[JsonConverter(typeof(JsonStringEnumConverter<FileFormat>))]
public enum FileFormat
{
    [JsonStringEnumMemberName("ldif")] Ldif,
    [JsonStringEnumMemberName("json")] Json,
}

[Description("A directory exported to a file: LDIF (as ldapsearch or ldifde write it) or JSON.")]
public sealed class FileSourceSpec
{
    [Description("Path of the file (CLI only; relative paths are relative to the manifest).")]
    public string? Path { get; set; }

    [Description("The ConfigMap key holding the file (operator).")]
    public ConfigMapKeyRef? ConfigMapRef { get; set; }

    [Description("ldif or json; inferred from the file name's extension when omitted.")]
    public FileFormat? Format { get; set; }
}

[Description("Filters in the source's own syntax; for LDAP sources raw RFC 4515 filters ANDed with the object class.")]
public sealed class FiltersSpec
{
    [Description("Selects the users to sync, e.g. (memberOf=cn=Bitwarden,ou=Groups,dc=corp,dc=example,dc=com).")]
    public string? Users { get; set; }

    [Description("Selects the groups to sync. Nesting is still resolved through groups it leaves out.")]
    public string? Groups { get; set; }
}

[Description("What the sync sends.")]
public sealed class SyncOptionsSpec
{
    [Description("Syncs users as organization members.")]
    public bool Users { get; set; } = true;

    [Description("Syncs groups and their flattened membership.")]
    public bool Groups { get; set; } = true;

    [Description("Removes disabled users from the organization instead of keeping them as members.")]
    public bool RemoveDisabled { get; set; }

    [Description("Removes every member with an external id that the directory no longer lists. Refused when the import needs more than one request.")]
    public bool OverwriteExisting { get; set; }

    [Description("Kept for compatibility with the original connector; imports over 2000 entries are always split.")]
    public bool LargeImport { get; set; }

    [Description("Removes members and groups this DirectorySync manages (external ids it sent itself) that the directory no longer has. Owners, members without an external id and members it never sent are never touched. Works with batching and pending invites, unlike overwriteExisting.")]
    public bool Prune { get; set; }

    [RegularExpression(@"^\d{1,9}%?$")]
    [Description("Most members (and, separately, groups) one sync may remove without approval: a count such as 25 or a percentage of the managed members such as 10% (at least 1). Default 10%. A sync over it posts nothing, sets Ready=False reason DeletionGuardTriggered, and waits for the annotation directoryconnector.dev/approve-deletions=<plan hash>.")]
    public string? MaxDeletions { get; set; }
}
