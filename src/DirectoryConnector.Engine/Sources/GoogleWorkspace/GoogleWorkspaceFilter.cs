namespace DirectoryConnector.Engine.Sources.GoogleWorkspace;

/// <summary>One of spec.filters.users/groups for Google (upstream baseDirectory.service.ts): an optional
/// include:/exclude: set matched case-insensitively against the primary email (users) or the name (groups), and an
/// optional Directory API query passed to users.list/groups.list as <c>query</c>.</summary>
/// <param name="Include">True for include:, false for exclude:, null when the filter names no set.</param>
internal sealed record GoogleWorkspaceFilter(bool? Include, IReadOnlySet<string> Values, string? Query)
{
    public static readonly GoogleWorkspaceFilter None = new(null, new HashSet<string>(), null);

    /// <summary>True when the set lets <paramref name="value"/> through (always without a set).</summary>
    public bool Keeps(string? value) => Include switch
    {
        null => true,
        true => value is not null && Values.Contains(value),
        false => value is null || !Values.Contains(value),
    };
}
