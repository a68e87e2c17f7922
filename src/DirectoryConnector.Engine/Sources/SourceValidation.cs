using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources.Filters;

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

    /// <summary>spec.filters.users parsed with the source's <see cref="SourceProvider{TSpec}.UsersFilterSyntax"/>:
    /// <see cref="SourceFilter.None"/> when the source has no such syntax, null when the text is malformed.</summary>
    public SourceFilter? UsersFilter { get; internal set; } = SourceFilter.None;

    /// <summary>spec.filters.groups, as <see cref="UsersFilter"/>.</summary>
    public SourceFilter? GroupsFilter { get; internal set; } = SourceFilter.None;

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
    /// user info, query or fragment (<see cref="UrlProblem"/>); http only to a loopback host (tests and local
    /// stand-ins), or anywhere with spec.allowInsecureHttp (then recorded as <see cref="Insecure"/>). Returns the URL
    /// when valid. <paramref name="example"/> is shown in the error, e.g. https://example.okta.com.</summary>
    public Uri? RequireHttpsUrl(string? value, string path, bool required = true, string example = "https://example.com")
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                Error(path, "is required");
            }

            return null;
        }

        if (UrlProblem(value, example, out var uri) is { } problem)
        {
            Error(path, problem);
            return null;
        }

        return CheckPlainHttp(uri!, path, AllowInsecureHttp, errors, insecure) ? uri : null;
    }

    /// <summary>The one rule for a URL in a spec: absolute http(s) with a host, no user name or password (credentials
    /// live in Secrets; the value is then not repeated), no query or fragment. Returns why <paramref name="value"/>
    /// breaks it, or null with <paramref name="uri"/> set.</summary>
    public static string? UrlProblem(string value, string example, out Uri? uri)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || string.IsNullOrEmpty(uri.Host))
        {
            uri = null;
            return $"\"{value}\" is not an absolute https URL such as {example}";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            uri = null;
            return "must not contain a user name or password: credentials belong in the Secrets the spec references";
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            uri = null;
            return $"\"{value}\" must not have a query or fragment";
        }

        return null;
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

    /// <summary>The one rule for useEmailPrefixSuffix (LDAP, OneLogin; bwdc-behaviour.md §3.1, §3.5): when on, emailSuffix is
    /// "@" and a domain, as the address is the prefix followed by the suffix as written (trimmed).</summary>
    public void RequireEmailSuffix(bool useEmailPrefixSuffix, string? suffix, string path)
    {
        if (!useEmailPrefixSuffix)
        {
            return;
        }

        var trimmed = suffix?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            Error(path, "is required when useEmailPrefixSuffix is true, e.g. \"@corp.example.com\"");
        }
        else if (!trimmed.StartsWith('@'))
        {
            Error(path, $"\"{trimmed}\" does not start with '@': the prefix is followed by the suffix as written, so write \"@{trimmed.TrimStart('@')}\"");
        }
        else if (trimmed.Length == 1 || trimmed.IndexOf('@', 1) >= 0)
        {
            Error(path, $"\"{trimmed}\" must be '@' followed by a domain, e.g. \"@corp.example.com\"");
        }
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
