using System.Reflection;
using DirectoryConnector.Engine.Sources;

namespace DirectoryConnector.Engine.Configuration;

/// <summary>Checks a spec before anything runs: every problem is reported at once, each naming its field.
/// The CLI runs it on manifests and the operator on resources, so both reject the same input the same way.
/// The source's own rules come from its provider.</summary>
public sealed class SpecValidator(SourceProviders providers)
{
    /// <summary>spec.interval's minimum, from its [MinimumDuration] attribute (the CRD's rule has the same source).</summary>
    public static TimeSpan MinimumInterval { get; } = MinimumOf(typeof(DirectorySyncSpec), nameof(DirectorySyncSpec.Interval));

    public IReadOnlyList<SpecError> Validate(DirectorySyncSpec spec) => Check(spec).Errors;

    /// <summary>The settings of a valid spec that weaken transport security, each naming its field: http:// to a host
    /// other than loopback (spec.allowInsecureHttp) and skipped certificate checks (insecureSkipVerify). The operator
    /// shows them as the InsecureTransport condition, the CLI as warnings.</summary>
    public IReadOnlyList<SpecError> InsecureSettings(DirectorySyncSpec spec) => Check(spec).Insecure;

    private (List<SpecError> Errors, List<SpecError> Insecure) Check(DirectorySyncSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new List<SpecError>();
        var insecure = new List<SpecError>();
        ValidateDuration(spec.Interval, "spec.interval", MinimumInterval, DirectorySyncSpec.MinimumInterval, errors);
        ValidateBitwarden(spec.Bitwarden, spec.AllowInsecureHttp, errors, insecure);
        providers.Validate(spec.Source, spec.Filters, spec.Sync, errors, insecure, spec.AllowInsecureHttp);
        ValidateSyncOptions(spec.Sync, errors);
        return (errors, insecure);
    }

    /// <summary>Throws SyncFailedException(InvalidSpec) listing every problem.</summary>
    public void ThrowIfInvalid(DirectorySyncSpec spec)
    {
        var errors = Validate(spec);
        if (errors.Count > 0)
        {
            throw new Sync.SyncFailedException(Sync.SyncFailureReason.InvalidSpec, string.Join("; ", errors), retryable: false);
        }
    }

    private static void ValidateDuration(string? text, string path, TimeSpan minimum, string minimumText, List<SpecError> errors)
    {
        if (!DurationFormat.TryParse(text, out var value))
        {
            errors.Add(new(path, $"\"{text}\" is not a duration; write it like 15m, 1h30m or 90s"));
        }
        else if (value < minimum)
        {
            errors.Add(new(path, $"{text} is shorter than the minimum of {minimumText}"));
        }
    }

    private static TimeSpan MinimumOf(Type type, string property) =>
        type.GetProperty(property)!.GetCustomAttribute<MinimumDurationAttribute>()!.MinimumValue;

    private static void ValidateBitwarden(BitwardenSpec? bitwarden, bool allowInsecureHttp, List<SpecError> errors, List<SpecError> insecure)
    {
        if (bitwarden is null)
        {
            errors.Add(new("spec.bitwarden", "is required"));
            return;
        }

        var serverUrl = RequireHttpUrl(bitwarden.ServerUrl, "spec.bitwarden.serverUrl", required: true, errors);
        var apiUrl = RequireHttpUrl(bitwarden.ApiUrl, "spec.bitwarden.apiUrl", required: false, errors);
        var identityUrl = RequireHttpUrl(bitwarden.IdentityUrl, "spec.bitwarden.identityUrl", required: false, errors);
        // The API and identity URLs derive from serverUrl unless set, so an http serverUrl alone already sends the key.
        foreach (var (uri, path) in new[] { (serverUrl, "spec.bitwarden.serverUrl"), (apiUrl, "spec.bitwarden.apiUrl"), (identityUrl, "spec.bitwarden.identityUrl") })
        {
            if (uri is not null)
            {
                SourceValidation.CheckPlainHttp(uri, path, allowInsecureHttp, errors, insecure);
            }
        }

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

        var fullSyncMinimum = MinimumOf(typeof(SyncOptionsSpec), nameof(SyncOptionsSpec.FullSyncInterval));
        ValidateDuration(sync.FullSyncInterval, "spec.sync.fullSyncInterval", fullSyncMinimum, SyncOptionsSpec.MinimumFullSyncInterval, errors);

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

    private static Uri? RequireHttpUrl(string? value, string path, bool required, List<SpecError> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            if (required)
            {
                errors.Add(new(path, "is required"));
            }

            return null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || string.IsNullOrEmpty(uri.Host))
        {
            errors.Add(new(path, $"\"{value}\" is not an absolute http(s) URL such as https://vault.bitwarden.com"));
            return null;
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            errors.Add(new(path, $"\"{value}\" must not have a query or fragment"));
            return null;
        }

        return uri;
    }
}
