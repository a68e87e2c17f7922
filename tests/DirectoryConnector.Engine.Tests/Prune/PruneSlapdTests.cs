// Test names are sentences.

using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.Bitwarden;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Prune;

/// <summary>
/// spec.sync.prune, the deletion guard, conflicts and change reporting with the LDAP source on a real slapd (a suffix
/// of its own, with the ppolicy overlay for OpenLDAP's administrative lock), through the engine and the Bitwarden
/// stand-in. Each test is a sequence of directory changes; after each sync the organization must equal the directory.
/// slapd runs without the refint overlay, so each rename also rewrites the group values that name the entry, as refint would.
/// </summary>
public sealed class PruneSlapdTests : IAsyncLifetime
{
    private const string Suffix = "dc=prune,dc=test";
    private const string Locked = "000001010000Z";

    private static readonly string[] OrganizationalUnits = ["People", "Contractors", "Groups", "Eng", "Sales"];

    private readonly SlapdSuffix suffix = new(Suffix, "prune-admin-secret");
    private SlapdServer server = null!;
    private PruneHarness harness = null!;

    public async Task InitializeAsync()
    {
        server = await SlapdServer.StartAsync([suffix], passwordPolicy: true);
        await server.AddLdifAsync(suffix, string.Join('\n', OrganizationalUnits.Select(ou => $"dn: ou={ou},{Suffix}\nobjectClass: organizationalUnit\nou: {ou}\n")));
        harness = await PruneHarness.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await harness.DisposeAsync();
        await server.DisposeAsync();
    }

    /// <summary>Users below <paramref name="userPath"/> (the whole suffix by default), groupOfNames below <paramref name="groupPath"/>.</summary>
    private LdapSpecSource Source(string? userPath = null, string? groupPath = "ou=Groups", string? externalId = "entryUUID") => new(new LdapSourceSpec
    {
        Hostname = SlapdServer.Host,
        Port = server.LdapPort,
        RootPath = Suffix,
        UserPath = userPath,
        GroupPath = groupPath,
        Username = suffix.AdminDn,
        PasswordSecretRef = new SecretKeyRef { Name = "bind", Key = "password" },
        ExternalIdAttribute = externalId,
    }, suffix.AdminPassword);

    private static string Person(string cn, string ou, string? mail = null, bool locked = false)
        => $"dn: cn={cn},ou={ou},{Suffix}\nobjectClass: inetOrgPerson\ncn: {cn}\nsn: {cn}\nmail: {mail ?? cn.ToLowerInvariant() + "@prune.test"}\n"
           + (locked ? $"pwdAccountLockedTime: {Locked}\n" : "");

    private static string User(string cn, string ou = "People") => $"cn={cn},ou={ou},{Suffix}";

    private static string Group(string cn, params string[] members)
        => $"dn: cn={cn},ou=Groups,{Suffix}\nobjectClass: groupOfNames\ncn: {cn}\n" + string.Concat(members.Select(m => $"member: {m}\n"));

    private static string SetMembers(string group, params string[] members)
        => $"dn: cn={group},ou=Groups,{Suffix}\nchangetype: modify\nreplace: member\n" + string.Concat(members.Select(m => $"member: {m}\n")) + "-\n";

    private Task ChangeAsync(params string[] records) => server.ModifyAsync(suffix, string.Join('\n', records));

