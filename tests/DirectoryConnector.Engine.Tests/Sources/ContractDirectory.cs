namespace DirectoryConnector.Engine.Tests.Sources;

/// <summary>
/// The directory every source's contract tests seed, each in its own format: <see cref="UserCount"/> users
/// (user00@contract.example …), one more user without an email (<see cref="UserWithoutEmail"/>), a group
/// <see cref="AllGroup"/> with every user, and <see cref="OuterGroup"/> whose only member is the group
/// <see cref="InnerGroup"/>, which holds the first <see cref="InnerGroupSize"/> users.
/// </summary>
public static class ContractDirectory
{
    public const int UserCount = 25;
    public const int InnerGroupSize = 5;
    public const string AllGroup = "Contract All";
    public const string OuterGroup = "Contract Outer";
    public const string InnerGroup = "Contract Inner";

    /// <summary>The user the source cannot send: it has no email (its name in the source, e.g. uid or login).</summary>
    public const string UserWithoutEmail = "nomail";

    /// <summary>The user <see cref="DirectorySourceContract.AddUserAsync"/> adds.</summary>
    public const string AddedUser = "added";

    public static string Email(int index) => $"user{index:00}@contract.example";

    /// <summary>The login / uid / local part of user <paramref name="index"/>.</summary>
    public static string Login(int index) => $"user{index:00}";

    public static IReadOnlyList<string> Emails { get; } = [.. Enumerable.Range(0, UserCount).Select(Email)];

    public static string AddedEmail => $"{AddedUser}@contract.example";

    /// <summary>The directory as LDIF below <paramref name="baseDn"/> (an organizationalUnit that the LDIF creates):
    /// inetOrgPersons uid=…,ou=People and groupOfNames in ou=Groups, DNs as external ids.</summary>
    public static string Ldif(string baseDn, bool withAddedUser = false, bool withoutFirstUser = false)
    {
        var rdn = baseDn.Split(',')[0];
        var text = new System.Text.StringBuilder();
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"dn: {baseDn}\nobjectClass: organizationalUnit\nou: {rdn[(rdn.IndexOf('=', StringComparison.Ordinal) + 1)..]}\n\n");
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"dn: ou=People,{baseDn}\nobjectClass: organizationalUnit\nou: People\n\n");
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"dn: ou=Groups,{baseDn}\nobjectClass: organizationalUnit\nou: Groups\n\n");
        var users = Enumerable.Range(withoutFirstUser ? 1 : 0, withoutFirstUser ? UserCount - 1 : UserCount).Select(i => (Login(i), (string?)Email(i))).ToList();
        users.Add((UserWithoutEmail, null));
        if (withAddedUser)
        {
            users.Add((AddedUser, AddedEmail));
        }

        foreach (var (login, email) in users)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"dn: uid={login},ou=People,{baseDn}\nobjectClass: inetOrgPerson\nuid: {login}\ncn: {login}\nsn: {login}\n");
            text.Append(email is null ? "\n" : $"mail: {email}\n\n");
        }

        string Member(int i) => $"member: uid={Login(i)},ou=People,{baseDn}\n";
        var first = withoutFirstUser ? 1 : 0;
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"dn: cn={AllGroup},ou=Groups,{baseDn}\nobjectClass: groupOfNames\ncn: {AllGroup}\n");
        text.Append(string.Concat(Enumerable.Range(first, UserCount - first).Select(Member))).Append('\n');
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"dn: cn={InnerGroup},ou=Groups,{baseDn}\nobjectClass: groupOfNames\ncn: {InnerGroup}\n");
        text.Append(string.Concat(Enumerable.Range(first, InnerGroupSize - first).Select(Member))).Append('\n');
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"dn: cn={OuterGroup},ou=Groups,{baseDn}\nobjectClass: groupOfNames\ncn: {OuterGroup}\nmember: cn={InnerGroup},ou=Groups,{baseDn}\n\n");
        return text.ToString();
    }
}
