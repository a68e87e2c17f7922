using FluentAssertions;
using Xunit;
using static DirectoryConnector.Engine.Tests.Sources.EntraId.EntraIdTestKit;

namespace DirectoryConnector.Engine.Tests.Sources.EntraId;

public sealed class EntraIdDeltaTests : EntraIdStandInTest
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        SeedTeam();
    }

    [Fact]
    public async Task A_round_with_no_change_is_unchanged_and_lists_nothing()
    {
        var source = Source(StandIn);
        var first = await source.ReadAsync();
        var before = StandIn.GraphRequests.Count;

        var second = await source.ReadAsync(first.Cursor);

        second.Unchanged.Should().BeTrue();
        second.Users.Should().BeEmpty();
        second.Groups.Should().BeEmpty();
        second.Cursor.Should().NotBeNull();
        var requests = StandIn.GraphRequests.Skip(before).ToList();
        requests.Should().HaveCount(2, "one delta page per resource, no full listing");
        requests.Should().OnlyContain(r => r.Body.Contains("$deltatoken=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_change_makes_a_full_read_with_a_reason_and_a_fresh_cursor()
    {
        var source = Source(StandIn);
        var first = await source.ReadAsync();
        Tenant.UpdateUser(IdOf("carol"), u => u with { AccountEnabled = false });

        var second = await source.ReadAsync(first.Cursor);

        second.Unchanged.Should().BeFalse();
        second.FullReadReason.Should().Contain("changed");
        Emails(second).Should().Contain("carol@contoso.com disabled").And.HaveCount(5);
        var third = await source.ReadAsync(second.Cursor);
        third.Unchanged.Should().BeTrue("the full read's cursor starts after the change");
    }

    [Fact]
    public async Task A_membership_change_alone_is_a_change()
    {
        var source = Source(StandIn);
        var first = await source.ReadAsync();
        Tenant.AddMember(IdOf("eng"), IdOf("dave"));

        var second = await source.ReadAsync(first.Cursor);

        second.Unchanged.Should().BeFalse();
        second.Groups.Single().MemberReferences.Should().BeEquivalentTo(IdOf("alice"), IdOf("bob"), IdOf("dave"));
    }

    [Fact]
    public async Task A_user_deleted_in_the_directory_is_sent_as_deleted_with_the_address_it_had()
    {
        var source = Source(StandIn);
        var first = await source.ReadAsync();
        Tenant.DeleteUser(IdOf("bob"));

        var second = await source.ReadAsync(first.Cursor);

        var bob = second.Users.Single(u => u.ReferenceId == IdOf("bob"));
        bob.Deleted.Should().BeTrue();
        bob.ExternalId.Should().Be(IdOf("bob"));
        bob.Email.Should().Be("bob@contoso.com");
        second.Groups.Single().MemberReferences.Should().BeEquivalentTo(IdOf("alice"));
    }

    [Fact]
    public async Task An_expired_delta_link_makes_one_full_read_that_says_so()
    {
        var source = Source(StandIn);
        var first = await source.ReadAsync();
        Tenant.ExpireDeltaLinks();

        var second = await source.ReadAsync(first.Cursor);

        second.Unchanged.Should().BeFalse();
        second.FullReadReason.Should().Contain("expired").And.Contain("syncStateNotFound");
        second.Users.Should().HaveCount(5);
        StandIn.GraphRequests.Count(r => r.StatusCode == 400).Should().Be(1);
        (await source.ReadAsync(second.Cursor)).Unchanged.Should().BeTrue();
    }

    [Fact]
    public async Task A_cursor_from_elsewhere_is_not_trusted()
    {
        var snapshot = await Source(StandIn).ReadAsync("ldap.v1:12345");

        snapshot.Unchanged.Should().BeFalse();
        snapshot.FullReadReason.Should().NotBeNullOrEmpty();
        snapshot.Users.Should().HaveCount(5);
    }

    [Fact]
    public async Task A_users_only_sync_tracks_groups_when_the_user_filter_depends_on_them()
    {
        var source = Source(StandIn, users: "includeGroup:" + IdOf("eng"));
        var first = await source.ReadAsync(groups: false);
        Tenant.AddMember(IdOf("eng"), IdOf("erin"));

        var second = await source.ReadAsync(first.Cursor, groups: false);

        second.Unchanged.Should().BeFalse();
        second.Users.Select(u => u.ReferenceId).Should().BeEquivalentTo(IdOf("alice"), IdOf("bob"), IdOf("erin"));
    }
}
