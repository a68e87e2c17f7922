using DirectoryConnector.Engine.Sources;
using DirectoryConnector.TestSupport.EntraId;
using FluentAssertions;
using Xunit;
using static DirectoryConnector.Engine.Tests.Sources.EntraId.EntraIdTestKit;

namespace DirectoryConnector.Engine.Tests.Sources.EntraId;

public sealed class EntraIdSourceTests : IAsyncLifetime
{
    private EntraIdStandIn standIn = null!;

    public async Task InitializeAsync() => standIn = await EntraIdStandIn.StartAsync();

    public async Task DisposeAsync() => await standIn.DisposeAsync();

    [Fact]
    public async Task Reads_users_and_groups_with_members_over_https_through_the_test_ca()
    {
        standIn.Tenant.AddUser(User("alice"));
        standIn.Tenant.AddUser(User("bob", enabled: false));
        standIn.Tenant.AddGroup(IdOf("eng"), "Engineering", IdOf("alice"), IdOf("bob"));

        var snapshot = await Source(standIn).ReadAsync();

        Emails(snapshot).Should().BeEquivalentTo("alice@contoso.com", "bob@contoso.com disabled");
        snapshot.Groups.Should().ContainSingle().Which.MemberReferences.Should().BeEquivalentTo(IdOf("alice"), IdOf("bob"));
        snapshot.Cursor.Should().NotBeNull();
        standIn.TokenRequests.Should().ContainSingle();
    }
}
