namespace DirectoryConnector.TestSupport.GoogleWorkspace;

/// <summary>
/// The part of the Directory API search syntax the stand-in evaluates
/// (https://developers.google.com/admin-sdk/directory/v1/guides/search-users and …/search-groups):
/// space-separated clauses <c>field=value</c> (exact, case-insensitive) or <c>field:value</c> (contains, or prefix
/// with a trailing <c>*</c>), values optionally in single quotes, all clauses ANDed. Users: email, givenName,
/// familyName, isAdmin, isSuspended, isArchived, orgUnitPath (the unit and every unit under it). Groups: email, name.
/// Anything else is rejected, as Google rejects it: 400 "Invalid Input".
/// </summary>
internal static class DirectoryQueryLanguage
{
    /// <summary>A predicate for the query, or null when Google would reject it.</summary>
    public static Func<GoogleStandInUser, bool>? ParseUsers(string query) => Parse<GoogleStandInUser>(query, (field, op, value) => field.ToLowerInvariant() switch
    {
        "email" => u => Text(u.PrimaryEmail, op, value),
        "givenname" => u => Text(u.GivenName, op, value),
        "familyname" => u => Text(u.FamilyName, op, value),
        "isadmin" => Bool(value) is { } admin && op == '=' ? u => u.IsAdmin == admin : null,
        "issuspended" => Bool(value) is { } suspended && op == '=' ? u => u.Suspended == suspended : null,
        "isarchived" => Bool(value) is { } archived && op == '=' ? u => u.Archived == archived : null,
        "orgunitpath" when op == '=' && value.StartsWith('/') => u => value == "/"
            || u.OrgUnitPath.Equals(value, StringComparison.OrdinalIgnoreCase)
            || u.OrgUnitPath.StartsWith(value.TrimEnd('/') + "/", StringComparison.OrdinalIgnoreCase),
        _ => null,
    });

    public static Func<GoogleStandInGroup, bool>? ParseGroups(string query) => Parse<GoogleStandInGroup>(query, (field, op, value) => field.ToLowerInvariant() switch
    {
        "email" => g => Text(g.Email, op, value),
        "name" => g => Text(g.Name, op, value),
        _ => null,
    });

    private static Func<T, bool>? Parse<T>(string query, Func<string, char, string, Func<T, bool>?> clause)
    {
        var predicates = new List<Func<T, bool>>();
        var i = 0;
        while (i < query.Length)
        {
            if (query[i] == ' ')
            {
                i++;
                continue;
            }

            var start = i;
            while (i < query.Length && char.IsAsciiLetterOrDigit(query[i]))
            {
                i++;
            }

            if (i == start || i == query.Length || query[i] is not ('=' or ':'))
            {
                return null;
            }

            var field = query[start..i];
            var op = query[i++];
            string value;
            if (i < query.Length && query[i] == '\'')
            {
                var end = query.IndexOf('\'', i + 1);
                if (end < 0)
                {
                    return null;
                }

                value = query[(i + 1)..end];
                i = end + 1;
            }
            else
            {
                var end = query.IndexOf(' ', i);
                end = end < 0 ? query.Length : end;
                value = query[i..end];
                i = end;
            }

            if (value.Length == 0 || clause(field, op, value) is not { } predicate)
            {
                return null;
            }

            predicates.Add(predicate);
        }

        return predicates.Count == 0 ? null : item => predicates.TrueForAll(p => p(item));
    }

    private static bool Text(string actual, char op, string value) => op == '='
        ? actual.Equals(value, StringComparison.OrdinalIgnoreCase)
        : value.EndsWith('*')
            ? actual.StartsWith(value[..^1], StringComparison.OrdinalIgnoreCase)
            : actual.Contains(value, StringComparison.OrdinalIgnoreCase);

    private static bool? Bool(string value) => bool.TryParse(value, out var result) ? result : null;
}
