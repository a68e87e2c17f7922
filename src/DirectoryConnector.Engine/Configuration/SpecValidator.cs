using DirectoryConnector.Engine.Sources.Ldap;

namespace DirectoryConnector.Engine.Configuration;

/// <summary>Checks a spec before anything runs: every problem is reported at once, each naming its field.
/// The CLI runs it on manifests and the operator on resources, so both reject the same input the same way.</summary>
public static class SpecValidator
{
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMinutes(1);

    public static IReadOnlyList<SpecError> Validate(DirectorySyncSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new List<SpecError>();

        if (!DurationFormat.TryParse(spec.Interval, out var interval))
        {
            errors.Add(new("spec.interval", $"\"{spec.Interval}\" is not a duration; write it like 15m, 1h30m or 90s"));
        }
        else if (interval < MinimumInterval)
        {
            errors.Add(new("spec.interval", $"{spec.Interval} is shorter than the minimum of 1m"));
        }

        ValidateBitwarden(spec.Bitwarden, errors);
        ValidateSource(spec.Source, spec.Filters, errors);
        ValidateSyncOptions(spec.Sync, errors);
        return errors;
    }

    private static void ValidateBitwarden(BitwardenSpec? bitwarden, List<SpecError> errors)
    {
        if (bitwarden is null)
        {
            errors.Add(new("spec.bitwarden", "is required"));
            return;
        }

        RequireHttpUrl(bitwarden.ServerUrl, "spec.bitwarden.serverUrl", required: true, errors);
        RequireHttpUrl(bitwarden.ApiUrl, "spec.bitwarden.apiUrl", required: false, errors);
        RequireHttpUrl(bitwarden.IdentityUrl, "spec.bitwarden.identityUrl", required: false, errors);

        if (bitwarden.OrganizationId is { } organizationId && organizationId.Length > 0 && string.IsNullOrWhiteSpace(organizationId))
        {
            errors.Add(new("spec.bitwarden.organizationId", "is blank; remove it to take the id from the API key"));
        }

        if (bitwarden.CaSecretRef is { } ca)
        {
            RequireText(ca.Name, "spec.bitwarden.caSecretRef.name", errors);
            RequireText(ca.Key, "spec.bitwarden.caSecretRef.key", errors);
        }

        if (bitwarden.ApiKeySecretRef is not { } apiKey)
        {
            errors.Add(new("spec.bitwarden.apiKeySecretRef", "is required: the Secret holding the organization API key"));
            return;
        }

        RequireText(apiKey.Name, "spec.bitwarden.apiKeySecretRef.name", errors);
        RequireText(apiKey.ClientIdKey, "spec.bitwarden.apiKeySecretRef.clientIdKey", errors);
        RequireText(apiKey.ClientSecretKey, "spec.bitwarden.apiKeySecretRef.clientSecretKey", errors);
    }

    private static void ValidateSource(SourceSpec? source, FiltersSpec? filters, List<SpecError> errors)
    {
        if (source is null)
        {
            errors.Add(new("spec.source", "is required: set exactly one source (ldap or file)"));
            return;
        }

        var set = new List<string>();
        if (source.Ldap is not null)
        {
            set.Add("ldap");
        }

        if (source.File is not null)
        {
            set.Add("file");
        }

        switch (set.Count)
        {
            case 0:
                errors.Add(new("spec.source", "no source is set: set exactly one of ldap or file"));
                return;
            case > 1:
                errors.Add(new("spec.source", $"several sources are set ({string.Join(", ", set)}): set exactly one"));
                break;
        }

        if (source.Ldap is { } ldap)
        {
            ValidateLdap(ldap, filters, errors);
        }

        if (source.File is { } file)
        {
            ValidateFile(file, errors);
        }
    }

