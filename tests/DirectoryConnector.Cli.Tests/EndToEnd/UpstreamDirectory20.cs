using System.Text.Json;
using DirectoryConnector.TestSupport;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>Upstream's directory-20.ldif (read from ../shared, never copied) in a real slapd, and upstream's
/// expectation of it (openldap-expected-{users,groups}.json, the data of utils/openldap/*-fixtures.ts).</summary>
internal static class UpstreamDirectory20
{
    public static readonly SlapdSuffix Suffix = new("dc=bitwarden,dc=com", "upstream-admin-password");

    public static async Task<SlapdServer> StartAsync()
    {
        var slapd = await SlapdServer.StartAsync([Suffix]);
        var ldif = await File.ReadAllTextAsync(UpstreamFixtures.File("directory-20.ldif"));
        // slapd already holds the base entry; ldapadd takes the rest, changetype: add records included.
        var records = ldif.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(r => r.Contains("dn: ", StringComparison.Ordinal) && !r.Contains("dn: dc=bitwarden,dc=com\n", StringComparison.Ordinal));
        await slapd.AddLdifAsync(Suffix, string.Join("\n\n", records) + "\n");
        return slapd;
    }

    /// <summary>The one import request of `test -o json` holds exactly upstream's 20 users and 5 groups.</summary>
    public static async Task ShouldBeTheExpectedUsersAndGroupsAsync(string testJsonOutput)
    {
        using var sent = JsonDocument.Parse(testJsonOutput);
        var request = sent.RootElement.GetProperty("requests").EnumerateArray().Should().ContainSingle().Subject;

        using var expectedUsers = JsonDocument.Parse(await File.ReadAllTextAsync(UpstreamFixtures.File("openldap-expected-users.json")));
        using var expectedGroups = JsonDocument.Parse(await File.ReadAllTextAsync(UpstreamFixtures.File("openldap-expected-groups.json")));

        request.GetProperty("members").EnumerateArray()
            .Select(m => (m.GetProperty("email").GetString(), m.GetProperty("externalId").GetString(), m.GetProperty("deleted").GetBoolean()))
            .Should().BeEquivalentTo(expectedUsers.RootElement.EnumerateArray()
                .Select(u => (u.GetProperty("email").GetString(), u.GetProperty("externalId").GetString(), false)))
            .And.HaveCount(20);

        var groups = request.GetProperty("groups").EnumerateArray().ToDictionary(
            g => g.GetProperty("externalId").GetString()!,
            g => (g.GetProperty("name").GetString(), g.GetProperty("memberExternalIds").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToList()));
        var expected = expectedGroups.RootElement.EnumerateArray().ToDictionary(
            g => g.GetProperty("externalId").GetString()!,
            g => (g.GetProperty("name").GetString(), g.GetProperty("userMemberExternalIds").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToList()));
        groups.Should().BeEquivalentTo(expected).And.HaveCount(5);
    }
}