    [Fact]
    public async Task Deleted_locked_renamed_and_moved_users_and_renamed_deleted_and_emptied_groups_keep_the_organization_equal_to_the_directory()
    {
        await server.AddLdifAsync(suffix, string.Join('\n',
            Person("Ann", "People"), Person("Ben", "People"), Person("Cat", "People"), Person("Dan", "People"), Person("Eve", "People"),
            Group("Dev", User("Ann"), User("Ben")), Group("Ops", User("Cat")), Group("QA", User("Dan")),
            Group("Everyone", User("Ann"), User("Ben"), User("Cat"), User("Dan"), User("Eve"))));
        var source = Source();
        var spec = harness.Spec(source, maxDeletions: "1", sync: s => s.RemoveDisabled = true);

        // 1. First sync: everyone invited. Ann and Ben accept; the others stay pending invites.
        var first = await harness.SyncAsync("corp", spec, source.Create());
        first.Changes!.Added.Should().HaveCount(5);
        harness.Groups().Should().Equal(
            "Dev: ann@prune.test ben@prune.test", "Everyone: ann@prune.test ben@prune.test cat@prune.test dan@prune.test eve@prune.test",
            "Ops: cat@prune.test", "QA: dan@prune.test");
        foreach (var member in harness.Organization.Members.Where(m => m.Email is "ann@prune.test" or "ben@prune.test"))
        {
            harness.Organization.SetStatus(member.Id, StandInMemberStatus.Confirmed, hasMasterPassword: true);
        }

        var ids = harness.Organization.Members.ToDictionary(m => m.Email, m => m.Id);
        var opsGroup = harness.Organization.Groups.Single(g => g.Name == "Ops").Id;

        // 2. Dan is deleted, Eve locked (ppolicy's administrative lock), Ben renamed, Cat moved to Contractors,
        //    Ann moves from Dev to Ops, Ops is renamed SRE and QA is deleted.
        await ChangeAsync(
            $"dn: {User("Dan")}\nchangetype: delete\n",
            $"dn: {User("Eve")}\nchangetype: modify\nadd: pwdAccountLockedTime\npwdAccountLockedTime: {Locked}\n-\n",
            $"dn: {User("Ben")}\nchangetype: modrdn\nnewrdn: cn=Benjamin\ndeleteoldrdn: 1\n",
            $"dn: {User("Cat")}\nchangetype: modrdn\nnewrdn: cn=Cat\ndeleteoldrdn: 1\nnewsuperior: ou=Contractors,{Suffix}\n",
            $"dn: cn=QA,ou=Groups,{Suffix}\nchangetype: delete\n",
            SetMembers("Dev", User("Benjamin")),
            SetMembers("Ops", User("Cat", "Contractors"), User("Ann")),
            $"dn: cn=Ops,ou=Groups,{Suffix}\nchangetype: modrdn\nnewrdn: cn=SRE\ndeleteoldrdn: 1\n",
            SetMembers("Everyone", User("Ann"), User("Benjamin"), User("Cat", "Contractors"), User("Eve")));

        // Two removals and one group deletion against maxDeletions 1: the guard stops it, nothing is posted.
        var stopped = await harness.FailAsync("corp", spec, source.Create());
        stopped.Reason.Should().Be(SyncFailureReason.DeletionGuardTriggered);
        stopped.DeletionGuard!.Should().BeEquivalentTo(new { MemberRemovals = 2, MemberLimit = 1, GroupDeletions = 1 });
        stopped.DeletionGuard!.Sample.Should().Contain(s => s.StartsWith("dan@prune.test", StringComparison.Ordinal))
            .And.Contain(s => s.StartsWith("eve@prune.test", StringComparison.Ordinal)).And.Contain("group QA");
        harness.Organization.Members.Should().HaveCount(5);
        harness.StandIn.ImportRequests.Should().HaveCount(1);

        // Approved by its plan hash, that plan runs once.
        var second = await harness.SyncAsync("corp", spec, source.Create(), approve: stopped.DeletionGuard.PlanHash);

        harness.Organization.Members.Select(m => $"{m.Email} {m.Status}").Order(StringComparer.Ordinal).Should().Equal(
            "ann@prune.test Confirmed", "ben@prune.test Confirmed", "cat@prune.test Invited");
        harness.Organization.Members.Select(m => m.Id).Should().BeEquivalentTo([ids["ann@prune.test"], ids["ben@prune.test"], ids["cat@prune.test"]],
            "entryUUID survives a rename and a move: the same members stay");
        harness.Groups().Should().Equal("Dev: ben@prune.test", "Everyone: ann@prune.test ben@prune.test cat@prune.test", "SRE: ann@prune.test cat@prune.test");
        harness.Organization.Groups.Single(g => g.Name == "SRE").Id.Should().Be(opsGroup, "a group whose entryUUID stays is renamed in place");
        second.ApprovedDeletions.Should().Be(stopped.DeletionGuard.PlanHash);
        second.Changes!.Removed.Should().Equal("dan@prune.test", "eve@prune.test");
        second.Changes.Added.Should().BeEmpty();
        second.Changes.GroupsRenamed.Should().Equal("Ops → SRE");
        second.Changes.GroupsDeleted.Should().Equal("QA");
        second.Changes.GroupMemberships.Select(g => g.ToString()).Should().Equal(
            "Dev: -ann@prune.test",
            "Everyone: -dan@prune.test, -eve@prune.test",
            "SRE: +ann@prune.test");

        // 3. Eve is unlocked and Dev emptied (groupOfNames needs a member: a placeholder that is no user, as administrators do).
        await server.AddLdifAsync(suffix, $"dn: cn=placeholder,ou=Groups,{Suffix}\nobjectClass: organizationalRole\ncn: placeholder\n");
        await ChangeAsync(
            $"dn: {User("Eve")}\nchangetype: modify\ndelete: pwdAccountLockedTime\n-\n",
            SetMembers("Dev", $"cn=placeholder,ou=Groups,{Suffix}"));
        var third = await harness.SyncAsync("corp", spec, source.Create());

        third.Changes!.ReEnabled.Should().Equal("eve@prune.test");
        third.Changes.Added.Should().BeEmpty();
        third.Changes.GroupMemberships.Select(g => g.ToString()).Should().Equal("Dev: -ben@prune.test", "Everyone: +eve@prune.test");
        harness.MemberEmails().Should().Equal("ann@prune.test", "ben@prune.test", "cat@prune.test", "eve@prune.test");
        harness.Groups().Should().Equal("Dev: ", "Everyone: ann@prune.test ben@prune.test cat@prune.test eve@prune.test", "SRE: ann@prune.test cat@prune.test");
        third.Plan!.Skipped.Should().Contain(s => (s.Entry + s.Reason).Contains("cn=placeholder", StringComparison.OrdinalIgnoreCase), "the placeholder is named as left out");

        // 4. Nothing changed: nothing posted, nothing left to prune.
        (await harness.SyncAsync("corp", spec, source.Create())).Result.Should().Be(SyncResult.UpToDate);
    }

