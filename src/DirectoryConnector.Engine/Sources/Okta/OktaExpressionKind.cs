using System.Text.RegularExpressions;

namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>
/// Chooses the query parameter for a filter expression. Okta's <c>filter=</c> supports only a few properties with
/// <c>eq</c> (dates also gt/ge/lt/le) and answers anything else with 400 E0000031, which failed the original
/// connector's syncs on profile attributes; <c>search=</c> takes any profile attribute
/// (developer.okta.com/docs/api/openapi/okta-management/management/tag/User/#tag/User/operation/listUsers, /tag/Group/#tag/Group/operation/listGroups).
/// Both return DEPROVISIONED users, unlike the plain list.
/// </summary>
public static partial class OktaExpressionKind
{
    private static readonly string[] UserFilterProperties = ["status", "lastUpdated", "id", "profile.login", "profile.email", "profile.firstName", "profile.lastName"];
    private static readonly string[] GroupFilterProperties = ["id", "type", "lastUpdated", "lastMembershipUpdated"];
    private static readonly string[] DateProperties = ["lastUpdated", "lastMembershipUpdated"];

    /// <summary>"filter" when every comparison in <paramref name="expression"/> is one filter= supports on users, else "search".</summary>
    public static string ForUsers(string expression) => Choose(expression, UserFilterProperties);

    /// <summary>As <see cref="ForUsers"/> for groups.</summary>
    public static string ForGroups(string expression) => Choose(expression, GroupFilterProperties);

    private static string Choose(string expression, string[] filterProperties)
    {
        var unquoted = QuotedString().Replace(expression, "\"\"");
        var comparisons = Comparison().Matches(unquoted);
        var filterable = comparisons.Count > 0 && comparisons.All(m =>
            filterProperties.Contains(m.Groups["property"].Value)
            && (m.Groups["operator"].Value == "eq" || (DateProperties.Contains(m.Groups["property"].Value) && m.Groups["operator"].Value is "gt" or "ge" or "lt" or "le")));
        return filterable ? "filter" : "search";
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex QuotedString();

    [GeneratedRegex(@"(?<property>[A-Za-z_][\w.$]*)\s+(?<operator>eq|ne|gt|ge|lt|le|sw|co|ew|pr)\b")]
    private static partial Regex Comparison();
}
