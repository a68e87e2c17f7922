using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Planning;

public sealed class GroupFlatteningTests
{
    /// <summary>Upstream's directory-circular-groups.ldif, built in memory.</summary>
    private static TestDirectory UpstreamCircularDirectory()
    {
        var directory = new TestDirectory();
        foreach (var user in new[] { "Roland Dyke", "Teirtza Kara", "Alice Chen", "Bob Martinez", "Carol Williams", "David Kim", "Eva Johnson", "Frank Lee" })
        {
            directory.User(user);
        }

        return directory
            .Group("Platform", "Bob Martinez", "Engineering")
            .Group("DevOps", "Alice Chen", "Platform")
            .Group("QA", "Carol Williams", "David Kim")
            .Group("Engineering", "DevOps", "QA")
            .Group("Marketing", "Eva Johnson", "Frank Lee")
            .Group("HR", "Roland Dyke", "Teirtza Kara")
            .Group("AllStaff", "Engineering", "Marketing", "HR")
            .Group("Contractors", "DevOps", "David Kim")
            .Group("TestNestA", "TestNestB", "Roland Dyke")
            .Group("TestNestB", "TestNestA", "Teirtza Kara");
    }

    [Fact]
    public void UpstreamCircularExampleFlattensToTheSetsTheOriginalConnectorSent()
    {
        var plan = UpstreamCircularDirectory().Plan();

        string[] engineers = ["Alice Chen", "Bob Martinez", "Carol Williams", "David Kim"];
        plan.MembersOf("AllStaff").Should().BeEquivalentTo([.. engineers, "Eva Johnson", "Frank Lee", "Roland Dyke", "Teirtza Kara"]);
        foreach (var group in new[] { "Engineering", "DevOps", "Platform", "Contractors" })
        {
            plan.MembersOf(group).Should().BeEquivalentTo(engineers, because: $"{group} reaches every engineer through the DevOps-Platform-Engineering cycle");
        }

        plan.MembersOf("QA").Should().BeEquivalentTo("Carol Williams", "David Kim");
        plan.MembersOf("Marketing").Should().BeEquivalentTo("Eva Johnson", "Frank Lee");
        plan.MembersOf("HR").Should().BeEquivalentTo("Roland Dyke", "Teirtza Kara");
        plan.MembersOf("TestNestA").Should().BeEquivalentTo("Roland Dyke", "Teirtza Kara");
        plan.MembersOf("TestNestB").Should().BeEquivalentTo("Roland Dyke", "Teirtza Kara");
        plan.Groups.Should().HaveCount(10);
        plan.Skipped.Should().BeEmpty();
    }

    [Fact]
    public void UpstreamCircularExampleGivesTheSamePlanWhateverOrderTheDirectoryReturnsEntriesIn()
    {
        var snapshot = UpstreamCircularDirectory().Snapshot();
        var expected = ImportPlanner.Plan(snapshot, new SyncOptionsSpec(), TestDirectory.Scope);
        var random = new Random(20261122);

        for (var shuffle = 0; shuffle < 200; shuffle++)
        {
            var shuffled = Shuffle(snapshot, random);
            var plan = ImportPlanner.Plan(shuffled, new SyncOptionsSpec(), TestDirectory.Scope);

            Describe(plan).Should().Equal(Describe(expected));
            plan.GroupsHash.Should().Be(expected.GroupsHash);
            plan.MembersHash.Should().Be(expected.MembersHash);
        }
    }

