using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Planning;

public sealed class DuplicateEntryTests
{
    [Fact]
    public void TwoActiveEntriesWithOneEmailAreBothLeftOutAndReportedWithBothDnsTheRestSyncs()
    {
        var plan = new TestDirectory()
            .User("pat", email: "Pat@Example.com").User("pat2", email: "pat@example.com ").User("ann")
            .Group("Team", "pat", "pat2", "ann")
            .Plan();

        plan.Members.Select(m => m.Email).Should().Equal("ann@example.com");

        // Still listed in their groups: the server replaces a group's membership, so dropping them would take the
        // existing member out of the group; it ignores the external id it does not know.
        plan.MembersOf("Team").Should().Equal("ann", "pat", "pat2");
        plan.Skipped.Select(s => s.Entry).Should().Equal(TestDirectory.UserDn("pat"), TestDirectory.UserDn("pat2"));
        foreach (var skipped in plan.Skipped)
        {
            skipped.Kind.Should().Be(SkippedEntryKind.User);
            skipped.Reason.Should().Contain("pat@example.com").And.Contain(TestDirectory.UserDn("pat")).And.Contain(TestDirectory.UserDn("pat2"))
                .And.Contain("Bitwarden leaves these members as they are");
        }
    }

    [Fact]
    public void TwoActiveEntriesWithOneExternalIdAreBothLeftOut()
    {
        var plan = new TestDirectory()
            .User("one", externalId: "same-guid").User("two", externalId: "same-guid").User("ann")
            .Group("Team", "one", "two", "ann")
            .Plan();

        plan.Members.Select(m => m.Email).Should().Equal("ann@example.com");
        plan.Groups.Single().MemberExternalIds.Should().Equal(plan.Members.Single().ExternalId, "same-guid");
        plan.Skipped.Should().HaveCount(2).And.OnlyContain(s =>
            s.Reason.Contains("external id same-guid", StringComparison.Ordinal)
            && s.Reason.Contains(TestDirectory.UserDn("one"), StringComparison.Ordinal)
            && s.Reason.Contains(TestDirectory.UserDn("two"), StringComparison.Ordinal));
    }

    [Fact]
    public void EveryEntryOfAThreeWayClashIsLeftOut()
    {
        var plan = new TestDirectory()
            .User("a", email: "x@example.com").User("b", email: "x@example.com").User("c", email: "X@example.com")
            .Plan();

        plan.Members.Should().BeEmpty();
        plan.Skipped.Should().HaveCount(3).And.OnlyContain(s => s.Reason.Contains("with 2 other active entries", StringComparison.Ordinal));
    }

    [Fact]
    public void AUserReachedTwiceIsOneMember()
    {
        var directory = new TestDirectory().User("ann").User("ann").Group("G", "ann");

        var plan = directory.Plan();

        plan.Members.Should().ContainSingle().Which.Email.Should().Be("ann@example.com");
        plan.MembersOf("G").Should().Equal("ann");
        plan.Skipped.Should().BeEmpty();
    }

    [Fact]
    public void ARepeatedEntryNeverRemovesAMemberThatAnotherCopyKeeps()
    {
        var plan = new TestDirectory().User("ann").User("ann", deleted: true).Group("G", "ann").Plan(new SyncOptionsSpec { OverwriteExisting = true });

        plan.Members.Should().ContainSingle().Which.Deleted.Should().BeFalse();
        plan.MembersOf("G").Should().Equal("ann");
    }

    [Fact]
    public void ADeletedEntrySharingAnActiveMembersEmailIsNotSentAsRemoved()
    {
        var plan = new TestDirectory()
            .User("pat", email: "pat@example.com")
            .User("oldpat", email: "pat@example.com", deleted: true)
            .Plan();

        plan.Members.Should().ContainSingle().Which.ExternalId.Should().Be(TestDirectory.UserDn("pat"));
        plan.Skipped.Should().ContainSingle().Which.Should().Be(new SkippedEntry(TestDirectory.UserDn("oldpat"), SkippedEntryKind.User,
            $"is removed but shares the email address pat@example.com with the active entry {TestDirectory.UserDn("pat")}: it is not sent as removed, so that member is kept"));
    }

    [Fact]
    public void WithOverwriteExistingClashesFailTheSyncNamingEachEmailAndItsDns()
    {
        var directory = new TestDirectory()
            .User("pat", email: "pat@example.com").User("pat2", email: "PAT@example.com")
            .User("one", externalId: "guid-1").User("two", externalId: "guid-1")
            .User("ann");

        var act = () => directory.Plan(new SyncOptionsSpec { OverwriteExisting = true });

        var failure = act.Should().Throw<SyncFailedException>().Which;
        failure.Reason.Should().Be(SyncFailureReason.DirectoryConflict);
        failure.Retryable.Should().BeFalse();
        failure.Message.Should()
            .Contain($"email address pat@example.com: {TestDirectory.UserDn("pat")} (external id {TestDirectory.UserDn("pat")}); {TestDirectory.UserDn("pat2")} (external id {TestDirectory.UserDn("pat2")})")
            .And.Contain($"external id guid-1: {TestDirectory.UserDn("one")} (email address one@example.com); {TestDirectory.UserDn("two")} (email address two@example.com)")
            .And.Contain("overwriteExisting");
    }

    [Fact]
    public void WithOverwriteExistingIdenticalRepeatsAreNotAClash()
    {
        var plan = new TestDirectory().User("ann").User("ann").Plan(new SyncOptionsSpec { OverwriteExisting = true });

        plan.Members.Should().ContainSingle();
    }

    [Fact]
    public void DuplicateOutcomeDoesNotDependOnEntryOrder()
    {
        var snapshot = new TestDirectory()
            .User("pat", email: "pat@example.com").User("pat2", email: "pat@example.com").User("oldpat", email: "pat@example.com", deleted: true)
            .User("one", externalId: "g").User("two", externalId: "g").User("ann").User("ann")
            .Group("G", "pat", "pat2", "one", "two", "ann")
            .Snapshot();
        var expected = GroupFlatteningTests.Describe(Engine.Planning.ImportPlanner.Plan(snapshot, new SyncOptionsSpec(), TestDirectory.Scope));
        var random = new Random(7);

        for (var i = 0; i < 100; i++)
        {
            var plan = Engine.Planning.ImportPlanner.Plan(GroupFlatteningTests.Shuffle(snapshot, random), new SyncOptionsSpec(), TestDirectory.Scope);
            GroupFlatteningTests.Describe(plan).Should().Equal(expected);
        }
    }

    [Fact]
    public void TwoGroupsWithOneExternalIdAreBothLeftOutTheOthersAreSent()
    {
        var plan = new TestDirectory()
            .User("ann")
            .GroupWith("a", "A", true, "gid", "ann")
            .GroupWith("b", "B", true, "gid", "ann")
            .Group("C", "ann")
            .Plan();

        plan.Groups.Select(g => g.Name).Should().Equal("C");
        plan.Skipped.Should().HaveCount(2).And.OnlyContain(s =>
            s.Kind == SkippedEntryKind.Group && s.Reason.Contains("external id gid", StringComparison.Ordinal)
            && s.Reason.Contains(TestDirectory.GroupDn("a"), StringComparison.Ordinal) && s.Reason.Contains(TestDirectory.GroupDn("b"), StringComparison.Ordinal));
    }
}
