using DirectoryConnector.Engine.Sources;

namespace DirectoryConnector.Benchmarks;

/// <summary>
/// A generated company directory: users in leaf groups, groups nested five levels deep under a few roots
/// (Department → Division → Team → Squad → Project), with diamonds (second parents), some cycles (a group
/// listing an ancestor), groups left out by the group filter, disabled users and users without email.
/// </summary>
internal static class SyntheticDirectory
{
    private const int Levels = 5;

    public static DirectorySnapshot Generate(int userCount, int groupCount, int seed = 12345)
    {
        var random = new Random(seed);
        var users = new List<DirectoryUser>(userCount);
        for (var i = 0; i < userCount; i++)
        {
            var dn = $"uid=user{i},ou=People,dc=corp,dc=example,dc=com";
            var email = random.Next(200) == 0 ? null : $"User{i}@Corp.Example.com";
            users.Add(new DirectoryUser(dn, NewGuid(random), email, Disabled: random.Next(20) == 0, Deleted: false, dn));
        }

        // Level sizes grow geometrically towards the leaves: 1 : 3 : 9 : 27 : 81 of the groups.
        var weights = Enumerable.Range(0, Levels).Select(l => Math.Pow(3, l)).ToArray();
        var levelOf = new int[groupCount];
        var levelStart = new int[Levels + 1];
        var assigned = 0;
        for (var level = 0; level < Levels; level++)
        {
            levelStart[level] = assigned;
            var size = level == Levels - 1 ? groupCount - assigned : Math.Max(1, (int)(groupCount * weights[level] / weights.Sum()));
            for (var k = 0; k < size; k++)
            {
                levelOf[assigned++] = level;
            }
        }

        levelStart[Levels] = groupCount;
        var members = Enumerable.Range(0, groupCount).Select(_ => new List<string>()).ToArray();
        string GroupDn(int g) => $"cn=Group {g},ou=Groups,dc=corp,dc=example,dc=com";

        for (var g = levelStart[1]; g < groupCount; g++)
        {
            var parentLevel = levelOf[g] - 1;
            members[RandomIn(random, levelStart, parentLevel)].Add(GroupDn(g));
            if (random.Next(10) == 0)
            {
                members[RandomIn(random, levelStart, parentLevel)].Add(GroupDn(g)); // diamond
            }

            if (random.Next(100) == 0)
            {
                members[g].Add(GroupDn(RandomIn(random, levelStart, random.Next(parentLevel + 1)))); // cycle through an ancestor level
            }
        }

        // Every user in one or two leaf groups; a few directly in higher groups; a few references to unknown entries.
        for (var u = 0; u < userCount; u++)
        {
            members[RandomIn(random, levelStart, Levels - 1)].Add(users[u].ReferenceId);
            if (random.Next(4) == 0)
            {
                members[RandomIn(random, levelStart, random.Next(Levels))].Add(users[u].ReferenceId);
            }
        }

        for (var k = 0; k < groupCount / 100; k++)
        {
            members[random.Next(groupCount)].Add($"uid=former{k},ou=People,dc=corp,dc=example,dc=com");
        }

        var groups = Enumerable.Range(0, groupCount)
            .Select(g => new DirectoryGroup(GroupDn(g), NewGuid(random), $"Group {g}", members[g], Selected: random.Next(10) != 0, GroupDn(g)))
            .ToList();
        return new DirectorySnapshot { Users = users, Groups = groups };
    }

    private static int RandomIn(Random random, int[] levelStart, int level) => random.Next(levelStart[level], levelStart[level + 1]);

    private static string NewGuid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }
}
