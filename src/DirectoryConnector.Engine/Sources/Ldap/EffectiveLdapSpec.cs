using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>An LDAP spec with Active Directory / LDAP defaults applied and its secrets resolved.</summary>
internal sealed record EffectiveLdapSpec(
    string Hostname,
    int Port,
    LdapEncryption Encryption,
    string? CaCertificatesPem,
    bool InsecureSkipVerify,
    bool ActiveDirectory,
    bool PagedSearch,
    DistinguishedName RootPath,
    string RootPathText,
    string Username,
    string Password,
    string UserBase,
    string GroupBase,
    bool GroupPathSet,
    string UserObjectClass,
    string GroupObjectClass,
    string? UserFilter,
    string? GroupFilter,
    string? DisabledFilter,
    LdapEntryMapping Mapping)
{
    /// <summary>Active Directory's sAMAccountType of normal user accounts: excludes computers, contacts, trusts.</summary>
    public const string AdUserAccountFilter = "(sAMAccountType=805306368)";

    /// <summary>spec.source.ldap.pageSize; null: the source's default.</summary>
    public int? PageSize { get; init; }

    public string Endpoint => $"{Hostname}:{Port}";

    /// <summary>The domain part (trailing dc= RDNs) of rootPath, where Active Directory keeps CN=Deleted Objects:
    /// a rootPath below an OU still finds the domain's tombstones.</summary>
    public string DeletedObjectsBase
    {
        get
        {
            var first = RootPath.Rdns.Count;
            while (first > 0 && RootPath.Rdns[first - 1] is [{ Type: "dc" }])
            {
                first--;
            }

            var domain = first == RootPath.Rdns.Count
                ? RootPathText
                : string.Join(",", RootPath.Rdns.Skip(first).Select(rdn => $"{rdn[0].Type}={rdn[0].EscapedValue}"));
            return $"CN=Deleted Objects,{domain}";
        }
    }

    public string UsersFilter => $"(&(objectClass={UserObjectClass}){(ActiveDirectory ? AdUserAccountFilter : "")}{UserFilter})";

    public string AllGroupsFilter => $"(objectClass={GroupObjectClass})";

    public string SelectedGroupsFilter => $"(&(objectClass={GroupObjectClass}){GroupFilter})";

    // Redacted: records print every member otherwise.
    public override string ToString() => $"EffectiveLdapSpec {{ Endpoint = {Endpoint}, Username = {Username}, Password = *** }}";

    public static EffectiveLdapSpec Create(LdapSourceSpec spec, FiltersSpec? filters, string password, string? caCertificatesPem)
    {
        ArgumentNullException.ThrowIfNull(spec);
        const string field = "spec.source.ldap";
        if (string.IsNullOrWhiteSpace(spec.Hostname))
        {
            throw Invalid($"{field}.hostname is required.");
        }

        if (spec.Hostname.Contains(':', StringComparison.Ordinal) && !spec.Hostname.Contains('[', StringComparison.Ordinal)
            && spec.Hostname.Count(c => c == ':') == 1)
        {
            throw Invalid($"{field}.hostname must not contain a port ('{spec.Hostname}'); set {field}.port instead.");
        }

        if (spec.Port is < 1 or > 65535)
        {
            throw Invalid($"{field}.port {spec.Port} is not a TCP port (1-65535).");
        }

        if (string.IsNullOrWhiteSpace(spec.Username))
        {
            throw Invalid($"{field}.username is required: the connector never binds anonymously.");
        }

        if (string.IsNullOrEmpty(password))
        {
            throw Invalid($"The Secret key {field}.passwordSecretRef ({spec.PasswordSecretRef.Name}/{spec.PasswordSecretRef.Key}) is empty.");
        }

        if (spec.InsecureSkipVerify && spec.CaSecretRef is not null)
        {
            throw Invalid($"{field}.insecureSkipVerify and {field}.caSecretRef contradict each other: set one.");
        }

        if (spec.InsecureSkipVerify && spec.Encryption == LdapEncryption.None)
        {
            throw Invalid($"{field}.insecureSkipVerify needs {field}.encryption startTls or ldaps.");
        }

        if (!DistinguishedName.TryParse(spec.RootPath, out var root, out var rootError) || root.Rdns.Count == 0)
        {
            throw Invalid($"{field}.rootPath '{spec.RootPath}' is not a distinguished name{(rootError is null ? "" : ": " + rootError)}.");
        }

        foreach (var (path, filter) in new[] { ("spec.filters.users", filters?.Users), ("spec.filters.groups", filters?.Groups), ($"{field}.disabledFilter", spec.DisabledFilter) })
        {
            if (FilterProblem(filter) is { } filterProblem)
            {
                throw Invalid($"{path} {filterProblem}.");
            }
        }

        if (spec.UseEmailPrefixSuffix && EmailSuffixProblem(spec.EmailSuffix) is { } suffixProblem)
        {
            throw Invalid($"{field}.emailSuffix {suffixProblem}.");
        }

        var userBase = Combine(spec.UserPath, spec.RootPath, $"{field}.userPath");
        var groupBase = Combine(spec.GroupPath, spec.RootPath, $"{field}.groupPath");
        var ad = spec.ActiveDirectory;
        var prefix = spec.UseEmailPrefixSuffix ? Default(spec.EmailPrefixAttribute, ad ? "sAMAccountName" : "uid") : null;
        var externalId = Default(spec.ExternalIdAttribute, ad ? LdapEntryMapping.ObjectGuid : "dn");
        var externalIdIsDn = externalId.Equals("dn", StringComparison.OrdinalIgnoreCase)
                             || externalId.Equals("distinguishedName", StringComparison.OrdinalIgnoreCase);
        foreach (var (name, value) in new[]
                 {
                     ("userObjectClass", spec.UserObjectClass), ("groupObjectClass", spec.GroupObjectClass),
                     ("userEmailAttribute", spec.UserEmailAttribute), ("groupNameAttribute", spec.GroupNameAttribute),
                     ("memberAttribute", spec.MemberAttribute), ("emailPrefixAttribute", spec.EmailPrefixAttribute),
                     ("externalIdAttribute", spec.ExternalIdAttribute),
                 })
        {
            if (!string.IsNullOrWhiteSpace(value) && !value.Trim().All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or ';'))
            {
                throw Invalid($"{field}.{name} '{value}' is not an attribute or object class name.");
            }
        }

        var mapping = new LdapEntryMapping(
            EmailAttribute: Default(spec.UserEmailAttribute, "mail"),
            GroupNameAttribute: Default(spec.GroupNameAttribute, ad ? "name" : "cn"),
            MemberAttributes: [Default(spec.MemberAttribute, "member")],
            EmailPrefixAttribute: prefix,
            EmailSuffix: spec.UseEmailPrefixSuffix ? spec.EmailSuffix!.Trim() : null,
            ExternalIdAttribute: externalIdIsDn ? null : externalId,
            ExternalIdFallsBackToDn: string.IsNullOrWhiteSpace(spec.ExternalIdAttribute));

        return new EffectiveLdapSpec(
            Hostname: spec.Hostname.Trim(),
            Port: spec.Port ?? (spec.Encryption == LdapEncryption.Ldaps ? 636 : 389),
            Encryption: spec.Encryption,
            CaCertificatesPem: caCertificatesPem,
            InsecureSkipVerify: spec.InsecureSkipVerify,
            ActiveDirectory: ad,
            PagedSearch: spec.PagedSearch,
            RootPath: root,
            RootPathText: spec.RootPath.Trim(),
            Username: spec.Username.Trim(),
            Password: password,
            UserBase: userBase,
            GroupBase: groupBase,
            GroupPathSet: !string.IsNullOrWhiteSpace(spec.GroupPath),
            UserObjectClass: Default(spec.UserObjectClass, ad ? "person" : "inetOrgPerson"),
            GroupObjectClass: Default(spec.GroupObjectClass, ad ? "group" : "groupOfNames"),
            UserFilter: NormalizeFilter(filters?.Users),
            GroupFilter: NormalizeFilter(filters?.Groups),
            DisabledFilter: NormalizeFilter(spec.DisabledFilter),
            Mapping: mapping)
        {
            PageSize = spec.PageSize,
        };
    }

    /// <summary>Why a filter of the spec is not an LDAP filter (quoting it), or null when it is one or empty.</summary>
    public static string? FilterProblem(string? filter)
        => NormalizeFilter(filter) is { } normalized && LdapFilterSyntax.Problem(normalized) is { } problem
            ? $"\"{filter!.Trim()}\" is not an LDAP filter (RFC 4515): {problem}"
            : null;

    /// <summary>Why an emailSuffix cannot end an address ("@" and a domain), or null when it can.</summary>
    public static string? EmailSuffixProblem(string? suffix)
    {
        var trimmed = suffix?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return "is required when useEmailPrefixSuffix is true, e.g. \"@corp.example.com\"";
        }

        if (!trimmed.StartsWith('@'))
        {
            return $"\"{trimmed}\" does not start with '@': the prefix is followed by the suffix as written, so write \"@{trimmed.TrimStart('@')}\"";
        }

        return trimmed.Length == 1 || trimmed.IndexOf('@', 1) >= 0
            ? $"\"{trimmed}\" must be '@' followed by a domain, e.g. \"@corp.example.com\""
            : null;
    }

    private static string Default(string? value, string fallback) => string.IsNullOrWhiteSpace(value) ? fallback : value.Trim();

    /// <summary>The filter as sent: trimmed, wrapped in parentheses when written without; null when empty.</summary>
    public static string? NormalizeFilter(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return null;
        }

        var trimmed = filter.Trim();
        return trimmed.StartsWith('(') ? trimmed : $"({trimmed})";
    }

    // Paths are relative to rootPath (userPath "ou=People" searches ou=People,<rootPath>).
    private static string Combine(string? path, string rootPath, string field)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return rootPath.Trim();
        }

        if (!DistinguishedName.TryParse(path, out var parsed, out var error) || parsed.Rdns.Count == 0)
        {
            throw Invalid($"{field} '{path}' is not a relative distinguished name{(error is null ? "" : ": " + error)}.");
        }

        return $"{path.Trim()},{rootPath.Trim()}";
    }

    private static SyncFailedException Invalid(string message) => new(SyncFailureReason.InvalidSpec, message, retryable: false);
}
