namespace DirectoryConnector.Engine.Sources.Filters;

/// <summary>One <c>keyword:value,value</c> clause of a filter.</summary>
/// <param name="Keyword">The keyword as the syntax spells it (e.g. "includeGroup"), whatever case the filter used.</param>
/// <param name="Values">The comma-separated values, trimmed, empty ones and repeats (as <see cref="DirectoryString"/>
/// compares them) dropped, case kept.</param>
public sealed record SourceFilterClause(string Keyword, IReadOnlyList<string> Values)
{
    /// <summary>True when <paramref name="value"/> is one of the values as the directory compares names: RFC 4518
    /// caseIgnoreMatch (<see cref="DirectoryString"/>), so case (non-ASCII included), Unicode normalization (NFC/NFD)
    /// and insignificant spaces do not matter (the original connector ignores ASCII case only).</summary>
    public bool Contains(string? value) => value is not null && Values.Contains(value, DirectoryString.CaseIgnoreComparer);
}