    [Fact]
    public async Task With_dn_external_ids_a_rename_or_move_replaces_the_member_and_two_directory_syncs_never_prune_each_other()
    {
        await server.AddLdifAsync(suffix, string.Join('\n',
            Person("Ann", "Eng"), Person("Ben", "Eng"), Person("Sam", "Sales", "sam@prune.test"), Person("Sue", "Sales", "sue@prune.test")));
        // Default external ids: the DN, as OpenLDAP users of the original connector have them.
        var engineering = Source(userPath: "ou=Eng", externalId: null);
        var sales = Source(userPath: "ou=Sales", groupPath: "ou=Sales", externalId: null);
        var engineeringSpec = harness.Spec(engineering);
        var salesSpec = harness.Spec(sales);
        harness.Organization.AddMember("hand.invited@prune.test", status: StandInMemberStatus.Invited, hasMasterPassword: false);

        await harness.SyncAsync("eng", engineeringSpec, engineering.Create());
        await harness.SyncAsync("sales", salesSpec, sales.Create());
        harness.MemberEmails().Should().Equal("ann@prune.test", "ben@prune.test", "hand.invited@prune.test", "sam@prune.test", "sue@prune.test");
        var ben = harness.Organization.MemberByExternalId($"cn=Ben,ou=Eng,{Suffix}")!;

        // Ben is renamed: with the DN as external id he is a new identity. Sue leaves Sales.
        await ChangeAsync(
            $"dn: cn=Ben,ou=Eng,{Suffix}\nchangetype: modrdn\nnewrdn: cn=Benjamin\ndeleteoldrdn: 1\n",
            $"dn: cn=Sue,ou=Sales,{Suffix}\nchangetype: delete\n");

        var renamed = await harness.SyncAsync("eng", engineeringSpec, engineering.Create());

        renamed.Changes!.Removed.Should().Equal("ben@prune.test");
        renamed.Changes.Added.Should().Equal("ben@prune.test");
        var newBen = harness.Organization.MemberByExternalId($"cn=Benjamin,ou=Eng,{Suffix}")!;
        newBen.Id.Should().NotBe(ben.Id, "the old member is removed and the new DN invited: Ben must accept the invitation again");
        newBen.Status.Should().Be(StandInMemberStatus.Invited);
        harness.MemberEmails().Should().Equal(["ann@prune.test", "ben@prune.test", "hand.invited@prune.test", "sam@prune.test", "sue@prune.test"],
            "engineering does not prune Sue: Sales manages her");

        // Ben moves to Sales: engineering removes him, sales invites him; each only touches its own.
        await ChangeAsync($"dn: cn=Benjamin,ou=Eng,{Suffix}\nchangetype: modrdn\nnewrdn: cn=Benjamin\ndeleteoldrdn: 1\nnewsuperior: ou=Sales,{Suffix}\n");
        (await harness.SyncAsync("eng", engineeringSpec, engineering.Create())).Changes!.Removed.Should().Equal("ben@prune.test");
        var salesSync = await harness.SyncAsync("sales", salesSpec, sales.Create());

        salesSync.Changes!.Removed.Should().Equal("sue@prune.test");
        salesSync.Changes.Added.Should().Equal("ben@prune.test");
        harness.Members().Should().Equal(
            $"ann@prune.test cn=Ann,ou=Eng,{Suffix} Invited",
            $"ben@prune.test cn=Benjamin,ou=Sales,{Suffix} Invited",
            "hand.invited@prune.test - Invited",
            $"sam@prune.test cn=Sam,ou=Sales,{Suffix} Invited");
        harness.State("eng")!.ManagedMembers.Should().Equal($"cn=Ann,ou=Eng,{Suffix}");
        harness.State("sales")!.ManagedMembers.Should().Equal($"cn=Benjamin,ou=Sales,{Suffix}", $"cn=Sam,ou=Sales,{Suffix}");
    }

