namespace DirectoryConnector.Engine.Sources.OneLogin;

/// <summary>A parsed filter of the original connector's syntax <c>include:a,b | query</c> / <c>exclude:a,b | query</c>.</summary>
/// <param name="Include">True for include:, false for exclude:, null when the filter has no list.</param>
/// <param name="Values">The list, compared case-insensitively.</param>
/// <param name="Query">The raw query string after <c>|</c>, passed to OneLogin; null when none.</param>
internal sealed record OneLoginFilter(bool? Include, IReadOnlySet<string> Values, string? Query)
{
    public static OneLoginFilter None { get; } = new(null, new HashSet<string>(), null);

    public bool HasList => Include is not null;

    /// <summary>Parses <c>include:a,b | query</c>, <c>exclude:a,b | query</c>, <c>| query</c> or <c>include:a,b</c>.
    /// Throws SyncFailedException(InvalidSpec) starting with <paramref name="field"/> when the text is none of these.</summary>
    public static OneLoginFilter Parse(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return None;
        }

        var bar = text.IndexOf('|', StringComparison.Ordinal);
        var list = (bar < 0 ? text : text[..bar]).Trim();
        var query = bar < 0 ? null : text[(bar + 1)..].Trim();
        if (query is { Length: 0 })
        {
            throw Invalid(field, $"has nothing after '|': put a OneLogin query string there (e.g. email=*@example.com) or drop the '|'.");
        }

        if (list.Length == 0)
        {
            return new OneLoginFilter(null, new HashSet<string>(), query);
        }

        var colon = list.IndexOf(':', StringComparison.Ordinal);
        var keyword = colon < 0 ? list : list[..colon].Trim();
        bool include;
        if (keyword.Equals("include", StringComparison.OrdinalIgnoreCase))
        {
            include = true;
        }
        else if (keyword.Equals("exclude", StringComparison.OrdinalIgnoreCase))
        {
            include = false;
        }
        else
        {
            throw Invalid(field, $"starts with '{keyword}': write include:a,b or exclude:a,b, optionally followed by '| <query string>'.");
        }

        var values = list[(colon + 1)..].Split(',').Select(v => v.Trim()).ToList();
        if (colon < 0 || values.Any(v => v.Length == 0))
        {
            throw Invalid(field, $"lists an empty value after {keyword}: separate values with single commas, e.g. {keyword}:a@example.com,b@example.com.");
        }

        return new OneLoginFilter(include, values.ToHashSet(StringComparer.OrdinalIgnoreCase), query);
    }

    private static Sync.SyncFailedException Invalid(string field, string message) =>
        new(Sync.SyncFailureReason.InvalidSpec, $"{field} {message}", retryable: false);

    /// <summary>Whether a user's email or a role's name passes the list.</summary>
    public bool Keeps(string? value) => Include switch
    {
        null => true,
        true => value is not null && Values.Contains(value),
        false => value is null || !Values.Contains(value),
    };
}