    [Fact]
    public void RandomNestedDirectoriesWithCyclesMatchANaiveClosureAndDoNotDependOnOrder()
    {
        var random = new Random(42);
        for (var round = 0; round < 40; round++)
        {
            var snapshot = RandomDirectory(random, users: random.Next(1, 60), groups: random.Next(1, 40));
            var plan = ImportPlanner.Plan(snapshot, new SyncOptionsSpec(), TestDirectory.Scope);

            var expected = NaiveClosure(snapshot);
            plan.Groups.Should().HaveCount(snapshot.Groups.Count(g => g.Selected));
            foreach (var group in plan.Groups)
            {
                group.MemberExternalIds.Should().Equal(expected[group.ExternalId], because: $"round {round}, group {group.Name}");
            }

            for (var shuffle = 0; shuffle < 10; shuffle++)
            {
                var again = ImportPlanner.Plan(Shuffle(snapshot, random), new SyncOptionsSpec(), TestDirectory.Scope);
                Describe(again).Should().Equal(Describe(plan));
                again.GroupsHash.Should().Be(plan.GroupsHash);
            }
        }
    }

    [Fact]
    public void AGroupThatContainsItselfListsItsUsersOnce()
    {
        var plan = new TestDirectory().User("ann").User("bob").Group("Loop", "Loop", "ann", "bob", "ann").Plan();

        plan.MembersOf("Loop").Should().Equal("ann", "bob");
        plan.Skipped.Should().BeEmpty();
    }

    [Fact]
    public void AUserReachedThroughSeveralPathsIsListedOnceAndListsAreSortedOrdinally()
    {
        var plan = new TestDirectory()
            .User("zoe").User("Bob").User("amy")
            .Group("Left", "zoe", "amy").Group("Right", "amy", "Bob").Group("Top", "Left", "Right", "zoe")
            .Plan();

        plan.Groups.Single(g => g.Name == "Top").MemberExternalIds.Should()
            .Equal(TestDirectory.UserDn("Bob"), TestDirectory.UserDn("amy"), TestDirectory.UserDn("zoe"));
    }

    [Fact]
    public void AKeptParentKeepsTheUsersItGetsThroughAFilteredOutChild()
    {
        var plan = new TestDirectory()
            .User("ann").User("bob").User("cid")
            .Group("Bitwarden Users", "Staff", "cid")
            .UnselectedGroup("Staff", "Interns", "ann")
            .UnselectedGroup("Interns", "bob")
            .Plan();

        plan.Groups.Select(g => g.Name).Should().Equal("Bitwarden Users");
        plan.MembersOf("Bitwarden Users").Should().BeEquivalentTo("ann", "bob", "cid");
        plan.Skipped.Should().BeEmpty("groups left out by the filter are not errors");
    }

    [Fact]
    public void AChildGroupThatCannotBeSentStillPassesItsUsersToItsParent()
    {
        var plan = new TestDirectory()
            .User("ann").User("bob")
            .Group("Parent", "Nameless", "bob")
            .GroupWith("Nameless", displayedName: null, selected: true, externalId: null, "ann")
            .Plan();

        plan.Groups.Select(g => g.Name).Should().Equal("Parent");
        plan.MembersOf("Parent").Should().BeEquivalentTo("ann", "bob");
        plan.Skipped.Should().ContainSingle().Which.Should().Be(new SkippedEntry(
            TestDirectory.GroupDn("Nameless"), SkippedEntryKind.Group, "has no name: it is not sent (groups that contain it still get its members)"));
    }

    [Fact]
    public void GroupsListOnlyUsersSentAsActiveMembers()
    {
        var plan = new TestDirectory()
            .User("active").User("off", disabled: true).User("gone", deleted: true).User("nomail", email: null)
            .User("removedoff", disabled: true)
            .Group("All", "active", "off", "gone", "nomail")
            .Plan();

        plan.MembersOf("All").Should().BeEquivalentTo(["active", "off"], "a disabled user stays a member without removeDisabled");

        var removing = new TestDirectory()
            .User("active").User("off", disabled: true)
            .Group("All", "active", "off")
            .Plan(new SyncOptionsSpec { RemoveDisabled = true });
        removing.MembersOf("All").Should().Equal("active");
    }

