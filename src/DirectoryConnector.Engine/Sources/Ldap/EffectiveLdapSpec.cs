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

    /// <summary>Entries per page of a paged search: spec.source.ldap.pageSize, else <see cref="LdapSourceSpec.DefaultPageSize"/>.</summary>
    public int PageSize { get; init; } = LdapSourceSpec.DefaultPageSize;

    /// <summary>The client-side limit of each LDAP step: spec.source.ldap.timeout, else <see cref="LdapSourceSpec.DefaultTimeout"/>.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    private static readonly TimeSpan DefaultTimeout = DurationFormat.TryParse(LdapSourceSpec.DefaultTimeout, out var value) ? value : throw new InvalidOperationException("DefaultTimeout is a duration.");

    private static readonly MinimumDurationAttribute MinimumTimeout = SpecValidator.MinimumOf(typeof(LdapSourceSpec), nameof(LdapSourceSpec.Timeout));

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

    /// <summary>Every rule of spec.source.ldap and of the LDAP filters in spec.filters, each error naming its field:
    /// the provider's validation (the CLI's and the operator's check) and <see cref="Create"/> both run it.</summary>
    public static void Validate(LdapSourceSpec spec, SourceValidation validation)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(validation);
        const string field = "spec.source.ldap";
        if (validation.RequireText(spec.Hostname, $"{field}.hostname"))
        {
            if (spec.Hostname.Contains("://", StringComparison.Ordinal))
            {
                validation.Error($"{field}.hostname", $"\"{spec.Hostname}\" is a URL; give the host name only and set port and encryption");
            }
            else if (spec.Hostname.Count(c => c == ':') == 1 && !spec.Hostname.Contains('[', StringComparison.Ordinal))
            {
                validation.Error($"{field}.hostname", $"\"{spec.Hostname}\" includes a port; give the host name only and set {field}.port");
            }
        }

        if (spec.Port is { } port && port is < 1 or > 65535)
        {
            validation.Error($"{field}.port", $"{port} is not a port: use 1 to 65535");
        }

        if (spec.Timeout is not null && SpecValidator.DurationProblem(spec.Timeout, MinimumTimeout) is { } timeoutProblem)
        {
            validation.Error($"{field}.timeout", timeoutProblem);
        }

        if (spec.Encryption == LdapEncryption.None)
        {
            if (spec.CaSecretRef is not null)
            {
                validation.Error($"{field}.caSecretRef", "is set but encryption is none: set encryption to ldaps or startTls, or remove caSecretRef");
            }

            if (spec.InsecureSkipVerify)
            {
                validation.Error($"{field}.insecureSkipVerify", "is true but encryption is none: there is no certificate to verify");
            }
        }
        else if (spec.CaSecretRef is not null && spec.InsecureSkipVerify)
        {
            validation.Error($"{field}.insecureSkipVerify", "contradicts caSecretRef: a CA to verify with and no verification; remove one");
        }
        else if (spec.InsecureSkipVerify)
        {
            validation.Insecure($"{field}.insecureSkipVerify", "is true: the LDAP server's certificate is not verified, so anyone on the path can read the bind password; trust its CA with caSecretRef instead");
        }

        validation.OptionalSecretRef(spec.CaSecretRef, $"{field}.caSecretRef");
        if (validation.RequireText(spec.RootPath, $"{field}.rootPath")
            && (!DistinguishedName.TryParse(spec.RootPath, out var root, out var rootError) || root.Rdns.Count == 0))
        {
            validation.Error($"{field}.rootPath", $"\"{spec.RootPath}\" is not a distinguished name{(rootError is null ? "" : ": " + rootError)}, e.g. dc=corp,dc=example,dc=com");
        }

        foreach (var (name, path) in new[] { ("userPath", spec.UserPath), ("groupPath", spec.GroupPath) })
        {
            if (!string.IsNullOrWhiteSpace(path) && (!DistinguishedName.TryParse(path, out var parsed, out var error) || parsed.Rdns.Count == 0))
            {
                validation.Error($"{field}.{name}", $"\"{path}\" is not a distinguished name relative to rootPath{(error is null ? "" : ": " + error)}, e.g. ou=People");
            }
        }

        if (string.IsNullOrWhiteSpace(spec.Username))
        {
            validation.Error($"{field}.username", "is required: the connector never binds anonymously");
        }

        validation.RequireSecretRef(spec.PasswordSecretRef, $"{field}.passwordSecretRef", "the bind password");
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
                validation.Error($"{field}.{name}", $"\"{value}\" is not an attribute or object class name");
            }
        }

        validation.RequireEmailSuffix(spec.UseEmailPrefixSuffix, spec.EmailSuffix, $"{field}.emailSuffix");

        // Filters the server would refuse are bad input, named before connecting (RFC 4515 syntax).
        foreach (var (path, filter) in new[] { (SourceValidation.UsersFilterPath, validation.Filters.Users), (SourceValidation.GroupsFilterPath, validation.Filters.Groups), ($"{field}.disabledFilter", spec.DisabledFilter) })
        {
            if (FilterProblem(filter) is { } filterProblem)
            {
                validation.Error(path, filterProblem);
            }
        }
    }

    /// <summary>Applies the defaults. Throws SyncFailedException(InvalidSpec) listing what <see cref="Validate"/> finds,
    /// or naming passwordSecretRef when the password is empty.</summary>
    public static EffectiveLdapSpec Create(LdapSourceSpec spec, FiltersSpec? filters, string password, string? caCertificatesPem)
    {
        ArgumentNullException.ThrowIfNull(spec);
        const string field = "spec.source.ldap";
        var errors = new List<SpecError>();
        Validate(spec, new SourceValidation(filters ?? new FiltersSpec(), new SyncOptionsSpec(), errors));
        if (errors.Count > 0)
        {
            throw Invalid(string.Join("; ", errors));
        }

        if (string.IsNullOrEmpty(password))
        {
            throw Invalid($"The Secret key {field}.passwordSecretRef ({spec.PasswordSecretRef.Name}/{spec.PasswordSecretRef.Key}) is empty.");
        }

        var root = DistinguishedName.TryParse(spec.RootPath, out var parsed, out _) ? parsed : throw new InvalidOperationException("Validate accepted rootPath.");
        var userBase = Combine(spec.UserPath, spec.RootPath);
        var groupBase = Combine(spec.GroupPath, spec.RootPath);
        var ad = spec.ActiveDirectory;
        var prefix = spec.UseEmailPrefixSuffix ? Default(spec.EmailPrefixAttribute, ad ? "sAMAccountName" : "uid") : null;
        var externalId = Default(spec.ExternalIdAttribute, ad ? LdapEntryMapping.ObjectGuid : "dn");
        var externalIdIsDn = externalId.Equals("dn", StringComparison.OrdinalIgnoreCase)
                             || externalId.Equals("distinguishedName", StringComparison.OrdinalIgnoreCase);
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
            PageSize = spec.PageSize ?? LdapSourceSpec.DefaultPageSize,
            Timeout = spec.Timeout is null ? DefaultTimeout : DurationFormat.TryParse(spec.Timeout, out var timeout) ? timeout : throw new InvalidOperationException("Validate accepted timeout."),
        };
    }

    /// <summary>Why a filter of the spec is not an LDAP filter (quoting it), or null when it is one or empty.</summary>
    public static string? FilterProblem(string? filter)
        => NormalizeFilter(filter) is { } normalized && LdapFilterSyntax.Problem(normalized) is { } problem
            ? $"\"{filter!.Trim()}\" is not an LDAP filter (RFC 4515): {problem}"
            : null;

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
    private static string Combine(string? path, string rootPath) =>
        string.IsNullOrWhiteSpace(path) ? rootPath.Trim() : $"{path.Trim()},{rootPath.Trim()}";

    private static SyncFailedException Invalid(string message) => new(SyncFailureReason.InvalidSpec, message, retryable: false);
}
