using System.Globalization;
using System.Text;

namespace DirectoryConnector.Benchmarks.Sync;

/// <summary>
/// A generated OpenLDAP directory as the issue describes it: N users (inetOrgPerson), N/10 groups (groupOfNames),
/// about 3 groups per user, about 5% of the groups nested in another (no cycles), written as LDIF for slapadd.
/// The same seed gives the same directory.
/// </summary>
internal sealed class BenchDirectory
{
    public const string Suffix = "dc=bench,dc=example";
    public const string AdminDn = "cn=admin," + Suffix;
    public const string AdminPassword = "bench-admin";

    private BenchDirectory(int users, int groups, List<int>[] userGroups)
    {
        Users = users;
        Groups = groups;
        this.userGroups = userGroups;
    }

    private readonly List<int>[] userGroups;

    public int Users { get; }

    public int Groups { get; }

    public static string UserDn(int i) => string.Create(CultureInfo.InvariantCulture, $"uid=user{i},ou=People,{Suffix}");

    public static string GroupDn(int g) => string.Create(CultureInfo.InvariantCulture, $"cn=Group {g},ou=Groups,{Suffix}");

    public static string Email(int i) => string.Create(CultureInfo.InvariantCulture, $"user{i}@bench.example");

    /// <summary>A user who is not in group <paramref name="group"/> (for the one-group change).</summary>
    public int UserOutside(int group) => Enumerable.Range(0, Users).Reverse().First(u => !userGroups[u].Contains(group));

    public static BenchDirectory Write(string ldifPath, int users, int seed = 20261130)
    {
        var groups = Math.Max(1, users / 10);
        var random = new Random(seed);
        var userGroups = new List<int>[users];
        var members = new List<string>[groups];
        for (var g = 0; g < groups; g++)
        {
            members[g] = [];
        }

        for (var u = 0; u < users; u++)
        {
            userGroups[u] = [];
            while (userGroups[u].Count < Math.Min(3, groups))
            {
                var g = random.Next(groups);
                if (!userGroups[u].Contains(g))
                {
                    userGroups[u].Add(g);
                    members[g].Add(UserDn(u));
                }
            }
        }

        // ~5% of the groups are members of a group with a lower number: nesting without cycles.
        for (var g = 1; g < groups; g++)
        {
            if (random.Next(20) == 0)
            {
                members[random.Next(g)].Add(GroupDn(g));
            }
        }

        using var writer = new StreamWriter(ldifPath, append: false, new UTF8Encoding(false));
        writer.NewLine = "\n";
        writer.WriteLine($"dn: {Suffix}\nobjectClass: dcObject\nobjectClass: organization\no: bench\ndc: bench\n");
        writer.WriteLine($"dn: ou=People,{Suffix}\nobjectClass: organizationalUnit\nou: People\n");
        writer.WriteLine($"dn: ou=Groups,{Suffix}\nobjectClass: organizationalUnit\nou: Groups\n");
        for (var u = 0; u < users; u++)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"dn: {UserDn(u)}\nobjectClass: inetOrgPerson\nuid: user{u}\ncn: User {u}\nsn: {u}\nmail: {Email(u)}\n"));
        }

        for (var g = 0; g < groups; g++)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dn: {GroupDn(g)}\nobjectClass: groupOfNames\ncn: Group {g}"));
            // groupOfNames requires a member: an empty group lists the group itself, as OpenLDAP setups often do.
            foreach (var member in members[g].Count > 0 ? members[g] : [GroupDn(g)])
            {
                writer.WriteLine($"member: {member}");
            }

            writer.WriteLine();
        }

        return new BenchDirectory(users, groups, userGroups);
    }
}