    [Fact]
    public void AnUnknownMemberReferenceIsReportedOnceNamingAGroupThatListsIt()
    {
        var plan = new TestDirectory()
            .User("ann")
            .Group("B", "ann", "raw:cn=ghost,ou=people,dc=example,dc=com", "raw:cn=ghost,ou=people,dc=example,dc=com")
            .Group("A", "raw:cn=ghost,ou=people,dc=example,dc=com", "raw:uid=nobody")
            .Plan();

        plan.Skipped.Should().BeEquivalentTo(new[]
        {
            new SkippedEntry("cn=ghost,ou=people,dc=example,dc=com", SkippedEntryKind.Member,
                $"is listed as a member of {TestDirectory.GroupDn("A")} and 1 other group(s) but matches no user or group that was read (outside the user or group path or filter, or not a user): it is not added to any group"),
            new SkippedEntry("uid=nobody", SkippedEntryKind.Member,
                $"is listed as a member of {TestDirectory.GroupDn("A")} but matches no user or group that was read (outside the user or group path or filter, or not a user): it is not added to any group"),
        }, o => o.WithStrictOrdering());
        plan.MembersOf("B").Should().Equal("ann");
    }

    [Fact]
    public void UnknownReferencesInGroupsNoSentGroupUsesAreNotReported()
    {
        var plan = new TestDirectory()
            .User("ann")
            .Group("Sent", "ann")
            .UnselectedGroup("Elsewhere", "raw:cn=outside,dc=other")
            .Plan();

        plan.Skipped.Should().BeEmpty();
    }

    [Fact]
    public void AReferenceToASkippedUserIsNotReportedAsUnknown()
    {
        var plan = new TestDirectory().User("nomail", email: null).Group("G", "nomail").Plan();

        plan.Skipped.Should().ContainSingle().Which.Kind.Should().Be(SkippedEntryKind.User);
        plan.Groups.Single().MemberExternalIds.Should().BeEmpty();
    }

    [Fact]
    public void AGroupReadTwiceIsOneGroupWithTheMembersOfBothCopies()
    {
        var plan = new TestDirectory().User("ann").User("bob").Group("G", "ann").Group("G", "bob").Plan();

        plan.Groups.Should().ContainSingle();
        plan.MembersOf("G").Should().Equal("ann", "bob");
    }

    [Fact]
    public void CopiesOfOneGroupThatDisagreeOnItsNameAreNotSentButStillNest()
    {
        var plan = new TestDirectory()
            .User("ann")
            .GroupWith("G", "Name one", true, null, "ann")
            .GroupWith("G", "Name two", true, null)
            .Group("Parent", "G")
            .Plan();

        plan.Groups.Select(g => g.Name).Should().Equal("Parent");
        plan.MembersOf("Parent").Should().Equal("ann");
        plan.Skipped.Should().ContainSingle().Which.Reason.Should().StartWith("is listed more than once under the same reference with different names or external ids");
    }

    [Fact]
    public void AReferenceThatNamesSeveralDifferentUsersListsAllOfThemThatAreSent()
    {
        var directory = new TestDirectory().User("ann").Group("G", "ann");
        directory.Users.Add(directory.Users[0] with { ExternalId = "other-id", Email = "ann.other@example.com" });
        directory.Users.Add(directory.Users[0] with { ExternalId = "third-id", Email = null });

        var plan = directory.Plan();

        plan.Groups.Single().MemberExternalIds.Should().Equal(TestDirectory.UserDn("ann"), "other-id");
    }

    [Fact]
    public void FlattenedMemberListsSerializeAsPlainJsonArrays()
    {
        var plan = new TestDirectory().User("ann", externalId: "u-1").User("bob", externalId: "u-2").Group("A", "B").Group("B", "ann", "bob").Plan();

        System.Text.Json.JsonSerializer.Serialize(plan.Groups.Select(g => new { g.Name, g.MemberExternalIds }))
            .Should().Be("""[{"Name":"A","MemberExternalIds":["u-1","u-2"]},{"Name":"B","MemberExternalIds":["u-1","u-2"]}]""");
    }

