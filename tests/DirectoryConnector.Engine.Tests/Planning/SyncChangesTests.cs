// Test names are sentences.

using DirectoryConnector.Engine.Bitwarden.Organization;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Planning;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Planning;

/// <summary>What a sync reports it changed, from the plan and the organization read: re-enabled members and who joins
/// and leaves each group, not only added and removed.</summary>
public sealed class SyncChangesTests
{
    private static readonly SyncOptionsSpec RemoveDisabled = new() { RemoveDisabled = true, Prune = true, MaxDeletions = "100%" };

    private static OrganizationMember Member(string name, int status = 2)
        => new(Guid.NewGuid(), $"{name}@example.com", TestDirectory.UserDn(name), Type: 2, status);

    private static OrganizationPlan Plan(TestDirectory directory, OrganizationSnapshot organization, IReadOnlyCollection<string>? removedDisabled = null)
    {
        var ids = organization.Members.Select(m => m.ExternalId!).ToList();
        return OrganizationPlanner.Plan(directory.Plan(RemoveDisabled), organization, RemoveDisabled, ids,
            [.. organization.Groups.Select(g => g.ExternalId!)], removedDisabled);
    }

    [Fact]
    public void A_member_removed_because_disabled_and_enabled_again_is_re_enabled_not_added()
    {
        var ann = Member("ann");
        var ben = Member("ben");
        var organization = new OrganizationSnapshot { Members = [ann, ben], Groups = [] };

        // Ben is disabled: removed, and remembered as removed-because-disabled.
        var disabled = Plan(new TestDirectory().User("ann").User("ben", disabled: true), organization);
        disabled.Changes.Removed.Should().Equal("ben@example.com");
        disabled.RemovedDisabled.Should().Equal(TestDirectory.UserDn("ben"));

        // Still disabled a sync later: still remembered (nothing else to do).
        var without = new OrganizationSnapshot { Members = [ann], Groups = [] };
        var still = Plan(new TestDirectory().User("ann").User("ben", disabled: true), without, disabled.RemovedDisabled);
        still.RemovedDisabled.Should().Equal(TestDirectory.UserDn("ben"));
        still.Changes.Any.Should().BeFalse();

        // Enabled again, with a newcomer: Ben is re-enabled, Cat added.
        var enabled = Plan(new TestDirectory().User("ann").User("ben").User("cat"), without, still.RemovedDisabled);
        enabled.Changes.ReEnabled.Should().Equal("ben@example.com");
        enabled.Changes.Added.Should().Equal("cat@example.com");
        enabled.Changes.Summary().Should().Be("1 added, 1 re-enabled");
        enabled.RemovedDisabled.Should().BeEmpty("Ben is no longer disabled");
    }

    [Fact]
    public void A_user_deleted_from_the_directory_is_forgotten_as_removed_because_disabled()
    {
        var organization = new OrganizationSnapshot { Members = [Member("ann")], Groups = [] };

        var plan = Plan(new TestDirectory().User("ann"), organization, [TestDirectory.UserDn("ben")]);

        plan.RemovedDisabled.Should().BeEmpty("the directory no longer lists Ben as disabled; if it lists him again he is new");
    }

