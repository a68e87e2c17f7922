using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.EntraId;
using FluentAssertions;
using Xunit;
using static DirectoryConnector.Engine.Tests.Sources.EntraId.EntraIdTestKit;

namespace DirectoryConnector.Engine.Tests.Sources.EntraId;

public sealed class EntraIdFilterTests : EntraIdStandInTest
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        foreach (var name in new[] { "alice", "bob", "carol", "dave", "erin" })
        {
            Tenant.AddUser(User(name));
        }

        Tenant.AddObject("printer", EntraObjectType.Device);
        Tenant.AddGroup(IdOf("platform"), "Platform", IdOf("carol"), "printer");
        Tenant.AddGroup(IdOf("eng"), "Engineering", IdOf("alice"), IdOf("bob"), IdOf("platform"));
        Tenant.AddGroup(IdOf("sales"), "Sales", IdOf("dave"));
        Tenant.AddGroup(IdOf("contractors"), "Contractors", IdOf("bob"));
        Tenant.AddAdministrativeUnit("au-emea", IdOf("sales"), IdOf("alice"));
    }

    [Theory]
    [InlineData("include:Alice@Contoso.com, bob@contoso.com", "alice,bob")]
    [InlineData("exclude:alice@contoso.com", "bob,carol,dave,erin")]
    [InlineData("INCLUDEGROUP:{eng}", "alice,bob,carol")]
    [InlineData("includeGroup:{eng}|excludeGroup:{contractors}", "alice,carol")]
    [InlineData("includeGroup:{eng},{sales}|exclude:carol@contoso.com", "alice,bob,dave")]
    [InlineData("includeGroup:{eng}|excludeGroup:{contractors}|exclude:alice@contoso.com", "carol")]
    [InlineData("excludeGroup:{eng}", "dave,erin")]
    public async Task User_filters_select_by_email_and_transitive_group_membership(string filter, string expected)
    {
        var snapshot = await Source(StandIn, users: Ids(filter)).ReadAsync(groups: false);

        snapshot.Users.Select(u => u.DisplayName.Split('@')[0]).Should().BeEquivalentTo(expected.Split(','));
    }

    [Theory]
    [InlineData("include:engineering,SALES", "Engineering,Sales", "alice,bob,carol,dave")]
    [InlineData("exclude:Engineering", "Contractors,Platform,Sales", "bob,carol,dave")]
    [InlineData("includeAdministrativeUnit:au-emea", "Sales", "dave")]
    [InlineData("excludeAdministrativeUnit:au-emea", "Contractors,Engineering,Platform", "alice,bob,carol")]
    public async Task Group_filters_select_groups_by_name_or_administrative_unit_and_keep_only_their_members(string filter, string selected, string users)
    {
        var snapshot = await Source(StandIn, groups: filter).ReadAsync();

        snapshot.Groups.Where(g => g.Selected).Select(g => g.Name).Should().BeEquivalentTo(selected.Split(','));
        snapshot.Groups.Should().HaveCount(4, "groups the filter leaves out are still read so nesting resolves through them");
        snapshot.Users.Select(u => u.DisplayName.Split('@')[0]).Should().BeEquivalentTo(users.Split(','));
    }

    [Fact]
    public async Task An_administrative_unit_filter_reads_the_unit_every_time()
    {
        var source = Source(StandIn, groups: "includeAdministrativeUnit:au-emea");

        var snapshot = await source.ReadAsync();

        snapshot.Cursor.Should().BeNull("administrative-unit membership is not tracked by the groups delta");
    }

    [Theory]
    [InlineData("includeGroup:00000000-0000-0000-0000-00000000dead", null, "spec.filters.users", "00000000-0000-0000-0000-00000000dead")]
    [InlineData("excludeGroup:{eng},00000000-0000-0000-0000-00000000beef", null, "spec.filters.users", "00000000-0000-0000-0000-00000000beef")]
    [InlineData(null, "includeAdministrativeUnit:au-nowhere", "spec.filters.groups", "au-nowhere")]
    public async Task An_unknown_group_or_unit_id_is_an_invalid_spec_naming_it(string? users, string? groups, string field, string id)
    {
        var failure = await FluentActions.Awaiting(() => Source(StandIn, users: users is null ? null : Ids(users), groups: groups).ReadAsync())
            .Should().ThrowAsync<SyncFailedException>();

        failure.Which.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Which.Message.Should().Contain(field).And.Contain(id);
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
        foreach (var name in new[] { "eng", "sales", "contractors", "platform" })
        {
            filter = filter.Replace("{" + name + "}", IdOf(name), StringComparison.Ordinal);
        }

        return filter;
    }

    // "Équipe Öst" as the directory holds it (NFC) and as filters may write it: decomposed (NFD, as macOS input
    // gives) in lower case, or precomposed in non-ASCII upper case. RFC 4518 caseIgnoreMatch makes them one name.
    [Theory]
    [InlineData("include:e\u0301quipe o\u0308st", "\u00C9quipe \u00D6st", "erin")]
    [InlineData("include:\u00C9QUIPE \u00D6ST", "\u00C9quipe \u00D6st", "erin")]
    [InlineData("exclude:E\u0301QUIPE O\u0308ST", "Contractors,Engineering,Platform,Sales", "alice,bob,carol,dave")]
    public async Task Group_names_in_filters_match_in_any_normalization_and_case(string filter, string selected, string users)
    {
        Tenant.AddGroup(IdOf("equipe"), "\u00C9quipe \u00D6st", IdOf("erin"));

        var snapshot = await Source(StandIn, groups: filter).ReadAsync();

        snapshot.Groups.Where(g => g.Selected).Select(g => g.Name).Should().BeEquivalentTo(selected.Split(','));
        snapshot.Users.Select(u => u.DisplayName.Split('@')[0]).Should().BeEquivalentTo(users.Split(','));
    }
}
