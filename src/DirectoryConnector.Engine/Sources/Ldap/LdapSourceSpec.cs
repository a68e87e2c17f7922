using DirectoryConnector.Engine.Configuration;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Sources.Ldap;

[Description("An LDAP server or Active Directory domain controller.")]
public sealed class LdapSourceSpec
{
    [Required]
    [Description("Host name or IP address of the LDAP server.")]
    [StringLength(int.MaxValue, MinimumLength = 1)]
    public string Hostname { get; set; } = "";

    [Description("Port; defaults to 636 with ldaps, otherwise 389.")]
    [Range(1, 65535)]
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

    /// <summary>pageSize when not set.</summary>
    public const int DefaultPageSize = 500;

    [Description("Entries per page of a paged search (RFC 2696); default 500. Larger pages read big directories in fewer round trips; the server's own cap still applies (Active Directory's MaxPageSize, 1000 by default; OpenLDAP's size.pr).")]
    [Range(1, 100000)]
    public int? PageSize { get; set; }

    /// <summary>timeout when not set: long enough for a busy domain controller, short enough that a server that
    /// never answers (a wrong port, a firewall that drops) fails the sync within a minute rather than after several.</summary>
    public const string DefaultTimeout = "30s";

    /// <summary>The shortest timeout: below a second a healthy server across a WAN already fails.</summary>
    public const string MinimumTimeout = "1s";

    [Description("How long to wait for the server to answer (connecting, binding, each page of a search) before the sync fails as unreachable, as a duration such as 30s (the default; at least 1s). Raise it for a server that is slow to answer large searches.")]
    [RegularExpression(DurationFormat.Pattern)]
    [StringLength(64)]
    [MinimumDuration(MinimumTimeout)]
    public string? Timeout { get; set; }

    [Required]
    [Description("Base DN of all searches, e.g. dc=corp,dc=example,dc=com.")]
    [StringLength(int.MaxValue, MinimumLength = 1)]
    public string RootPath { get; set; } = "";

    [Required]
    [Description("DN (or user@domain on Active Directory) to bind as.")]
    [StringLength(int.MaxValue, MinimumLength = 1)]
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