    private static void ValidateLdap(LdapSourceSpec ldap, FiltersSpec? filters, List<SpecError> errors)
    {
        const string prefix = "spec.source.ldap";
        if (RequireText(ldap.Hostname, $"{prefix}.hostname", errors) && ldap.Hostname.Contains("://", StringComparison.Ordinal))
        {
            errors.Add(new($"{prefix}.hostname", $"\"{ldap.Hostname}\" is a URL; give the host name only and set port and encryption"));
        }

        if (ldap.Port is { } port && port is < 1 or > 65535)
        {
            errors.Add(new($"{prefix}.port", $"{port} is not a port: use 1 to 65535"));
        }

        if (ldap.Encryption == LdapEncryption.None)
        {
            if (ldap.CaSecretRef is not null)
            {
                errors.Add(new($"{prefix}.caSecretRef", "is set but encryption is none: set encryption to ldaps or startTls, or remove caSecretRef"));
            }

            if (ldap.InsecureSkipVerify)
            {
                errors.Add(new($"{prefix}.insecureSkipVerify", "is true but encryption is none: there is no certificate to verify"));
            }
        }
        else if (ldap.CaSecretRef is not null && ldap.InsecureSkipVerify)
        {
            errors.Add(new($"{prefix}.insecureSkipVerify", "contradicts caSecretRef: a CA to verify with and no verification; remove one"));
        }

        if (ldap.CaSecretRef is { } ca)
        {
            RequireText(ca.Name, $"{prefix}.caSecretRef.name", errors);
            RequireText(ca.Key, $"{prefix}.caSecretRef.key", errors);
        }

        RequireText(ldap.RootPath, $"{prefix}.rootPath", errors);
        RequireText(ldap.Username, $"{prefix}.username", errors);
        if (ldap.PasswordSecretRef is null)
        {
            errors.Add(new($"{prefix}.passwordSecretRef", "is required: the Secret key holding the bind password"));
        }
        else
        {
            RequireText(ldap.PasswordSecretRef.Name, $"{prefix}.passwordSecretRef.name", errors);
            RequireText(ldap.PasswordSecretRef.Key, $"{prefix}.passwordSecretRef.key", errors);
        }

        if (ldap.UseEmailPrefixSuffix && LdapSourceSettings.EmailSuffixProblem(ldap.EmailSuffix) is { } suffixProblem)
        {
            errors.Add(new($"{prefix}.emailSuffix", suffixProblem));
        }

        // Filters the server would refuse are bad input, named before connecting (RFC 4515 syntax).
        foreach (var (path, filter) in new[] { ("spec.filters.users", filters?.Users), ("spec.filters.groups", filters?.Groups), ($"{prefix}.disabledFilter", ldap.DisabledFilter) })
        {
            if (LdapSourceSettings.FilterProblem(filter) is { } filterProblem)
            {
                errors.Add(new(path, filterProblem));
            }
        }
    }

    private static void ValidateFile(FileSourceSpec file, List<SpecError> errors)
    {
        const string prefix = "spec.source.file";
        var hasPath = !string.IsNullOrWhiteSpace(file.Path);
        if (hasPath == file.ConfigMapRef is not null)
        {
            errors.Add(new(prefix, hasPath
                ? "path and configMapRef are both set: set exactly one"
                : "set path (CLI) or configMapRef (operator)"));
        }

        if (file.ConfigMapRef is { } configMap)
        {
            RequireText(configMap.Name, $"{prefix}.configMapRef.name", errors);
            RequireText(configMap.Key, $"{prefix}.configMapRef.key", errors);
        }
    }

    private static void ValidateSyncOptions(SyncOptionsSpec? sync, List<SpecError> errors)
    {
        if (sync is null)
        {
            return;
        }

        if (!sync.Users && !sync.Groups)
        {
            errors.Add(new("spec.sync", "users and groups are both false: there is nothing to sync"));
        }

        if (sync.OverwriteExisting && !sync.Users)
        {
            errors.Add(new("spec.sync.overwriteExisting", "is true while users is false: it would remove every member the directory sync manages"));
        }

        if (!Planning.DeletionGuard.IsValid(sync.MaxDeletions))
        {
            errors.Add(new("spec.sync.maxDeletions", $"\"{sync.MaxDeletions}\" is neither a count such as 25 nor a percentage from 0% to 100% such as 10%"));
        }
    }

    private static bool RequireText(string? value, string path, List<SpecError> errors)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            return true;
        }

        errors.Add(new(path, "is required"));
        return false;
    }

    private static void RequireHttpUrl(string? value, string path, bool required, List<SpecError> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            if (required)
            {
                errors.Add(new(path, "is required"));
            }

            return;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || string.IsNullOrEmpty(uri.Host))
        {
            errors.Add(new(path, $"\"{value}\" is not an absolute http(s) URL such as https://vault.bitwarden.com"));
        }
        else if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            errors.Add(new(path, $"\"{value}\" must not have a query or fragment"));
        }
    }
}
