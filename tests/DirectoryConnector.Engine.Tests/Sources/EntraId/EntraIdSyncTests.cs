using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.EntraId;
using FluentAssertions;
using Xunit;
using static DirectoryConnector.Engine.Tests.Sources.EntraId.EntraIdTestKit;

namespace DirectoryConnector.Engine.Tests.Sources.EntraId;

/// <summary>The engine reading the Entra ID stand-in through the real SDK (delta rounds between syncs) and posting to
/// the Bitwarden stand-in: after each change set, the organization equals the directory, written out in full.</summary>
public sealed class EntraIdSyncTests : EntraIdOrganizationTest
{
    private static readonly string LongName = new('x', 120);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        StandIn.DeltaPageSize = 3;
        foreach (var name in new[] { "alice", "bob", "carol" })
        {
            Tenant.AddUser(User(name));
        }

        // A diamond: Everyone reaches Platform directly and through Engineering.
        Tenant.AddGroup(IdOf("platform"), "Platform", IdOf("bob"), IdOf("carol"));
        Tenant.AddGroup(IdOf("eng"), "Engineering", IdOf("alice"), IdOf("platform"));
        Tenant.AddGroup(IdOf("everyone"), "Everyone", IdOf("eng"), IdOf("platform"));
        Tenant.AddGroup(IdOf("sales"), "Sales", IdOf("bob"));
        Tenant.AddGroup(IdOf("long"), LongName, IdOf("alice"));
    }

    private static readonly string[] Initial =
    [
        "alice@contoso.com", "bob@contoso.com", "carol@contoso.com",
        "Engineering: alice bob carol", "Everyone: alice bob carol", "Platform: bob carol", "Sales: bob",
    ];

    [Fact]
    public async Task After_each_change_set_the_organization_equals_the_directory()
    {
        var first = await SyncAsync(Spec());
        first.Plan!.Skipped.Should().ContainSingle(s => s.Entry == LongName && s.Kind == SkippedEntryKind.Group)
            .Which.Reason.Should().Contain("100");
        Organization().Should().Equal(Initial, "the 120-character group is skipped and reported while the rest syncs");

        // add
        Tenant.AddUser(User("dave"));
        Tenant.AddMember(IdOf("platform"), IdOf("dave"));
        await SyncAsync(Spec());
        Organization().Should().Equal(
            "alice@contoso.com", "bob@contoso.com", "carol@contoso.com", "dave@contoso.com",
            "Engineering: alice bob carol dave", "Everyone: alice bob carol dave", "Platform: bob carol dave", "Sales: bob");

        // disable (removeDisabled is on)
        Tenant.UpdateUser(IdOf("carol"), u => u with { AccountEnabled = false });
        await SyncAsync(Spec());
        Organization().Should().Equal(
            "alice@contoso.com", "bob@contoso.com", "dave@contoso.com",
            "Engineering: alice bob dave", "Everyone: alice bob dave", "Platform: bob dave", "Sales: bob");

        // move alice from Engineering (and so Everyone) to Sales
        Tenant.RemoveMember(IdOf("eng"), IdOf("alice"));
        Tenant.AddMember(IdOf("sales"), IdOf("alice"));
        await SyncAsync(Spec());
        Organization().Should().Equal(
            "alice@contoso.com", "bob@contoso.com", "dave@contoso.com",
            "Engineering: bob dave", "Everyone: bob dave", "Platform: bob dave", "Sales: alice bob");

        // rename: the same Bitwarden group (matched by external id), under its new name
        var platform = Bitwarden.Organization.GroupByExternalId(IdOf("platform"))!.Id;
        Tenant.RenameGroup(IdOf("platform"), "Platform Team");
        await SyncAsync(Spec());
        Organization().Should().Equal(
            "alice@contoso.com", "bob@contoso.com", "dave@contoso.com",
            "Engineering: bob dave", "Everyone: bob dave", "Platform Team: bob dave", "Sales: alice bob");
        Bitwarden.Organization.GroupByExternalId(IdOf("platform"))!.Id.Should().Be(platform);

        // delete: users/delta reports bob @removed; he is sent as deleted by his external id and leaves every group
        Tenant.DeleteUser(IdOf("bob"));
        var deleted = await SyncAsync(Spec());
        deleted.Plan!.Members.Should().ContainSingle(m => m.ExternalId == IdOf("bob")).Which.Deleted.Should().BeTrue();
        Organization().Should().Equal(
            "alice@contoso.com", "dave@contoso.com",
            "Engineering: dave", "Everyone: dave", "Platform Team: dave", "Sales: alice");

        // change mail: the same member (Bitwarden matches it by external id, the object id, and never rewrites the
        // address of a member that has one), not a second invitation
        Tenant.UpdateUser(IdOf("dave"), u => u with { Mail = "david@contoso.com" });
        var changed = await SyncAsync(Spec());
        changed.Requests.SelectMany(r => r.Members).Should().Contain(m => m.Email == "david@contoso.com" && m.ExternalId == IdOf("dave"));
        Bitwarden.Organization.Members.Should().ContainSingle(m => m.ExternalId == IdOf("dave"));
        Organization().Should().Equal(
            "alice@contoso.com", "dave@contoso.com",
            "Engineering: dave", "Everyone: dave", "Platform Team: dave", "Sales: alice");

        (await SyncAsync(Spec())).SourceUnchanged.Should().BeTrue("each full read after a change leaves a fresh delta link");
    }

    [Fact]
    public async Task A_throttled_sync_ends_with_the_organization_an_unthrottled_one_gives()
    {
        StandIn.FailNext(1, 503, EntraGraphEndpoint.Token, retryAfter: "0");
        StandIn.FailNext(2, 429, retryAfter: "0");
        StandIn.FailNext(1, 503, retryAfter: "0");

        var outcome = await SyncAsync(Spec());

        outcome.Result.Should().Be(SyncResult.Synced);
        Organization().Should().Equal(Initial);
        StandIn.TokenRequests.Select(r => r.StatusCode).Should().Equal(503, 200);
        StandIn.GraphRequests.Take(3).Select(r => r.StatusCode).Should().Equal(429, 429, 503);
    }

    private Engine.Configuration.DirectorySyncSpec Spec() => SyncSpec(sync: s => s.RemoveDisabled = true);
}
