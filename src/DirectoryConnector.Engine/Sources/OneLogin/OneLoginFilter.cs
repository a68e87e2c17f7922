namespace DirectoryConnector.Engine.Sources.OneLogin;

/// <summary>A parsed filter of the original connector's syntax <c>include:a,b | query</c> / <c>exclude:a,b | query</c>.</summary>
/// <param name="Include">True for include:, false for exclude:, null when the filter has no list.</param>
/// <param name="Values">The list, compared case-insensitively.</param>
/// <param name="Query">The raw query string after <c>|</c>, passed to OneLogin; null when none.</param>
internal sealed record OneLoginFilter(bool? Include, IReadOnlySet<string> Values, string? Query)
{
    public static OneLoginFilter None { get; } = new(null, new HashSet<string>(), null);

    public bool HasList => Include is not null;

    /// <summary>Whether a user's email or a role's name passes the list.</summary>
    public bool Keeps(string? value) => Include switch
    {
        null => true,
        true => value is not null && Values.Contains(value),
        false => value is null || !Values.Contains(value),
    };
}
