using DirectoryConnector.Engine.Sources;
using DirectoryConnector.TestSupport.EntraId;
using FluentAssertions;
using Xunit;
using static DirectoryConnector.Engine.Tests.Sources.EntraId.EntraIdTestKit;

namespace DirectoryConnector.Engine.Tests.Sources.EntraId;

/// <summary>Which Entra users become members and under which address (bwdc-behaviour.md §3.2; issue 9), asserted on
/// the Bitwarden stand-in's organization: mail, or the user principal name when mail is empty or an onmicrosoft.com
/// address, lowercased; guests (userType Guest or #EXT#) only with includeGuests; no usable address → reported.</summary>
public sealed class EntraIdUserRulesTests : EntraIdOrganizationTest
{
    private const string GuestUpn = "guest_fabrikam.com#EXT#@contoso.onmicrosoft.com";
    private const string ExternalMemberUpn = "old_fabrikam.com#EXT#@contoso.onmicrosoft.com";
    private const string MailboxlessGuestUpn = "x_fabrikam.com#EXT#@contoso.onmicrosoft.com";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Tenant.AddUser(new EntraUser(IdOf("withmail"), "wm@contoso.onmicrosoft.com", "With.Mail@Contoso.com"));
        Tenant.AddUser(new EntraUser(IdOf("nomail"), "NoMail@Contoso.com", null));
        Tenant.AddUser(new EntraUser(IdOf("tenantmail"), "tenantmail@contoso.com", "tenantmail@contoso.onmicrosoft.com"));
        Tenant.AddUser(new EntraUser(IdOf("onlytenant"), "only@contoso.onmicrosoft.com", null));
        Tenant.AddUser(new EntraUser(IdOf("guest"), GuestUpn, "guest@fabrikam.com", UserType: "Guest"));
        Tenant.AddUser(new EntraUser(IdOf("member-ext"), ExternalMemberUpn, "old@fabrikam.com"));
        Tenant.AddUser(new EntraUser(IdOf("nomail-guest"), MailboxlessGuestUpn, null, UserType: "Guest"));
        Tenant.AddGroup(IdOf("partners"), "Partners", IdOf("withmail"), IdOf("guest"), IdOf("member-ext"));
    }

    [Fact]
    public async Task Members_get_mail_or_the_upn_lowercased_and_guests_are_skipped_and_reported_even_with_a_mail()
    {
        var outcome = await SyncAsync();

        Organization().Should().Equal(
            "nomail@contoso.com", "only@contoso.onmicrosoft.com", "tenantmail@contoso.com", "with.mail@contoso.com",
            "Partners: with.mail");
        var users = outcome.Plan!.Skipped.Where(s => s.Kind == SkippedEntryKind.User).ToList();
        users.Select(s => s.Entry).Should().BeEquivalentTo(GuestUpn, ExternalMemberUpn, MailboxlessGuestUpn);
        users.Should().OnlyContain(s => s.Reason.Contains("spec.source.entraId.includeGuests", StringComparison.Ordinal));
        Bitwarden.Organization.Members.Select(m => m.ExternalId).Should().BeEquivalentTo(
            [IdOf("nomail"), IdOf("onlytenant"), IdOf("tenantmail"), IdOf("withmail")], "the external id is the object id");
    }

    [Fact]
    public async Task IncludeGuests_syncs_guests_by_their_mail_and_reports_one_without_a_mailbox_address()
    {
        var outcome = await SyncAsync(SyncSpec(includeGuests: true));

        Organization().Should().Equal(
            "guest@fabrikam.com", "nomail@contoso.com", "old@fabrikam.com", "only@contoso.onmicrosoft.com", "tenantmail@contoso.com", "with.mail@contoso.com",
            "Partners: guest old with.mail");
        outcome.Plan!.Skipped.Where(s => s.Kind == SkippedEntryKind.User).Should().ContainSingle()
            .Which.Should().Match<SkippedEntry>(s => s.Entry == MailboxlessGuestUpn && s.Reason.Contains("no usable email", StringComparison.Ordinal));
    }
}