    [Fact]
    public async Task A_changed_address_that_was_invited_by_hand_is_left_out_and_reported_while_the_rest_syncs()
    {
        await server.AddLdifAsync(suffix, string.Join('\n', Person("Ann", "People"), Person("Ben", "People"), Group("Dev", User("Ann"), User("Ben"))));
        var source = Source();
        var spec = harness.Spec(source);
        await harness.SyncAsync("corp", spec, source.Create());
        var ann = harness.Organization.Members.Single(m => m.Email == "ann@prune.test");

        // Ann's address changes and someone invites the new address by hand first (bitwarden/server#4117); Cat joins.
        var invited = harness.Organization.AddMember("ann.lee@prune.test", status: StandInMemberStatus.Invited, hasMasterPassword: false);
        await ChangeAsync($"dn: {User("Ann")}\nchangetype: modify\nreplace: mail\nmail: ann.lee@prune.test\n-\n");
        await server.AddLdifAsync(suffix, Person("Cat", "People"));
        await ChangeAsync(SetMembers("Dev", User("Ann"), User("Ben"), User("Cat")));

        var outcome = await harness.SyncAsync("corp", spec, source.Create());

        outcome.Conflicts.Should().ContainSingle().Which.Entry.Should().Be(User("Ann"));
        outcome.Conflicts[0].Message.Should().Contain("ann@prune.test").And.Contain("ann.lee@prune.test").And.Contain("bitwarden/server#4117");
        outcome.Changes!.Added.Should().Equal("cat@prune.test");
        harness.StandIn.ImportRequests.Should().OnlyContain(r => r.StatusCode == 200, "the entry the server fails on was not sent");
        harness.Groups().Should().Equal("Dev: ann@prune.test ben@prune.test cat@prune.test");
        harness.State("corp")!.MembersHash.Should().BeNull("the left-out entry is sent again (and checked again) by the next sync");

        // The fix the message names: remove the stale member; the next sync links the hand-invited one.
        harness.Organization.RemoveMember(ann.Id);
        var fixedOutcome = await harness.SyncAsync("corp", spec, source.Create());
        fixedOutcome.Conflicts.Should().BeEmpty();
        fixedOutcome.Changes!.Linked.Should().Equal("ann.lee@prune.test");
        harness.Organization.Members.Single(m => m.Email == "ann.lee@prune.test").Id.Should().Be(invited.Id);
        harness.Groups().Should().Equal(["Dev: ann.lee@prune.test ben@prune.test cat@prune.test"], "the linked member joins the groups that list her");
        fixedOutcome.Changes.GroupMemberships.Select(g => g.ToString()).Should().Equal("Dev: +ann.lee@prune.test");
    }

    private static string GroupIn(string cn, string ou, params string[] members)
        => $"dn: cn={cn},ou={ou},{Suffix}\nobjectClass: groupOfNames\ncn: {cn}\n" + string.Concat(members.Select(m => $"member: {m}\n"));

    private static string SetMembersIn(string group, string ou, params string[] members)
        => $"dn: cn={group},ou={ou},{Suffix}\nchangetype: modify\nreplace: member\n" + string.Concat(members.Select(m => $"member: {m}\n")) + "-\n";

    private static string Move(string dn, string newRdn, string? newSuperior = null)
        => $"dn: {dn}\nchangetype: modrdn\nnewrdn: {newRdn}\ndeleteoldrdn: 1\n" + (newSuperior is null ? "" : $"newsuperior: {newSuperior},{Suffix}\n");

