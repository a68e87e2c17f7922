using DirectoryConnector.TestSupport;
using System.Text.Json;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;

namespace DirectoryConnector.Engine.Tests.Sources;

/// <summary>
/// Upstream's LDAP integration tests, replayed against a real slapd loaded with their directory-20.ldif and
/// their settings (fixtures/bwdc-openldap/SOURCES.md), expecting exactly their fixtures.
/// </summary>
[Xunit.Collection(SlapdCollectionDefinition.Name)]
public sealed class UpstreamConformanceTests(SlapdFixture fixture)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record ExpectedUser(string ReferenceId, string ExternalId, string Email, bool Disabled, bool Deleted);

    private sealed record ExpectedGroup(string Name, string ReferenceId, string ExternalId, List<string> UserMemberExternalIds);

    // Upstream's config-fixtures.ts: not Active Directory, no paged search, posixGroup/memberUid, person, cn, mail.
    private LdapSourceSpec UpstreamSpec() => new()
    {
        Hostname = SlapdServer.Host,
        Port = fixture.Server.LdapPort,
        RootPath = "dc=bitwarden,dc=com",
        Username = "cn=admin,dc=bitwarden,dc=com",
        PasswordSecretRef = new SecretKeyRef { Name = "ldap", Key = "password" },
        PagedSearch = false,
        GroupObjectClass = "posixGroup",
        UserObjectClass = "person",
        GroupNameAttribute = "cn",
        UserEmailAttribute = "mail",
        MemberAttribute = "memberUid",
    };

    private async Task<DirectorySnapshot> ReadAsync(LdapSourceSpec spec, FiltersSpec? filters = null, bool groups = true, bool users = true)
    {
        await fixture.LoadUpstreamDirectoryAsync();
        return await LdapSource.Create(spec, filters, fixture.Bitwarden.AdminPassword, null, NullLogger<LdapSource>.Instance)
            .ReadAsync(new DirectoryQuery(users, groups, IncludeDeleted: false), CancellationToken.None);
    }

    private static List<T> Expected<T>(string file) => JsonSerializer.Deserialize<List<T>>(System.IO.File.ReadAllText(UpstreamFixtures.File(file)), Json)!;

    [UpstreamConformanceFact]
    public async Task Directory_20_yields_exactly_upstreams_users_in_directory_order()
    {
        var snapshot = await ReadAsync(UpstreamSpec());

        // The planner trims and lowercases emails; upstream's fixtures hold the normalized form.
        snapshot.Users.Select(user => new ExpectedUser(user.DisplayName, user.ExternalId, user.Email!.Trim().ToLowerInvariant(), user.Disabled, user.Deleted))
            .Should().Equal(Expected<ExpectedUser>("openldap-expected-users.json"));
    }

    [UpstreamConformanceFact]
    public async Task Directory_20_yields_exactly_upstreams_groups_with_their_direct_user_members()
    {
        var snapshot = await ReadAsync(UpstreamSpec());

        var externalIdByReference = snapshot.Users.ToDictionary(user => user.ReferenceId, user => user.ExternalId);
        var actual = snapshot.Groups.Select(group => new
        {
            group.Name,
            group.ExternalId,
            group.Selected,
            Members = group.MemberReferences.Select(reference => externalIdByReference.GetValueOrDefault(reference, "unknown: " + reference)).ToList(),
        }).ToList();
        var expected = Expected<ExpectedGroup>("openldap-expected-groups.json");

        actual.Select(group => (group.Name, group.ExternalId)).Should().Equal(expected.Select(group => ((string?)group.Name, group.ExternalId)));
        actual.Should().OnlyContain(group => group.Selected);
        for (var i = 0; i < expected.Count; i++)
        {
            actual[i].Members.Should().BeEquivalentTo(expected[i].UserMemberExternalIds, $"members of {expected[i].Name}");
        }
    }

    [UpstreamConformanceFact]
    public async Task User_path_Human_Resources_yields_its_3_users()
    {
        var spec = UpstreamSpec();
        spec.UserPath = "ou=Human Resources";

        var snapshot = await ReadAsync(spec, groups: false);

        // A search below an OU comes back in index order: the set is what upstream asserts.
        snapshot.Users.Select(user => user.ExternalId).Should().BeEquivalentTo(
            Expected<ExpectedUser>("openldap-expected-users.json").Where(user => user.ExternalId.Contains("ou=Human Resources", StringComparison.Ordinal)).Select(user => user.ExternalId));
        snapshot.Users.Should().HaveCount(3);
    }

    [UpstreamConformanceFact]
    public async Task User_filter_Roland_Dyke_yields_only_roland()
    {
        var snapshot = await ReadAsync(UpstreamSpec(), new FiltersSpec { Users = "(cn=Roland Dyke)" }, groups: false);

        snapshot.Users.Select(user => user.ExternalId).Should().Equal("cn=Roland Dyke,ou=Human Resources,dc=bitwarden,dc=com");
        snapshot.Groups.Should().BeEmpty();
    }

    [UpstreamConformanceFact]
    public async Task Group_path_Janitorial_selects_only_Cleaners()
    {
        var spec = UpstreamSpec();
        spec.GroupPath = "ou=Janitorial";

        var snapshot = await ReadAsync(spec);

        snapshot.Groups.Where(group => group.Selected).Select(group => group.ExternalId).Should().Equal("cn=Cleaners,ou=Janitorial,dc=bitwarden,dc=com");
    }

    [UpstreamConformanceFact]
    public async Task Group_filter_Red_Team_selects_only_Red_Team()
    {
        var snapshot = await ReadAsync(UpstreamSpec(), new FiltersSpec { Groups = "(cn=Red Team)" });

        snapshot.Groups.Where(group => group.Selected).Select(group => group.Name).Should().Equal("Red Team");
    }
}
