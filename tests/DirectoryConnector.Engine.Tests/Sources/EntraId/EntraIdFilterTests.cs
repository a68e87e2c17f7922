using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.EntraId;
using FluentAssertions;
using Xunit;
using static DirectoryConnector.Engine.Tests.Sources.EntraId.EntraIdTestKit;

namespace DirectoryConnector.Engine.Tests.Sources.EntraId;

/// <summary>The filter matrix of spec.filters through the whole engine, asserted on the Bitwarden stand-in's
/// organization. Member listings (transitiveMembers, administrative-unit members) come one object per page, so every
/// group filter follows @odata.nextLink over several pages.</summary>
public sealed class EntraIdFilterTests : EntraIdOrganizationTest
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        StandIn.MaxMemberPageSize = 1;
        foreach (var name in new[] { "alice", "bob", "carol", "dave", "erin" })
        {
            Tenant.AddUser(User(name));
        }

        Tenant.AddObject(IdOf("printer"), EntraObjectType.Device);
        Tenant.AddObject(IdOf("supplier"), EntraObjectType.OrgContact);
        Tenant.AddGroup(IdOf("platform"), "Platform", IdOf("carol"), IdOf("printer"), IdOf("supplier"));
        Tenant.AddGroup(IdOf("eng"), "Engineering", IdOf("alice"), IdOf("bob"), IdOf("platform"));
        Tenant.AddGroup(IdOf("sales"), "Sales", IdOf("dave"));
        Tenant.AddGroup(IdOf("contractors"), "Contractors", IdOf("bob"));
        Tenant.AddAdministrativeUnit(IdOf("au-emea"), IdOf("sales"), IdOf("alice"));
    }

    [Theory]
    [InlineData("include:Alice@Contoso.com, bob@contoso.com", "alice,bob")]
    [InlineData("exclude:alice@contoso.com", "bob,carol,dave,erin")]
    [InlineData("INCLUDEGROUP:{eng}", "alice,bob,carol")]
    [InlineData("includeGroup:{eng}|excludeGroup:{contractors}", "alice,carol")]
    [InlineData("includeGroup:{eng},{sales}|exclude:carol@contoso.com", "alice,bob,dave")]
    [InlineData("includeGroup:{eng}|excludeGroup:{contractors}|exclude:alice@contoso.com", "carol")]
    [InlineData("excludeGroup:{eng}", "dave,erin")]
    public async Task User_filters_select_members_by_email_and_transitive_group_membership(string filter, string expected)
    {
        var outcome = await SyncAsync(SyncSpec(users: Ids(filter), sync: s => s.Groups = false));

        outcome.Result.Should().Be(SyncResult.Synced);
        Organization().Should().Equal(expected.Split(',').Select(n => $"{n}@contoso.com"));
        if (filter.Contains("group:", StringComparison.OrdinalIgnoreCase))
        {
            GraphRequestsTo("/transitiveMembers").Should().BeGreaterThanOrEqualTo(3, "a transitiveMembers listing is followed through every @odata.nextLink");
        }
    }

    [Theory]
    [InlineData("include:engineering,SALES", "alice,bob,carol,dave", "Engineering: alice bob carol|Sales: dave")]
    [InlineData("exclude:Engineering", "bob,carol,dave", "Contractors: bob|Platform: carol|Sales: dave")]
    [InlineData("includeAdministrativeUnit:{au-emea}", "dave", "Sales: dave")]
    [InlineData("excludeAdministrativeUnit:{au-emea}", "alice,bob,carol", "Contractors: bob|Engineering: alice bob carol|Platform: carol")]
    public async Task Group_filters_send_the_selected_groups_with_members_resolved_through_the_groups_left_out(string filter, string users, string groups)
    {
        await SyncAsync(SyncSpec(groups: Ids(filter)));

        Organization().Should().Equal([.. users.Split(',').Select(n => $"{n}@contoso.com"), .. groups.Split('|')]);
    }

    [Fact]
    public async Task Devices_and_contacts_in_groups_are_reported_and_never_invited()
    {
        var outcome = await SyncAsync();

        Organization().Should().Equal(
            "alice@contoso.com", "bob@contoso.com", "carol@contoso.com", "dave@contoso.com", "erin@contoso.com",
            "Contractors: bob", "Engineering: alice bob carol", "Platform: carol", "Sales: dave");
        outcome.Plan!.Skipped.Where(s => s.Kind == SkippedEntryKind.Member).Select(s => s.Entry)
            .Should().BeEquivalentTo(IdOf("printer"), IdOf("supplier"));
    }

    [Fact]
    public async Task An_administrative_unit_filter_reads_the_unit_every_time()
    {
        var groups = Ids("includeAdministrativeUnit:{au-emea}");
        await SyncAsync(SyncSpec(groups: groups));
        Tenant.AddMember(IdOf("sales"), IdOf("erin"));
        var before = GraphRequestsTo("/members");

        var second = await SyncAsync(SyncSpec(groups: groups));

        second.SourceUnchanged.Should().BeFalse("administrative-unit membership is not tracked by the groups delta");
        GraphRequestsTo("/members").Should().BeGreaterThan(before);
        Organization().Should().Equal("dave@contoso.com", "erin@contoso.com", "Sales: dave erin");
    }

    [Theory]
    [InlineData("includeGroup:00000000-0000-4000-8000-00000000dead", null, "spec.filters.users", "00000000-0000-4000-8000-00000000dead", "404")]
    [InlineData("excludeGroup:{eng},00000000-0000-4000-8000-00000000beef", null, "spec.filters.users", "00000000-0000-4000-8000-00000000beef", "404")]
    [InlineData("includeGroup:Engineering", null, "spec.filters.users", "includeGroup:Engineering", "400")]
    [InlineData(null, "includeAdministrativeUnit:au-nowhere", "spec.filters.groups", "au-nowhere", "400")]
    [InlineData(null, "includeAdministrativeUnit:00000000-0000-4000-8000-0000000000a0", "spec.filters.groups", "00000000-0000-4000-8000-0000000000a0", "404")]
    public async Task An_unknown_group_or_unit_id_fails_the_sync_as_an_invalid_spec_naming_it_and_changes_nothing(string? users, string? groups, string field, string id, string status)
    {
        var failure = await FluentActions.Awaiting(() => SyncAsync(SyncSpec(users: users is null ? null : Ids(users), groups: groups)))
            .Should().ThrowAsync<SyncFailedException>();

        failure.Which.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Which.Message.Should().StartWith(field).And.Contain(id).And.Contain("object id").And.Contain($"Graph answered {status}");
        Bitwarden.ImportRequests.Should().BeEmpty("nothing is sent when the filter cannot be applied");
    }

    [Theory]
    [InlineData("alice@contoso.com", null, "spec.filters.users")]
    [InlineData("include:a@x.com|exclude:b@x.com", null, "spec.filters.users")]
    [InlineData("includeGroup:g1|include:a@x.com", null, "spec.filters.users")]
    [InlineData("memberOf:g1", null, "spec.filters.users")]
    [InlineData("include:", null, "spec.filters.users")]
    [InlineData(null, "includeGroup:g1", "spec.filters.groups")]
    [InlineData(null, "include:Sales|displayName eq 'x'", "spec.filters.groups")]
    public void A_malformed_filter_is_an_invalid_spec_naming_the_field(string? users, string? groups, string field)
    {
        var failure = FluentActions.Invoking(() => Source(StandIn, users: users, groups: groups)).Should().Throw<SyncFailedException>();

        failure.Which.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Which.Message.Should().StartWith(field);
        StandIn.Requests.Should().BeEmpty("a bad filter is refused before anything is read");
    }

    private static string Ids(string filter)
    {
        foreach (var name in new[] { "eng", "sales", "contractors", "platform", "au-emea" })
        {
            filter = filter.Replace("{" + name + "}", IdOf(name), StringComparison.Ordinal);
        }

        return filter;
    }

    // "Équipe Öst" as the directory holds it (NFC) and as filters may write it: decomposed (NFD, as macOS input
    // gives) in lower case, or precomposed in non-ASCII upper case. RFC 4518 caseIgnoreMatch makes them one name.
    [Theory]
    [InlineData("include:e\u0301quipe o\u0308st", "erin", "\u00C9quipe \u00D6st: erin")]
    [InlineData("include:\u00C9QUIPE \u00D6ST", "erin", "\u00C9quipe \u00D6st: erin")]
    [InlineData("exclude:E\u0301QUIPE O\u0308ST", "alice,bob,carol,dave", "Contractors: bob|Engineering: alice bob carol|Platform: carol|Sales: dave")]
    public async Task Group_names_in_filters_match_in_any_normalization_and_case(string filter, string users, string groups)
    {
        Tenant.AddGroup(IdOf("equipe"), "\u00C9quipe \u00D6st", IdOf("erin"));

        await SyncAsync(SyncSpec(groups: filter));

        Organization().Should().Equal([.. users.Split(',').Select(n => $"{n}@contoso.com"), .. groups.Split('|')]);
    }
}
