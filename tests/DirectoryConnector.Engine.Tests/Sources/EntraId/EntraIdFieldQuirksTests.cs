// Test names are sentences.

using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.TestSupport.EntraId;
using FluentAssertions;
using Xunit;
using static DirectoryConnector.Engine.Tests.Sources.EntraId.EntraIdTestKit;

namespace DirectoryConnector.Engine.Tests.Sources.EntraId;

/// <summary>The field cases of the LDAP and file sources, where they occur in Entra ID: group members that are no user
/// account (devices, organizational contacts, service principals) and addresses that are no mailbox, named by the
/// Graph property they came from.</summary>
public sealed class EntraIdFieldQuirksTests : EntraIdStandInTest
{
    private static ImportPlan Plan(DirectorySnapshot snapshot) => ImportPlanner.Plan(snapshot, new SyncOptionsSpec(), "scope");

    [Fact]
    public async Task Devices_contacts_and_service_principals_in_a_group_are_never_members_and_each_is_reported_by_its_type()
    {
        Tenant.AddUser(User("alice"));
        Tenant.AddObject(IdOf("laptop-7"), EntraObjectType.Device);
        Tenant.AddObject(IdOf("partner"), EntraObjectType.OrgContact);
        Tenant.AddObject(IdOf("backup-app"), EntraObjectType.ServicePrincipal);
        Tenant.AddGroup(IdOf("intune"), "Intune Pilot", IdOf("alice"), IdOf("laptop-7"), IdOf("partner"), IdOf("backup-app"));

        var plan = Plan(await Source(StandIn).ReadAsync());

        plan.Groups.Should().ContainSingle().Which.MemberExternalIds.Should().Equal(IdOf("alice"));
        plan.Skipped.Select(s => (s.Entry, s.Kind, s.Reason)).Should().BeEquivalentTo(new[]
        {
            (IdOf("laptop-7"), SkippedEntryKind.Member, "is listed as a member of Intune Pilot but is a device in Entra ID, not a user account: it is not added to any group"),
            (IdOf("partner"), SkippedEntryKind.Member, "is listed as a member of Intune Pilot but is an organizational contact in Entra ID, not a user account: it is not added to any group"),
            (IdOf("backup-app"), SkippedEntryKind.Member, "is listed as a member of Intune Pilot but is a service principal (an application) in Entra ID, not a user account: it is not added to any group"),
        });
    }

    [Fact]
    public async Task An_address_that_is_no_mailbox_is_skipped_naming_the_graph_property_it_came_from()
    {
        Tenant.AddUser(User("alice"));
        Tenant.AddUser(User("bob", mail: "Bob Berg <bob@contoso.com>"));

        var plan = Plan(await Source(StandIn).ReadAsync());

        plan.Members.Select(m => m.Email).Should().Equal("alice@contoso.com");
        var skipped = plan.Skipped.Should().ContainSingle().Which;
        skipped.Entry.Should().Be("bob@contoso.com");
        skipped.Reason.Should().Be("has an email address 'bob berg <bob@contoso.com>' (from mail) that is not a mailbox an invitation can reach: "
            + "it is in display-name form (Name <address>): store the address alone: it is not sent");
    }
}
