namespace DirectoryConnector.Engine.Sources.Filters;

/// <summary>What a source accepts in the original connector's filter syntax
/// (<c>keyword:value,value | more</c>; bwdc-behaviour.md §3, BaseDirectoryService.createCustomSet/createDirectoryQuery).</summary>
/// <param name="Keywords">Keywords of the first clause, as documented (e.g. include, exclude); matched case-insensitively.</param>
/// <param name="AllowsQuery">Whether the text after the first "|" is a raw query in the directory's own syntax
/// (Okta filter expressions, Google Directory API queries, OneLogin query strings).</param>
/// <param name="ClauseKeywords">Keywords allowed in further "|"-separated clauses instead of a query (Entra ID's
/// includeGroup:…|excludeGroup:…|exclude:…); empty when the source has none.</param>
public sealed record SourceFilterSyntax(IReadOnlyList<string> Keywords, bool AllowsQuery, IReadOnlyList<string> ClauseKeywords)
{
    /// <summary>include:/exclude: by name or email, optionally followed by "| query".</summary>
    public static SourceFilterSyntax IncludeExcludeWithQuery { get; } = new(["include", "exclude"], AllowsQuery: true, ClauseKeywords: []);

    /// <summary>include:/exclude: by name or email, nothing after.</summary>
    public static SourceFilterSyntax IncludeExclude { get; } = new(["include", "exclude"], AllowsQuery: false, ClauseKeywords: []);
}