    [Fact]
    public void Members_moved_between_groups_are_listed_per_group_with_who_joined_and_who_left()
    {
        var (ann, ben, cat, dan) = (Member("ann"), Member("ben"), Member("cat"), Member("dan"));
        var dev = new OrganizationGroup(Guid.NewGuid(), "Dev", TestDirectory.GroupDn("Dev"));
        var ops = new OrganizationGroup(Guid.NewGuid(), "Ops", TestDirectory.GroupDn("Ops"));
        var organization = new OrganizationSnapshot
        {
            Members = [ann, ben, cat, dan],
            Groups = [dev, ops],
            GroupMemberIds = new Dictionary<Guid, IReadOnlyList<Guid>> { [dev.Id] = [ann.Id, ben.Id], [ops.Id] = [cat.Id, dan.Id] },
        };

        // Ben moves from Dev to Ops, Dan leaves the company (and so Ops), Eve joins Dev, and a new group QA gets Cat.
        var directory = new TestDirectory().User("ann").User("ben").User("cat").User("eve")
            .Group("Dev", "ann", "eve").Group("Ops", "ben", "cat").Group("QA", "cat");

        var changes = Plan(directory, organization).Changes;

        changes.GroupMemberships.Should().BeEquivalentTo(new[]
        {
            new GroupMembershipChange("Dev", ["eve@example.com"], ["ben@example.com"]),
            new GroupMembershipChange("Ops", ["ben@example.com"], ["dan@example.com"]),
            new GroupMembershipChange("QA", ["cat@example.com"], []),
        }, o => o.WithStrictOrdering());
        changes.GroupMemberships[0].ToString().Should().Be("Dev: +eve@example.com, -ben@example.com");
        changes.GroupMembersAdded.Should().Be(3);
        changes.GroupMembersRemoved.Should().Be(2);
        changes.GroupMembershipsComplete.Should().BeTrue();
        changes.Summary().Should().Be("1 added, 1 removed, 3 added to groups, 2 removed from groups, 1 group created");
    }

    [Fact]
    public void Unchanged_groups_are_not_listed_and_unread_groups_make_the_list_incomplete()
    {
        var ann = Member("ann");
        var dev = new OrganizationGroup(Guid.NewGuid(), "Dev", TestDirectory.GroupDn("Dev"));
        var ops = new OrganizationGroup(Guid.NewGuid(), "Ops", TestDirectory.GroupDn("Ops"));
        var directory = new TestDirectory().User("ann").Group("Dev", "ann").Group("Ops", "ann");

        var read = new OrganizationSnapshot { Members = [ann], Groups = [dev, ops], GroupMemberIds = new Dictionary<Guid, IReadOnlyList<Guid>> { [dev.Id] = [ann.Id], [ops.Id] = [ann.Id] } };
        Plan(directory, read).Changes.Should().BeEquivalentTo(new { GroupMemberships = Array.Empty<GroupMembershipChange>(), GroupMembershipsComplete = true, Any = false });

        var partly = new OrganizationSnapshot { Members = [ann], Groups = [dev, ops], GroupMemberIds = new Dictionary<Guid, IReadOnlyList<Guid>> { [dev.Id] = [] } };
        var changes = Plan(directory, partly).Changes;
        changes.GroupMemberships.Should().ContainSingle().Which.Should().BeEquivalentTo(new GroupMembershipChange("Dev", ["ann@example.com"], []));
        changes.GroupMembershipsComplete.Should().BeFalse("Ops was not read");

        var notRead = new OrganizationSnapshot { Members = [ann], Groups = [dev, ops] };
        Plan(directory, notRead).Changes.GroupMembershipsComplete.Should().BeTrue("a sync that posts no groups changes no membership");
    }

    [Fact]
    public void Only_up_to_the_read_limit_of_existing_groups_are_read()
    {
        var directory = new TestDirectory().User("ann");
        var groups = new List<OrganizationGroup>();
        for (var i = 0; i <= OrganizationPlanner.MaxGroupMembershipReads; i++)
        {
            directory.Group($"G{i:000}", "ann");
            groups.Add(new OrganizationGroup(Guid.NewGuid(), $"G{i:000}", TestDirectory.GroupDn($"G{i:000}")));
        }

        var plan = directory.Plan(RemoveDisabled);
        OrganizationPlanner.GroupsToRead(plan, new OrganizationSnapshot { Members = [], Groups = groups }).Should().BeEmpty();
        OrganizationPlanner.GroupsToRead(plan, new OrganizationSnapshot { Members = [], Groups = groups[1..] }).Should().HaveCount(OrganizationPlanner.MaxGroupMembershipReads);
    }
}
