// Test names are sentences.

using System.Text.Json;
using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.Bitwarden;
using FluentAssertions;
using Xunit;
using static DirectoryConnector.Engine.Tests.Bitwarden.BitwardenTestKit;

namespace DirectoryConnector.Engine.Tests.Bitwarden;

/// <summary>Plans → request builder → client → stand-in organization, asserting the organization after each sync.</summary>
public class ImportSequenceTests
{
    [Fact]
    public async Task A_sequence_of_directory_changes_ends_in_the_expected_organization()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        var org = standIn.Organization;
        var owner = org.AddMember("owner@corp.example.com", "uid=owner,ou=People", StandInMemberType.Owner);
        var dave = org.AddMember("dave@corp.example.com"); // invited by hand before the connector existed
        var client = Client();

        // 1: first sync adds everyone and links dave by email.
        await SyncAsync(client, standIn, Plan(
            [PlannedMember("ann"), PlannedMember("bob"), PlannedMember("carol"), PlannedMember("dave")],
            [PlannedGroup("Dev", "cn=Dev", "ann", "bob"), PlannedGroup("Ops", "cn=Ops", "carol", "dave")]));

        MemberSummary(standIn).Should().Equal("ann@corp.example.com Invited", "bob@corp.example.com Invited", "carol@corp.example.com Invited",
            "dave@corp.example.com Confirmed", "owner@corp.example.com Confirmed");
        org.MemberByExternalId("uid=dave,ou=People")!.Id.Should().Be(dave.Id, "an existing member is linked, not invited again");
        GroupSummary(standIn).Should().Equal("Dev: uid=ann,ou=People uid=bob,ou=People", "Ops: uid=carol,ou=People uid=dave,ou=People");
        var devId = org.GroupByExternalId("cn=Dev")!.Id;

        // 2: bob is disabled with removeDisabled (sent as deleted), Dev is renamed and loses bob.
        await SyncAsync(client, standIn, Plan(
            [PlannedMember("ann"), PlannedMember("bob", disabled: true, deleted: true), PlannedMember("carol"), PlannedMember("dave")],
            [PlannedGroup("Developers", "cn=Dev", "ann"), PlannedGroup("Ops", "cn=Ops", "carol", "dave")]));

        MemberSummary(standIn).Should().NotContain(m => m.StartsWith("bob@", StringComparison.Ordinal));
        org.Members.Should().HaveCount(4);
        GroupSummary(standIn).Should().Equal("Developers: uid=ann,ou=People", "Ops: uid=carol,ou=People uid=dave,ou=People");
        org.GroupByExternalId("cn=Dev")!.Id.Should().Be(devId, "a rename keeps the group");

        // 3: carol left; overwriteExisting would remove her, but she never set a master password: the server refuses.
        var overwrite = Plan([PlannedMember("ann"), PlannedMember("dave")], [PlannedGroup("Developers", "cn=Dev", "ann")], overwrite: true);
        var act = () => SyncAsync(client, standIn, overwrite);

        var failure = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.BitwardenImportFailed);
        failure.Message.Should().Contain(StandInOrganization.SyncFailedMessage.TrimEnd('.'));
        org.MemberByExternalId("uid=carol,ou=People").Should().NotBeNull();

        // 4: once she has accepted, the overwrite removes her; the owner stays and groups are never deleted.
        org.SetStatus(org.MemberByExternalId("uid=carol,ou=People")!.Id, StandInMemberStatus.Confirmed, hasMasterPassword: true);
        await SyncAsync(client, standIn, overwrite);

        MemberSummary(standIn).Should().Equal("ann@corp.example.com Invited", "dave@corp.example.com Confirmed", "owner@corp.example.com Confirmed");
        org.Members.Should().Contain(m => m.Id == owner.Id);
        GroupSummary(standIn).Should().Equal("Developers: uid=ann,ou=People", "Ops: uid=dave,ou=People");
    }

    [Fact]
    public async Task Batches_of_4500_members_and_2500_groups_arrive_members_first_paced_under_the_rate_limit()
    {
        // Five POSTs never exceed the cloud's 5 per second, so a stricter limit shows that pacing is what keeps them under it.
        await using var standIn = await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { SelfHosted = false, RateLimitPerSecond = 2 });
        var names = Enumerable.Range(0, 4500).Select(i => $"user{i:D4}").ToArray();
        var plan = Plan(names.Select(n => PlannedMember(n)),
            Enumerable.Range(0, 2500).Select(i => PlannedGroup($"Team {i:D4}", $"cn=Team {i:D4}", names[i], names[i + 1])));
        var options = FastOptions();
        options.PostsPerSecond = 2;
        options.PaceEveryServer = true;

        await Client(options).ImportAsync(Endpoints(standIn), Key(standIn), ImportRequestBuilder.Build(plan, true, true, true), CancellationToken.None);

        var imports = standIn.ImportRequests;
        imports.Should().OnlyContain(r => r.StatusCode == 200, "paced POSTs never hit the limit");
        imports.Select(r => JsonDocument.Parse(r.Body).RootElement)
            .Select(b => (b.GetProperty("members").GetArrayLength(), b.GetProperty("groups").GetArrayLength(), b.GetProperty("largeImport").GetBoolean()))
            .Should().Equal((2000, 0, true), (2000, 0, true), (500, 0, true), (0, 2000, true), (0, 500, true));
        standIn.Organization.Members.Should().HaveCount(4500);
        standIn.Organization.Groups.Should().HaveCount(2500);
        standIn.Organization.MemberExternalIdsOf(standIn.Organization.GroupByExternalId("cn=Team 2499")!)
            .Should().Equal("uid=user2499,ou=People", "uid=user2500,ou=People");
    }

    [Fact]
    public async Task The_cloud_refuses_more_than_2000_entries_without_large_import()
    {
        await using var standIn = await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { SelfHosted = false });
        var request = Request(Enumerable.Range(0, 2001).Select(i => Member($"user{i}")));

        var act = () => Client().ImportAsync(Endpoints(standIn), Key(standIn), [request], CancellationToken.None);

        (await act.Should().ThrowAsync<SyncFailedException>()).Which.Message.Should().Contain("You cannot import this much data at once");
        standIn.Organization.Members.Should().BeEmpty();
    }

    private static Task SyncAsync(BitwardenClient client, BitwardenStandIn standIn, ImportPlan plan) =>
        client.ImportAsync(Endpoints(standIn), Key(standIn), ImportRequestBuilder.Build(plan, true, true, true), CancellationToken.None);
}
