using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Engine.Sources.EntraId;

/// <summary>
/// The original connector's Entra ID filters (bwdc-behaviour.md §3.2), parsed once. Keywords are case-insensitive,
/// values comma-separated and trimmed; emails and group names compare as the directory compares names (RFC 4518
/// caseIgnoreMatch, <see cref="DirectoryString"/>: case, non-ASCII included, and NFC/NFD do not matter).
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
    private const string UsersPath = "spec.filters.users";
    private const string GroupsPath = "spec.filters.groups";

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

    /// <summary>Throws SyncFailedException(InvalidSpec) naming the field and the clause at fault.</summary>
    public static EntraIdFilter Parse(string? users, string? groups)
    {
        var filter = new EntraIdFilter();
        filter.ParseUsers(users);
        filter.ParseGroups(groups);
        return filter;
    }

    private void ParseUsers(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        HasUserFilter = true;
        var clauses = Clauses(text, UsersPath);
        var (keyword, values) = clauses[0];
        switch (keyword)
        {
            case "include":
                IncludeEmails.UnionWith(values);
                break;
            case "exclude":
                ExcludeEmails.UnionWith(values);
                break;
            case "excludegroup":
                ExcludeGroups = values;
                break;
            case "includegroup":
                IncludeGroups = values;
                foreach (var (secondary, secondaryValues) in clauses.Skip(1))
                {
                    switch (secondary)
                    {
                        case "excludegroup":
                            ExcludeGroups = [.. ExcludeGroups, .. secondaryValues];
                            break;
                        case "exclude":
                            ExcludeEmails.UnionWith(secondaryValues);
                            break;
                        default:
                            throw Invalid(UsersPath, $"after includeGroup: only |excludeGroup:<group ids> and |exclude:<emails> may follow, not \"{secondary}:\".");
                    }
                }

                return;
            default:
                throw Invalid(UsersPath, $"\"{keyword}:\" is not a user filter: use include:, exclude:, includeGroup: or excludeGroup:.");
        }

        if (clauses.Count > 1)
        {
            throw Invalid(UsersPath, $"only includeGroup: takes further |clauses; \"{keyword}:\" must stand alone (Entra ID filters take no query).");
        }
    }

    private void ParseGroups(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        var clauses = Clauses(text, GroupsPath);
        if (clauses.Count > 1)
        {
            throw Invalid(GroupsPath, "takes one clause (Entra ID filters take no |query).");
        }

        var (keyword, values) = clauses[0];
        switch (keyword)
        {
            case "include":
                IncludeGroupNames = new HashSet<string>(values, DirectoryString.CaseIgnoreComparer);
                break;
            case "exclude":
                ExcludeGroupNames = new HashSet<string>(values, DirectoryString.CaseIgnoreComparer);
                break;
            case "includeadministrativeunit":
                IncludeAdministrativeUnits = values;
                break;
            case "excludeadministrativeunit":
                ExcludeAdministrativeUnits = values;
                break;
            default:
                throw Invalid(GroupsPath, $"\"{keyword}:\" is not a group filter: use include:, exclude:, includeAdministrativeUnit: or excludeAdministrativeUnit:.");
        }
    }

    private static List<(string Keyword, string[] Values)> Clauses(string text, string path)
    {
        var clauses = new List<(string, string[])>();
        foreach (var part in text.Split('|'))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw Invalid(path, $"\"{part.Trim()}\" has no keyword: write keyword:value,value (e.g. include:alice@example.com).");
            }

            var keyword = part[..colon].Trim().ToLowerInvariant();
            var values = part[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (values.Length == 0)
            {
                throw Invalid(path, $"\"{keyword}:\" lists no values.");
            }

            clauses.Add((keyword, values));
        }

        return clauses;
    }

    private static SyncFailedException Invalid(string path, string message)
        => new(SyncFailureReason.InvalidSpec, $"{path}: {message}", retryable: false);
}
