using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using DirectoryConnector.Engine.Sources;

namespace DirectoryConnector.Engine.Configuration;

/// <summary>Checks a spec before anything runs: every problem is reported at once, each naming its field.
/// The CLI runs it on manifests and the operator on resources, so both reject the same input the same way; each runs
/// it once per sync and hands the <see cref="CheckedSpec"/> on. The source's own rules come from its provider.</summary>
public sealed class SpecValidator(SourceProviders providers)
{
    /// <summary>spec.interval's minimum, from its [MinimumDuration] attribute (the CRD's rule has the same source).</summary>
    public static MinimumDurationAttribute MinimumInterval { get; } = MinimumOf(typeof(DirectorySyncSpec), nameof(DirectorySyncSpec.Interval));

    private static readonly MinimumDurationAttribute MinimumFullSyncInterval = MinimumOf(typeof(SyncOptionsSpec), nameof(SyncOptionsSpec.FullSyncInterval));

    public IReadOnlyList<SpecError> Validate(DirectorySyncSpec spec) => Check(spec).Errors;

    /// <summary>Checks <paramref name="spec"/> once: its errors, its insecure settings and what validation parsed.</summary>
    public CheckedSpec Check(DirectorySyncSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new List<SpecError>();
        var insecure = new List<SpecError>();
        var validation = new SourceValidation(spec.Filters ?? new FiltersSpec(), spec.Sync ?? new SyncOptionsSpec(), errors, insecure, spec.AllowInsecureHttp);
        if (IntervalProblem(spec.Interval) is { } intervalProblem)
        {
            validation.Error("spec.interval", intervalProblem);
        }

        ValidateBitwarden(spec.Bitwarden, validation);
        ValidateExactlyOneOf(spec, "spec", validation, depth: 0);
        var provider = spec.Source is null ? null : providers.Validate(spec.Source, validation);
        ValidateSyncOptions(spec.Sync, validation);
        return new CheckedSpec(spec, errors, insecure, provider, validation);
    }

    /// <summary>Throws SyncFailedException(InvalidSpec) listing every problem.</summary>
    public void ThrowIfInvalid(DirectorySyncSpec spec) => Check(spec).ThrowIfInvalid();

    /// <summary>Why spec.interval is not a duration of at least <see cref="MinimumInterval"/>, or null.</summary>
    public static string? IntervalProblem(string? interval) => DurationProblem(interval, MinimumInterval);

    /// <summary>Why <paramref name="text"/> is not a duration of at least <paramref name="minimum"/>, or null.</summary>
    internal static string? DurationProblem(string? text, MinimumDurationAttribute minimum)
    {
        if (!DurationFormat.TryParse(text, out var value))
        {
            return $"\"{text}\" is not a duration; write it like 15m, 1h30m or 90s";
        }

        return value < minimum.MinimumValue ? $"{text} is shorter than the minimum of {minimum.Minimum}" : null;
    }

    internal static MinimumDurationAttribute MinimumOf([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type, string property) =>
        type.GetProperty(property)!.GetCustomAttribute<MinimumDurationAttribute>()!;

    // [ExactlyOneOf] on any spec type, wherever it is in the tree (spec.source, spec.source.file, ...).
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "The walk only meets the spec types of "
        + "DirectoryConnector.Engine (DirectorySyncSpec and the types of its properties, source specs included), an assembly "
        + "the AOT publish roots (TrimmerRootAssembly), so their public properties are kept.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "As for IL2075: value.GetType() is a rooted spec type.")]
    private static void ValidateExactlyOneOf(object? value, string path, SourceValidation validation, int depth)
    {
        if (value is null or string or System.Collections.IEnumerable || value.GetType().IsValueType || depth > 16)
        {
            return;
        }

        var type = value.GetType();
        if (type.GetCustomAttribute<ExactlyOneOfAttribute>() is { } oneOf && oneOf.Problem(type, value) is { } problem)
        {
            validation.Error(path, problem);
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.CanWrite && property.GetIndexParameters().Length == 0)
            {
                ValidateExactlyOneOf(property.GetValue(value), $"{path}.{ExactlyOneOfAttribute.JsonName(property)}", validation, depth + 1);
            }
        }
    }

    private static void ValidateBitwarden(BitwardenSpec? bitwarden, SourceValidation validation)
    {
        if (bitwarden is null)
        {
            validation.Error("spec.bitwarden", "is required");
            return;
        }

        // The API and identity URLs derive from serverUrl unless set, so an http serverUrl alone already sends the key.
        const string example = BitwardenSpec.CloudUs;
        validation.RequireHttpsUrl(bitwarden.ServerUrl, "spec.bitwarden.serverUrl", required: true, example);
        validation.RequireHttpsUrl(bitwarden.ApiUrl, "spec.bitwarden.apiUrl", required: false, example);
        validation.RequireHttpsUrl(bitwarden.IdentityUrl, "spec.bitwarden.identityUrl", required: false, example);

        if (bitwarden.OrganizationId is { } organizationId && organizationId.Length > 0 && string.IsNullOrWhiteSpace(organizationId))
        {
            validation.Error("spec.bitwarden.organizationId", "is blank; remove it to take the id from the API key");
        }

        validation.OptionalSecretRef(bitwarden.CaSecretRef, "spec.bitwarden.caSecretRef");
        if (bitwarden.ApiKeySecretRef is not { } apiKey)
        {
            validation.Error("spec.bitwarden.apiKeySecretRef", "is required: the Secret holding the organization API key");
            return;
        }

        validation.RequireText(apiKey.Name, "spec.bitwarden.apiKeySecretRef.name");
        validation.RequireText(apiKey.ClientIdKey, "spec.bitwarden.apiKeySecretRef.clientIdKey");
        validation.RequireText(apiKey.ClientSecretKey, "spec.bitwarden.apiKeySecretRef.clientSecretKey");
    }

    private static void ValidateSyncOptions(SyncOptionsSpec? sync, SourceValidation validation)
    {
        if (sync is null)
        {
            return;
        }

        if (!sync.Users && !sync.Groups)
        {
            validation.Error("spec.sync", "users and groups are both false: there is nothing to sync");
        }

        if (DurationProblem(sync.FullSyncInterval, MinimumFullSyncInterval) is { } fullSyncProblem)
        {
            validation.Error("spec.sync.fullSyncInterval", fullSyncProblem);
        }

        if (sync.OverwriteExisting && !sync.Users)
        {
            validation.Error("spec.sync.overwriteExisting", "is true while users is false: it would remove every member the directory sync manages");
        }

        if (!Planning.DeletionGuard.IsValid(sync.MaxDeletions))
        {
            validation.Error("spec.sync.maxDeletions", $"\"{sync.MaxDeletions}\" is neither a count such as 25 nor a percentage from 0% to 100% such as 10%");
        }
    }
}
