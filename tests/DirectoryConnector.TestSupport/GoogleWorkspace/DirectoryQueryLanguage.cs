using System.Text;

namespace DirectoryConnector.TestSupport.GoogleWorkspace;

/// <summary>
/// The part of the Directory API search syntax the stand-in evaluates, with the operators Google allows per field
/// (https://developers.google.com/admin-sdk/directory/v1/guides/search-users and …/search-groups): space-separated
/// clauses (an implicit AND) <c>field=value</c> (exact, case-insensitive), <c>field:value</c> (contains) or
/// <c>field:PREFIX*</c> (starts with); a value in single quotes may hold spaces and <c>\'</c>.
/// <list type="bullet">
/// <item>Users: email, givenName, familyName (<c>=</c>, <c>:</c>, <c>:PREFIX*</c>); name, givenName and familyName
/// joined (<c>=</c>, <c>:</c>); isAdmin, isDelegatedAdmin, isSuspended, isArchived (<c>=true|false</c>); orgUnitPath
/// (<c>=</c>, the unit and every unit under it); a bare value (no field) is compared with givenName, familyName and email.</item>
/// <item>Groups: email and name with <c>=</c> or <c>:PREFIX*</c> only (no "contains"); memberKey (<c>=</c>, a user's
/// email or id or a group's email: the groups it is a direct member of), never together with email or name.</item>
/// </list>
/// Anything else is rejected, as Google rejects it: 400 "Invalid Input". Not modelled: the other user fields
/// (addresses, organizations, phones, externalId, manager, custom schemas), which are refused here.
/// </summary>
internal static class DirectoryQueryLanguage
{
    /// <summary>A predicate for the query, or null when Google would reject it.</summary>
    public static Func<GoogleStandInUser, bool>? ParseUsers(string query) => Parse<GoogleStandInUser>(query, clauses => Combine<GoogleStandInUser>(clauses, clause => clause switch
    {
        (null, _, var value) => u => Text(u.GivenName, ':', value) || Text(u.FamilyName, ':', value) || Text(u.PrimaryEmail, ':', value),
        ("email", _, var value) => u => Text(u.PrimaryEmail, clause.Op, value),
        ("givenname", _, var value) => u => Text(u.GivenName, clause.Op, value),
        ("familyname", _, var value) => u => Text(u.FamilyName, clause.Op, value),
        ("name", '=' or ':', var value) when !value.EndsWith('*') => u => Text($"{u.GivenName} {u.FamilyName}".Trim(), clause.Op, value),
        ("isadmin", '=', var value) when Bool(value) is { } admin => u => u.IsAdmin == admin,
        ("isdelegatedadmin", '=', var value) when Bool(value) is { } delegated => _ => !delegated,
        ("issuspended", '=', var value) when Bool(value) is { } suspended => u => u.Suspended == suspended,
        ("isarchived", '=', var value) when Bool(value) is { } archived => u => u.Archived == archived,
        ("orgunitpath", '=', var value) when value.StartsWith('/') => u => value == "/"
            || u.OrgUnitPath.Equals(value, StringComparison.OrdinalIgnoreCase)
            || u.OrgUnitPath.StartsWith(value.TrimEnd('/') + "/", StringComparison.OrdinalIgnoreCase),
        _ => null,
    }));

    public static Func<GoogleStandInGroup, bool>? ParseGroups(string query) => Parse<GoogleStandInGroup>(query, clauses =>
    {
        var fields = clauses.Select(c => c.Field).ToHashSet();
        if (fields.Contains("memberkey") && (fields.Contains("email") || fields.Contains("name")))
        {
            return null;
        }

        return Combine<GoogleStandInGroup>(clauses, clause => clause switch
        {
            // "=" or ":PREFIX*": Google has no "contains" for groups.
            ("email" or "name", _, var value) when clause.Op == '=' || value.EndsWith('*') => g => Text(clause.Field == "email" ? g.Email : g.Name, clause.Op, value),
            ("memberkey", '=', var value) => g => g.Members.Exists(m => m.Id == value || string.Equals(m.Email, value, StringComparison.OrdinalIgnoreCase)),
            _ => null,
        });
    });

    private static Func<T, bool>? Combine<T>(List<Clause> clauses, Func<Clause, Func<T, bool>?> clause)
    {
        var predicates = new List<Func<T, bool>>();
        foreach (var c in clauses)
        {
            if (c.Value.Length == 0 || c.Value == "*" || clause(c) is not { } predicate)
            {
                return null;
            }

            predicates.Add(predicate);
        }

        return predicates.Count == 0 ? null : item => predicates.TrueForAll(p => p(item));
    }

    /// <summary>Splits the query into clauses (field lower-cased, null for a bare value), or null when it cannot be read.</summary>
    private static Func<T, bool>? Parse<T>(string query, Func<List<Clause>, Func<T, bool>?> evaluate)
    {
        var clauses = new List<Clause>();
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

            string? field = null;
            var op = ':';
            if (i > start && i < query.Length && query[i] is '=' or ':')
            {
                field = query[start..i].ToLowerInvariant();
                op = query[i++];
            }
            else
            {
                i = start;
            }

            if (ReadValue(query, ref i) is not { } value)
            {
                return null;
            }

            clauses.Add(new Clause(field, op, value));
        }

        return evaluate(clauses);
    }

    /// <summary>A quoted value ('…' with \' inside) or the text up to the next space; null when a quote is left open.</summary>
    private static string? ReadValue(string query, ref int i)
    {
        if (i < query.Length && query[i] == '\'')
        {
            var value = new StringBuilder();
            for (i++; i < query.Length; i++)
            {
                if (query[i] == '\\' && i + 1 < query.Length && query[i + 1] == '\'')
                {
                    value.Append('\'');
                    i++;
                }
                else if (query[i] == '\'')
                {
                    i++;
                    return i == query.Length || query[i] == ' ' ? value.ToString() : null;
                }
                else
                {
                    value.Append(query[i]);
                }
            }

            return null;
        }

        var end = query.IndexOf(' ', i);
        end = end < 0 ? query.Length : end;
        var text = query[i..end];
        i = end;
        return text.Contains('\'', StringComparison.Ordinal) ? null : text;
    }

    private static bool Text(string actual, char op, string value) => op == '='
        ? actual.Equals(value, StringComparison.OrdinalIgnoreCase)
        : value.EndsWith('*')
            ? actual.StartsWith(value[..^1], StringComparison.OrdinalIgnoreCase)
            : actual.Contains(value, StringComparison.OrdinalIgnoreCase);

    private static bool? Bool(string value) => bool.TryParse(value, out var result) ? result : null;

    private sealed record Clause(string? Field, char Op, string Value);
}
