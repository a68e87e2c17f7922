using DirectoryConnector.Engine.Sources.Filters;

namespace DirectoryConnector.Engine.Sources.EntraId;

/// <summary>
/// The original connector's Entra ID filters (bwdc-behaviour.md §3.2), parsed by the shared <see cref="SourceFilter"/>.
/// Emails and group names compare as the directory compares names (RFC 4518 caseIgnoreMatch,
/// <see cref="DirectoryString"/>: case, non-ASCII included, and NFC/NFD do not matter).
/// <list type="bullet">
/// <item>spec.filters.users: <c>include:a@x,b@x</c> | <c>exclude:a@x</c> | <c>excludeGroup:&lt;group id&gt;,…</c> |
/// <c>includeGroup:&lt;group id&gt;,…</c> optionally followed by <c>|excludeGroup:&lt;ids&gt;</c> and
/// <c>|exclude:&lt;emails&gt;</c> (secondary clauses only after includeGroup, as upstream PM-35035).</item>
/// <item>spec.filters.groups: <c>include:Name,…</c> | <c>exclude:Name,…</c> | <c>includeAdministrativeUnit:&lt;id&gt;,…</c> |
/// <c>excludeAdministrativeUnit:&lt;id&gt;,…</c>.</item>
/// </list>
/// </summary>
internal sealed class EntraIdFilter
{
    public static readonly SourceFilterSyntax UsersSyntax =
        new(["include", "exclude", "includeGroup", "excludeGroup"], AllowsQuery: false, ClauseKeywords: ["excludeGroup", "exclude"]);

    public static readonly SourceFilterSyntax GroupsSyntax =
        new(["include", "exclude", "includeAdministrativeUnit", "excludeAdministrativeUnit"], AllowsQuery: false, ClauseKeywords: []);

    public HashSet<string> IncludeEmails { get; } = new(DirectoryString.CaseIgnoreComparer);

    public HashSet<string> ExcludeEmails { get; } = new(DirectoryString.CaseIgnoreComparer);

    /// <summary>Users must be transitive members of one of these groups (null: no such restriction).</summary>
    public IReadOnlyList<string>? IncludeGroups { get; private set; }

    public IReadOnlyList<string> ExcludeGroups { get; private set; } = [];

    public bool HasUserFilter { get; private set; }

    public HashSet<string>? IncludeGroupNames { get; private set; }

    public HashSet<string>? ExcludeGroupNames { get; private set; }

    public IReadOnlyList<string>? IncludeAdministrativeUnits { get; private set; }

    public IReadOnlyList<string>? ExcludeAdministrativeUnits { get; private set; }

    public bool HasGroupFilter => IncludeGroupNames is not null || ExcludeGroupNames is not null || IncludeAdministrativeUnits is not null || ExcludeAdministrativeUnits is not null;

    /// <summary>Membership through groups decides which users are read, so group changes matter to a users-only sync.</summary>
    public bool UsersDependOnGroups => IncludeGroups is not null || ExcludeGroups.Count > 0;

    /// <summary>Adds what the shared syntax allows but Entra ID does not to <paramref name="validation"/>: the shared
    /// syntax allows |excludeGroup: and |exclude: after any first clause; upstream only after includeGroup:.</summary>
    public static void Validate(SourceValidation validation)
    {
        ArgumentNullException.ThrowIfNull(validation);
        if (validation.UsersFilter is { Clauses.Count: > 0, Keyword: not "includeGroup" } users)
        {
            validation.Error(SourceValidation.UsersFilterPath, $"only includeGroup: takes further |clauses; \"{users.Keyword}:\" must stand alone");
        }
    }

    /// <summary>The filter of spec.filters as validation parsed it (<see cref="UsersSyntax"/>, <see cref="GroupsSyntax"/>).</summary>
    public static EntraIdFilter From(SourceFilter users, SourceFilter groups)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(groups);
        var filter = new EntraIdFilter();
        filter.SetUsers(users);
        filter.SetGroups(groups);
        return filter;
    }

    private void SetUsers(SourceFilter users)
    {
        HasUserFilter = !users.IsEmpty;
        switch (users.Keyword)
        {
            case "include":
                IncludeEmails.UnionWith(users.Values);
                break;
            case "exclude":
                ExcludeEmails.UnionWith(users.Values);
                break;
            case "excludeGroup":
                ExcludeGroups = users.Values;
                break;
            case "includeGroup":
                IncludeGroups = users.Values;
                break;
        }

        foreach (var clause in users.Clauses)
        {
            if (clause.Keyword == "excludeGroup")
            {
                ExcludeGroups = [.. ExcludeGroups, .. clause.Values];
            }
            else
            {
                ExcludeEmails.UnionWith(clause.Values);
            }
        }
    }

    private void SetGroups(SourceFilter groups)
    {
        switch (groups.Keyword)
        {
            case "include":
                IncludeGroupNames = new HashSet<string>(groups.Values, DirectoryString.CaseIgnoreComparer);
                break;
            case "exclude":
                ExcludeGroupNames = new HashSet<string>(groups.Values, DirectoryString.CaseIgnoreComparer);
                break;
            case "includeAdministrativeUnit":
                IncludeAdministrativeUnits = groups.Values;
                break;
            case "excludeAdministrativeUnit":
                ExcludeAdministrativeUnits = groups.Values;
                break;
        }
    }
}
