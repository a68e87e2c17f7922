namespace DirectoryConnector.Engine.Sources.Filters;

/// <summary>One <c>keyword:value,value</c> clause of a filter.</summary>
/// <param name="Keyword">The keyword as the syntax spells it (e.g. "includeGroup"), whatever case the filter used.</param>
/// <param name="Values">The comma-separated values, trimmed, empty ones and case-insensitive repeats dropped, case kept.</param>
public sealed record SourceFilterClause(string Keyword, IReadOnlyList<string> Values)
{
    /// <summary>True when <paramref name="value"/> is one of the values, ignoring case (emails and names compare so
    /// in the original connector).</summary>
    public bool Contains(string? value) => value is not null && Values.Contains(value, StringComparer.OrdinalIgnoreCase);
}