    [Fact]
    public async Task Two_directory_syncs_hand_a_moved_user_over_when_the_receiving_one_syncs_first_and_never_prune_each_others_members_or_groups()
    {
        // entryUUID external ids: a move keeps the identity, so the member can be handed over.
        await server.AddLdifAsync(suffix, string.Join('\n',
            Person("Ann", "Eng"), Person("Ben", "Eng"), Person("Sam", "Sales"), Person("Sue", "Sales"),
            GroupIn("EngTeam", "Eng", User("Ann", "Eng"), User("Ben", "Eng")), GroupIn("SalesTeam", "Sales", User("Sam", "Sales"), User("Sue", "Sales"))));
        var engineering = Source(userPath: "ou=Eng", groupPath: "ou=Eng");
        var sales = Source(userPath: "ou=Sales", groupPath: "ou=Sales");
        var engineeringSpec = harness.Spec(engineering);
        var salesSpec = harness.Spec(sales);
        var owner = harness.Organization.AddMember("owner@prune.test", type: StandInMemberType.Owner);

        await harness.SyncAsync("eng", engineeringSpec, engineering.Create());
        await harness.SyncAsync("sales", salesSpec, sales.Create());
        harness.MemberEmails().Should().Equal("ann@prune.test", "ben@prune.test", "owner@prune.test", "sam@prune.test", "sue@prune.test");
        harness.Groups().Should().Equal("EngTeam: ann@prune.test ben@prune.test", "SalesTeam: sam@prune.test sue@prune.test");
        var ann = harness.Organization.Members.Single(m => m.Email == "ann@prune.test");
        harness.Organization.SetStatus(ann.Id, StandInMemberStatus.Confirmed, hasMasterPassword: true);

        // 1. Ann moves to Sales (leaving EngTeam, joining SalesTeam); Sue is deleted. Sales, which receives Ann, syncs first.
        await ChangeAsync(
            Move(User("Ann", "Eng"), "cn=Ann", "ou=Sales"),
            $"dn: {User("Sue", "Sales")}\nchangetype: delete\n",
            SetMembersIn("EngTeam", "Eng", User("Ben", "Eng")),
            SetMembersIn("SalesTeam", "Sales", User("Ann", "Sales"), User("Sam", "Sales")));

        var salesFirst = await harness.SyncAsync("sales", salesSpec, sales.Create());
        salesFirst.Changes!.Removed.Should().Equal(["sue@prune.test"], "sales prunes only its own");
        salesFirst.Changes.Added.Should().BeEmpty("Ann is already a member: sales takes her over");
        harness.MemberEmails().Should().Equal("ann@prune.test", "ben@prune.test", "owner@prune.test", "sam@prune.test");

        var engineeringAfter = await harness.SyncAsync("eng", engineeringSpec, engineering.Create());
        engineeringAfter.Changes!.Removed.Should().BeEmpty("Ann moved into the scope of sales, which manages her now");
        harness.Organization.Members.Select(m => $"{m.Email} {m.Status}").Order(StringComparer.Ordinal).Should().Equal(
            "ann@prune.test Confirmed", "ben@prune.test Invited", "owner@prune.test Confirmed", "sam@prune.test Invited");
        harness.Organization.Members.Single(m => m.Email == "ann@prune.test").Id.Should().Be(ann.Id, "Ann was never removed, so she need not accept again");
        harness.Groups().Should().Equal("EngTeam: ben@prune.test", "SalesTeam: ann@prune.test sam@prune.test");
        var externalIds = harness.Organization.Members.ToDictionary(m => m.Email, m => m.ExternalId);
        harness.State("eng")!.ManagedMembers.Should().Equal(externalIds["ben@prune.test"]);
        harness.State("sales")!.ManagedMembers.Should().BeEquivalentTo([externalIds["ann@prune.test"], externalIds["sam@prune.test"]]);

        // 2. The leaving one syncs first (documented): Sam moves to Eng; sales no longer lists him and nobody else manages him
        //    yet, so sales removes him and engineering invites him again. No duplicate and no stale group member remains.
        await ChangeAsync(
            Move(User("Sam", "Sales"), "cn=Sam", "ou=Eng"),
            SetMembersIn("SalesTeam", "Sales", User("Ann", "Sales")),
            SetMembersIn("EngTeam", "Eng", User("Ben", "Eng"), User("Sam", "Eng")));
        (await harness.SyncAsync("sales", salesSpec, sales.Create())).Changes!.Removed.Should().Equal("sam@prune.test");
        (await harness.SyncAsync("eng", engineeringSpec, engineering.Create())).Changes!.Added.Should().Equal("sam@prune.test");
        harness.MemberEmails().Should().Equal("ann@prune.test", "ben@prune.test", "owner@prune.test", "sam@prune.test");
        harness.Groups().Should().Equal("EngTeam: ben@prune.test sam@prune.test", "SalesTeam: ann@prune.test");
        harness.Organization.AllMembers.Select(m => m.Id).Should().Contain(owner.Id);

        // 3. Nothing changed: neither posts anything nor prunes the other's.
        (await harness.SyncAsync("eng", engineeringSpec, engineering.Create())).Result.Should().Be(SyncResult.UpToDate);
        (await harness.SyncAsync("sales", salesSpec, sales.Create())).Result.Should().Be(SyncResult.UpToDate);
        harness.MemberEmails().Should().Equal("ann@prune.test", "ben@prune.test", "owner@prune.test", "sam@prune.test");
    }

