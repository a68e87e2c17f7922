using DirectoryConnector.Engine.Sources;
using DirectoryConnector.TestSupport.EntraId;
using FluentAssertions;
using Xunit;
using static DirectoryConnector.Engine.Tests.Sources.EntraId.EntraIdTestKit;

namespace DirectoryConnector.Engine.Tests.Sources.EntraId;

public sealed class EntraIdSourceTests : EntraIdStandInTest
{
    [Fact]
    public async Task Reads_users_and_groups_with_members_over_https_through_the_test_ca()
    {
        Tenant.AddUser(User("alice"));
        Tenant.AddUser(User("bob", enabled: false));
        Tenant.AddGroup(IdOf("eng"), "Engineering", IdOf("alice"), IdOf("bob"));

        var snapshot = await Source(StandIn).ReadAsync();

        Emails(snapshot).Should().Equal(Sorted("alice@contoso.com", "bob@contoso.com disabled"));
        snapshot.Users.Should().OnlyContain(u => u.ExternalId == u.ReferenceId && u.ReferenceId == IdOf(u.DisplayName.Split('@')[0]));
        var group = snapshot.Groups.Should().ContainSingle().Subject;
        group.Name.Should().Be("Engineering");
        group.ExternalId.Should().Be(IdOf("eng"));
        group.MemberReferences.Should().BeEquivalentTo(IdOf("alice"), IdOf("bob"));
        snapshot.Cursor.Should().NotBeNull();
        StandIn.TokenRequests.Should().ContainSingle("Azure.Identity caches the token for the whole read");
        StandIn.GraphRequests.Should().OnlyContain(r => r.Headers["Authorization"].StartsWith("Bearer ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_page_of_users_and_of_a_150_member_group_is_read()
    {
        StandIn.DeltaPageSize = 4;
        var ids = Enumerable.Range(0, 150).Select(i => Tenant.AddUser(User($"user{i:D3}")).Id).ToArray();
        Tenant.AddGroup(IdOf("big"), "Everyone", ids);
        Tenant.AddGroup(IdOf("small"), "Few", ids[..3]);

        var snapshot = await Source(StandIn).ReadAsync();

        snapshot.Users.Should().HaveCount(150);
        snapshot.Users.Select(u => u.ReferenceId).Should().BeInAscendingOrder(StringComparer.Ordinal);
        snapshot.Groups.Single(g => g.Name == "Everyone").MemberReferences.Should().BeEquivalentTo(ids);
        snapshot.Groups.Single(g => g.Name == "Few").MemberReferences.Should().BeEquivalentTo(ids[..3]);
        GraphRequestsTo("/users/delta").Should().BeGreaterThanOrEqualTo(38, "150 users at 4 per page");
        GraphRequestsTo("/groups/delta").Should().Be(1, "the 150 members come in two members@delta slices of one page");
    }

    [Fact]
    public async Task A_large_group_split_across_delta_pages_is_merged()
    {
        StandIn.DeltaPageSize = 1;
        StandIn.DeltaMembersPerGroupEntry = 100;
        var ids = Enumerable.Range(0, 150).Select(i => Tenant.AddUser(User($"user{i:D3}")).Id).ToArray();
        Tenant.AddGroup(IdOf("big"), "Everyone", ids);

        var snapshot = await Source(StandIn).ReadAsync();

        snapshot.Groups.Should().ContainSingle().Which.MemberReferences.Should().HaveCount(150).And.BeEquivalentTo(ids);
        GraphRequestsTo("/groups/delta").Should().Be(2);
    }

    [Fact]
    public async Task Nested_groups_are_kept_as_references_and_devices_are_not_users()
    {
        Tenant.AddUser(User("alice"));
        Tenant.AddUser(User("bob"));
        Tenant.AddObject(IdOf("device-1"), EntraObjectType.Device);
        Tenant.AddGroup(IdOf("platform"), "Platform", IdOf("bob"), IdOf("device-1"));
        Tenant.AddGroup(IdOf("eng"), "Engineering", IdOf("alice"), IdOf("platform"));

        var snapshot = await Source(StandIn).ReadAsync();

        snapshot.Groups.Single(g => g.Name == "Engineering").MemberReferences.Should().BeEquivalentTo(IdOf("alice"), IdOf("platform"));
        snapshot.Groups.Single(g => g.Name == "Platform").MemberReferences.Should().BeEquivalentTo(IdOf("bob"));
        snapshot.Users.Should().HaveCount(2);
    }

    [Fact]
    public async Task Cancellation_stops_the_read_between_pages()
    {
        StandIn.DeltaPageSize = 1;
        for (var i = 0; i < 20; i++)
        {
            Tenant.AddUser(User($"user{i}"));
        }

        using var cancellation = new CancellationTokenSource();
        var source = Source(StandIn);
        StandIn.FailNext(1, 503, retryAfter: "30");
        var read = source.ReadAsync(new DirectoryQuery(true, true, false), cancellation.Token);
        await Task.Delay(500);
        await cancellation.CancelAsync();

        await read.Invoking(r => r).Should().ThrowAsync<OperationCanceledException>();
    }

    private static string[] Sorted(params string[] values) => [.. values.Order(StringComparer.Ordinal)];
}
