using DirectoryConnector.Engine.Configuration;

namespace DirectoryConnector.Engine.Sources;

/// <summary>What a provider's validation sees (the filters and sync options beside its spec) and collects.</summary>
public sealed class SourceValidation(FiltersSpec filters, SyncOptionsSpec sync, ICollection<SpecError> errors, ICollection<SpecError>? insecure = null, bool allowInsecureHttp = false)
{
    public const string UsersFilterPath = "spec.filters.users";
    public const string GroupsFilterPath = "spec.filters.groups";

    /// <summary>spec.filters (never null).</summary>
    public FiltersSpec Filters { get; } = filters;

    /// <summary>spec.sync (never null).</summary>
    public SyncOptionsSpec Sync { get; } = sync;

    /// <summary>spec.allowInsecureHttp: http:// URLs to other hosts than loopback are allowed (and reported as insecure).</summary>
    public bool AllowInsecureHttp { get; } = allowInsecureHttp;

    public void Error(string path, string message) => errors.Add(new SpecError(path, message));

    /// <summary>Records a setting the spec opted into that weakens transport security (an InsecureTransport condition
    /// in the operator, a warning from the CLI), e.g. insecureSkipVerify.</summary>
    public void Insecure(string path, string message) => insecure?.Add(new SpecError(path, message));

    /// <summary>Adds "is required" unless <paramref name="value"/> has text; returns whether it has.</summary>
    public bool RequireText(string? value, string path)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            return true;
        }

        Error(path, "is required");
        return false;
    }

    /// <summary>Requires a Secret key reference with a name and a key; <paramref name="what"/> says what it holds.</summary>
    public void RequireSecretRef(SecretKeyRef? reference, string path, string what)
    {
        if (reference is null)
        {
            Error(path, $"is required: the Secret key holding {what}");
            return;
        }

        RequireText(reference.Name, $"{path}.name");
        RequireText(reference.Key, $"{path}.key");
    }

    /// <summary>Checks an optional Secret key reference: when set, it needs a name and a key.</summary>
    public void OptionalSecretRef(SecretKeyRef? reference, string path)
    {
        if (reference is not null)
        {
            RequireText(reference.Name, $"{path}.name");
            RequireText(reference.Key, $"{path}.key");
        }
    }

    /// <summary>Requires (or, when <paramref name="required"/> is false, allows empty) an absolute https URL without
    /// query or fragment; http only to a loopback host (tests and local stand-ins), or anywhere with
    /// spec.allowInsecureHttp (then recorded as <see cref="Insecure"/>). Returns the URL when valid.</summary>
    public Uri? RequireHttpsUrl(string? value, string path, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                Error(path, "is required");
            }

            return null;
        }

        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || string.IsNullOrEmpty(uri.Host))
        {
            Error(path, $"\"{value}\" is not an absolute https URL such as https://example.com");
            return null;
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            Error(path, $"\"{value}\" must not have a query or fragment");
            return null;
        }

        return CheckPlainHttp(uri, path, AllowInsecureHttp, errors, insecure) ? uri : null;
    }

    /// <summary>The one rule for http:// URLs: loopback is fine; any other host is an error unless
    /// <paramref name="allowInsecureHttp"/>, and then recorded in <paramref name="insecure"/>. Returns false on error.</summary>
    public static bool CheckPlainHttp(Uri uri, string path, bool allowInsecureHttp, ICollection<SpecError> errors, ICollection<SpecError>? insecure)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(errors);
        if (uri.Scheme != Uri.UriSchemeHttp || uri.IsLoopback)
        {
            return true;
        }

        if (!allowInsecureHttp)
        {
            errors.Add(new SpecError(path, $"\"{uri.GetLeftPart(UriPartial.Authority)}\" uses http://: credentials would cross the network in clear text. "
                + "Use https://; only if a TLS-terminating proxy on a network you trust forwards it, set spec.allowInsecureHttp: true"));
            return false;
        }

        insecure?.Add(new SpecError(path, $"uses http:// to {uri.Host} (spec.allowInsecureHttp): credentials cross the network in clear text"));
        return true;
    }

    /// <summary>Adds an error when a filter is set for a source that has no filter syntax.</summary>
    public void RejectFilters(string sourceKind, string why)
    {
        if (!string.IsNullOrWhiteSpace(Filters.Users))
        {
            Error(UsersFilterPath, $"the {sourceKind} source has no filters: {why}");
        }

        if (!string.IsNullOrWhiteSpace(Filters.Groups))
        {
            Error(GroupsFilterPath, $"the {sourceKind} source has no filters: {why}");
        }
    }
}
