using System.Text;

namespace DirectoryConnector.Engine.Sources.Filters;

/// <summary>
/// A parsed filter in the original connector's syntax: an optional first clause <c>keyword:a,b</c>, then after "|"
/// either a raw query (<see cref="Query"/>) or further clauses (<see cref="Clauses"/>). Examples:
/// <c>include:alice@example.com,bob@example.com</c>, <c>exclude:joe@example.com | orgUnitPath=/Engineering</c>,
/// <c>| profile.department eq "Engineering"</c>, <c>includeGroup:&lt;id&gt;|excludeGroup:&lt;id&gt;|exclude:a@b.c</c>.
/// Parsed once, when the spec is validated; errors name spec.filters.users or spec.filters.groups.
/// </summary>
public sealed class SourceFilter
{
    private SourceFilter(SourceFilterClause? first, IReadOnlyList<SourceFilterClause> clauses, string? query)
    {
        First = first;
        Clauses = clauses;
        Query = query;
    }

    /// <summary>A filter that selects everything.</summary>
    public static SourceFilter None { get; } = new(null, [], null);

    /// <summary>The first clause (include:, exclude:, …), or null when the filter has none.</summary>
    public SourceFilterClause? First { get; }

    /// <summary>The keyword of <see cref="First"/>, or null.</summary>
    public string? Keyword => First?.Keyword;

    /// <summary>The values of <see cref="First"/>, or none.</summary>
    public IReadOnlyList<string> Values => First?.Values ?? [];

    /// <summary>Further clauses after "|" (only for syntaxes with <see cref="SourceFilterSyntax.ClauseKeywords"/>).</summary>
    public IReadOnlyList<SourceFilterClause> Clauses { get; }

    /// <summary>The raw query after "|", trimmed; null when there is none.</summary>
    public string? Query { get; }

    /// <summary>True when nothing is filtered.</summary>
    public bool IsEmpty => First is null && Clauses.Count == 0 && Query is null;

    /// <summary>The first clause or further clause with <paramref name="keyword"/> (case-insensitive), or null.</summary>
    public SourceFilterClause? Clause(string keyword) =>
        new[] { First }.Concat(Clauses).FirstOrDefault(c => c is not null && string.Equals(c.Keyword, keyword, StringComparison.OrdinalIgnoreCase));

    /// <summary>Applies the include:/exclude: clause to one name or email (compared as
    /// <see cref="SourceFilterClause.Contains"/> does): true when the entry is kept.</summary>
    public bool Keeps(string? nameOrEmail) => Keyword?.ToUpperInvariant() switch
    {
        "INCLUDE" => First!.Contains(nameOrEmail),
        "EXCLUDE" => !First!.Contains(nameOrEmail),
        _ => true,
    };

    /// <summary>Parses <paramref name="text"/>; on error adds it to <paramref name="validation"/> (naming
    /// <paramref name="path"/>) and returns null. Empty text is <see cref="None"/>.</summary>
    public static SourceFilter? Parse(string? text, string path, SourceFilterSyntax syntax, SourceValidation validation)
    {
        ArgumentNullException.ThrowIfNull(syntax);
        ArgumentNullException.ThrowIfNull(validation);
        var error = TryParse(text, syntax, out var filter);
        if (error is not null)
        {
            validation.Error(path, error);
        }

        return filter;
    }

    /// <summary>Parses <paramref name="text"/>; returns an error message (the problem and what to write instead) or null.</summary>
    public static string? TryParse(string? text, SourceFilterSyntax syntax, out SourceFilter? filter)
    {
        ArgumentNullException.ThrowIfNull(syntax);
        filter = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            filter = None;
            return null;
        }

        var bar = text.IndexOf('|', StringComparison.Ordinal);
        var head = (bar < 0 ? text : text[..bar]).Trim();
        var tail = bar < 0 ? null : text[(bar + 1)..].Trim();

        SourceFilterClause? first = null;
        if (head.Length > 0)
        {
            var error = ParseClause(head, syntax.Keywords, out first);
            if (error is not null)
            {
                return error + (syntax.AllowsQuery ? "; a query alone is written after a bar: | <query>" : "");
            }
        }

        var clauses = new List<SourceFilterClause>();
        string? query = null;
        if (tail is not null)
        {
            if (tail.Length == 0)
            {
                return $"\"{text.Trim()}\" ends with \"|\" but nothing follows it: remove the bar or add {(syntax.AllowsQuery ? "a query" : "a clause")}";
            }

            if (syntax.AllowsQuery)
            {
                query = tail;
            }
            else if (syntax.ClauseKeywords.Count > 0)
            {
                if (first is null)
                {
                    return $"\"{text.Trim()}\" starts with \"|\": write the main clause first ({Describe(syntax.Keywords)})";
                }

                foreach (var part in tail.Split('|'))
                {
                    var error = ParseClause(part.Trim(), syntax.ClauseKeywords, out var clause);
                    if (error is not null)
                    {
                        return error;
                    }

                    clauses.Add(clause!);
                }
            }
            else
            {
                return $"\"{text.Trim()}\" has \"|\" but this source takes no query: write only {Describe(syntax.Keywords)}";
            }
        }

        filter = new SourceFilter(first, clauses, query);
        return null;
    }

    private static string? ParseClause(string clause, IReadOnlyList<string> keywords, out SourceFilterClause? parsed)
    {
        parsed = null;
        var colon = clause.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return $"\"{clause}\" is not keyword:values: write {Describe(keywords)}";
        }

        var written = clause[..colon].Trim();
        var keyword = keywords.FirstOrDefault(k => string.Equals(k, written, StringComparison.OrdinalIgnoreCase));
        if (keyword is null)
        {
            return $"\"{written}:\" is not a keyword here: use {Describe(keywords)}";
        }

        var values = clause[(colon + 1)..].Split(',').Select(v => v.Trim()).Where(v => v.Length > 0)
            .Distinct(DirectoryString.CaseIgnoreComparer).ToList();
        if (values.Count == 0)
        {
            return $"\"{keyword}:\" lists no values: write {keyword}:a,b";
        }

        parsed = new SourceFilterClause(keyword, values);
        return null;
    }

    private static string Describe(IReadOnlyList<string> keywords)
    {
        var text = new StringBuilder();
        for (var i = 0; i < keywords.Count; i++)
        {
            text.Append(i == 0 ? "" : i == keywords.Count - 1 ? " or " : ", ").Append(keywords[i]).Append(":a,b");
        }

        return text.ToString();
    }
}
