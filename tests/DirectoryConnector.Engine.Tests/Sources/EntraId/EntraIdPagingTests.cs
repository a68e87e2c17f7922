using DirectoryConnector.Engine.Sync;
using FluentAssertions;
using Xunit;
using static DirectoryConnector.Engine.Tests.Sources.EntraId.EntraIdTestKit;

namespace DirectoryConnector.Engine.Tests.Sources.EntraId;

/// <summary>Every page, asserted on the Bitwarden stand-in: a 150-member group whose members@delta comes in slices of
/// 100 on separate delta pages (the original connector's first version kept only the first 100 members), users one
/// per delta page, and transitiveMembers followed through @odata.nextLink.</summary>
public sealed class EntraIdPagingTests : EntraIdOrganizationTest
{
    private string[] ids = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        StandIn.DeltaPageSize = 1;
        StandIn.DeltaMembersPerGroupEntry = 100;
        ids = [.. Enumerable.Range(0, 150).Select(i => Tenant.AddUser(User($"user{i:D3}")).Id)];
        Tenant.AddUser(User("outsider"));
        Tenant.AddGroup(IdOf("everyone"), "Everyone", ids);
    }

    private static IEnumerable<string> Members => Enumerable.Range(0, 150).Select(i => $"user{i:D3}");

    [Fact]
    public async Task A_150_member_group_reaches_the_organization_whole()
    {
        var outcome = await SyncAsync();

        outcome.Result.Should().Be(SyncResult.Synced);
        Organization().Should().Equal([.. Members.Append("outsider").Order(StringComparer.Ordinal).Select(n => $"{n}@contoso.com"), "Everyone: " + string.Join(' ', Members)]);
        GraphRequestsTo("/users/delta").Should().Be(151, "one user per page");
        GraphRequestsTo("/groups/delta").Should().Be(2, "the group repeats on two pages, 100 and 50 members");
    }

    [Fact]
    public async Task IncludeGroup_reads_every_page_of_transitive_members()
    {
        StandIn.MaxMemberPageSize = 50;

        await SyncAsync(SyncSpec(users: "includeGroup:" + IdOf("everyone")));

        Organization().Should().Equal([.. Members.Select(n => $"{n}@contoso.com"), "Everyone: " + string.Join(' ', Members)]);
        GraphRequestsTo("/transitiveMembers").Should().Be(3, "150 members at most 50 a page");
    }
}
