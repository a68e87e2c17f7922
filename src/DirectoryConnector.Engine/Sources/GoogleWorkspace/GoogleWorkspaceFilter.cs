using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Engine.Sources.GoogleWorkspace;

/// <summary>One of spec.filters.users/groups for Google (upstream baseDirectory.service.ts): an optional
/// include:/exclude: set matched case-insensitively against the primary email (users) or the name (groups), and an
/// optional Directory API query after '|' passed to users.list/groups.list as <c>query</c>.</summary>
/// <param name="Include">True for include:, false for exclude:, null when the filter names no set.</param>
internal sealed record GoogleWorkspaceFilter(bool? Include, IReadOnlySet<string> Values, string? Query)
{
    public static readonly GoogleWorkspaceFilter None = new(null, new HashSet<string>(), null);

    /// <summary>Parses <c>include:a,b | query</c>, <c>exclude:a,b</c> or <c>| query</c>. Upstream silently ignores a
    /// filter it cannot read (syncing everyone); here that is SyncFailedException(InvalidSpec) naming <paramref name="field"/>.</summary>
    public static GoogleWorkspaceFilter Parse(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return None;
        }

        var bar = text.IndexOf('|', StringComparison.Ordinal);
        var setPart = (bar < 0 ? text : text[..bar]).Trim();
        var query = bar < 0 ? null : text[(bar + 1)..].Trim();
        if (query is { Length: 0 })
        {
            query = null;
        }

        if (setPart.Length == 0)
        {
            return new GoogleWorkspaceFilter(null, new HashSet<string>(), query);
        }

        var colon = setPart.IndexOf(':', StringComparison.Ordinal);
        var keyword = colon < 0 ? "" : setPart[..colon].Trim().ToLowerInvariant();
        if (keyword is not ("include" or "exclude"))
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec,
                $"{field}: '{setPart}' is neither include:<values> nor exclude:<values>. A Directory API query goes after '|', e.g. '| {setPart}'.", retryable: false);
        }

        var values = setPart[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (values.Length == 0)
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec,
                $"{field}: {keyword}: names no values; list them comma-separated, e.g. {keyword}:a@example.com,b@example.com.", retryable: false);
        }

        return new GoogleWorkspaceFilter(keyword == "include", new HashSet<string>(values, StringComparer.OrdinalIgnoreCase), query);
    }

    /// <summary>True when the set lets <paramref name="value"/> through (always without a set).</summary>
    public bool Keeps(string? value) => Include switch
    {
        null => true,
        true => value is not null && Values.Contains(value.Trim()),
        false => value is null || !Values.Contains(value.Trim()),
    };
}