    [Fact]
    public async Task With_dn_external_ids_renamed_and_moved_groups_and_a_renamed_member_leave_no_stale_or_duplicate_member_or_group()
    {
        await server.AddLdifAsync(suffix, string.Join('\n',
            Person("Ann", "People"), Person("Ben", "People"), Group("Dev", User("Ann"), User("Ben")), Group("Ops", User("Ann"))));
        // The DN as external id (OpenLDAP's default); groups from the whole suffix, so a group may move between OUs.
        var source = Source(groupPath: null, externalId: null);
        var spec = harness.Spec(source);
        await harness.SyncAsync("corp", spec, source.Create());
        var ann = harness.Organization.Members.Single(m => m.Email == "ann@prune.test");
        harness.Organization.SetStatus(ann.Id, StandInMemberStatus.Confirmed, hasMasterPassword: true);
        harness.Groups().Should().Equal("Dev: ann@prune.test ben@prune.test", "Ops: ann@prune.test");

        // Ben is renamed, Dev renamed Engineering, Ops moved to ou=Eng: three new DNs, so three new identities.
        await ChangeAsync(
            Move(User("Ben"), "cn=Benjamin"),
            SetMembers("Dev", User("Ann"), User("Benjamin")),
            Move($"cn=Dev,ou=Groups,{Suffix}", "cn=Engineering"),
            Move($"cn=Ops,ou=Groups,{Suffix}", "cn=Ops", "ou=Eng"));

        var renamed = await harness.SyncAsync("corp", spec, source.Create());

        // Documented: the old external ids are pruned and the new ones added (no match by email for a new external id).
        renamed.Changes!.Removed.Should().Equal("ben@prune.test");
        renamed.Changes.Added.Should().Equal("ben@prune.test");
        renamed.Changes.GroupsDeleted.Should().BeEquivalentTo("Dev", "Ops");
        renamed.Changes.GroupsCreated.Should().BeEquivalentTo("Engineering", "Ops");
        renamed.Changes.GroupsRenamed.Should().BeEmpty();
        harness.Members().Should().Equal(
            $"ann@prune.test cn=Ann,ou=People,{Suffix} Confirmed", $"ben@prune.test cn=Benjamin,ou=People,{Suffix} Invited");
        harness.Organization.Members.Single(m => m.Email == "ann@prune.test").Id.Should().Be(ann.Id, "Ann's DN did not change");
        harness.Groups().Should().Equal("Engineering: ann@prune.test ben@prune.test", "Ops: ann@prune.test");
        harness.Organization.Groups.Select(g => g.ExternalId).Should().BeEquivalentTo($"cn=Engineering,ou=Groups,{Suffix}", $"cn=Ops,ou=Eng,{Suffix}");
        harness.State("corp")!.ManagedMembers.Should().Equal($"cn=Ann,ou=People,{Suffix}", $"cn=Benjamin,ou=People,{Suffix}");
        harness.State("corp")!.ManagedGroups.Should().Equal($"cn=Engineering,ou=Groups,{Suffix}", $"cn=Ops,ou=Eng,{Suffix}");

        (await harness.SyncAsync("corp", spec, source.Create())).Result.Should().Be(SyncResult.UpToDate);
    }
}