    [Fact]
    public void VeryDeepNestingDoesNotOverflowTheStack()
    {
        const int depth = 50_000;
        var directory = new TestDirectory().User("leaf");
        directory.Group("g0", "leaf", $"g{depth - 1}");
        for (var i = 1; i < depth; i++)
        {
            directory.Group($"g{i}", $"g{i - 1}");
        }

        var plan = directory.Plan();

        plan.Groups.Should().HaveCount(depth);
        plan.Groups.Should().OnlyContain(g => g.MemberExternalIds.Count == 1 && g.MemberExternalIds[0] == TestDirectory.UserDn("leaf"));
    }

    internal static DirectorySnapshot Shuffle(DirectorySnapshot snapshot, Random random)
    {
        var users = snapshot.Users.ToArray();
        var groups = snapshot.Groups.Select(g => g with { MemberReferences = g.MemberReferences.OrderBy(_ => random.Next()).ToList() }).ToArray();
        random.Shuffle(users);
        random.Shuffle(groups);
        return new DirectorySnapshot { Users = users, Groups = groups, Skipped = snapshot.Skipped };
    }

    internal static List<string> Describe(ImportPlan plan)
        => [.. plan.Members.Select(m => $"member {m.Email} {m.ExternalId} deleted={m.Deleted} disabled={m.Disabled} {m.DisplayName}"),
            .. plan.Groups.Select(g => $"group {g.Name} {g.ExternalId} [{string.Join(", ", g.MemberExternalIds)}]"),
            .. plan.Skipped.Select(s => $"skipped {s.Kind} {s.Entry}: {s.Reason}")];

    /// <summary>Random users and groups; each group lists random users and random groups (cycles, self-loops, diamonds), some unselected.</summary>
    private static DirectorySnapshot RandomDirectory(Random random, int users, int groups)
    {
        var directoryUsers = Enumerable.Range(0, users)
            .Select(i => new DirectoryUser($"u{i}", $"ext-u{i:D3}", $"user{i}@example.com", random.Next(5) == 0, false, $"uid=u{i}"))
            .ToList();
        var directoryGroups = Enumerable.Range(0, groups).Select(i =>
        {
            var members = new List<string>();
            for (var k = random.Next(0, 4); k > 0; k--)
            {
                members.Add($"u{random.Next(users)}");
            }

            for (var k = random.Next(0, 3); k > 0; k--)
            {
                members.Add($"g{random.Next(groups)}");
            }

            return new DirectoryGroup($"g{i}", $"ext-g{i:D3}", $"Group {i}", members, random.Next(4) != 0, $"cn=g{i}");
        }).ToList();
        return new DirectorySnapshot { Users = directoryUsers, Groups = directoryGroups };
    }

    /// <summary>The obvious definition: breadth-first search from each group over the whole group graph.</summary>
    private static Dictionary<string, List<string>> NaiveClosure(DirectorySnapshot snapshot)
    {
        var users = snapshot.Users.ToDictionary(u => u.ReferenceId);
        var groups = snapshot.Groups.ToDictionary(g => g.ReferenceId);
        var result = new Dictionary<string, List<string>>();
        foreach (var start in snapshot.Groups)
        {
            var visited = new HashSet<string> { start.ReferenceId };
            var queue = new Queue<DirectoryGroup>([start]);
            var members = new SortedSet<string>(StringComparer.Ordinal);
            while (queue.TryDequeue(out var group))
            {
                foreach (var reference in group.MemberReferences)
                {
                    if (users.TryGetValue(reference, out var user))
                    {
                        members.Add(user.ExternalId);
                    }
                    else if (groups.TryGetValue(reference, out var child) && visited.Add(reference))
                    {
                        queue.Enqueue(child);
                    }
                }
            }

            result[start.ExternalId] = [.. members];
        }

        return result;
    }
}
