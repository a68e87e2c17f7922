using System.Text.Json;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using DirectoryConnector.TestSupport;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>Upstream's OpenLDAP fixture (directory-20.ldif) in a real slapd, read through the CLI with upstream's
/// settings (config-fixtures.ts) and the bind password from a Secret manifest: the request must carry exactly
/// upstream's expected users and groups.</summary>
public sealed class UpstreamOpenLdapConformanceTests
{
    [UpstreamConformanceFact]
    public async Task Directory20WithUpstreamSettingsSendsExactlyTheExpectedUsersAndGroups()
    {
        var suffix = new SlapdSuffix("dc=bitwarden,dc=com", "upstream-admin-password");
        await using var slapd = await SlapdServer.StartAsync([suffix]);
        var ldif = await File.ReadAllTextAsync(UpstreamFixtures.File("directory-20.ldif"));
        // slapd already holds the base entry; ldapadd takes the rest, changetype: add records included.
        var records = ldif.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(r => r.Contains("dn: ", StringComparison.Ordinal) && !r.Contains("dn: dc=bitwarden,dc=com\n", StringComparison.Ordinal));
        await slapd.AddLdifAsync(suffix, string.Join("\n\n", records) + "\n");

        var folder = Directory.CreateTempSubdirectory("dc-upstream-").FullName;
        try
        {
            var manifest = Path.Combine(folder, "upstream.yaml");
            await File.WriteAllTextAsync(manifest, $$"""
                apiVersion: directoryconnector.dev/v1alpha1
                kind: DirectorySync
                metadata: {name: upstream}
                spec:
                  bitwarden:
                    apiKeySecretRef: {name: not-needed-by-test}
                  source:
                    ldap:
                      hostname: {{SlapdServer.Host}}
                      port: {{slapd.LdapPort}}
                      encryption: none
                      activeDirectory: false
                      pagedSearch: false
                      rootPath: dc=bitwarden,dc=com
                      username: {{suffix.AdminDn}}
                      passwordSecretRef: {name: upstream-bind, key: password}
                      userObjectClass: person
                      groupObjectClass: posixGroup
                      groupNameAttribute: cn
                      userEmailAttribute: mail
                      memberAttribute: memberUid
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: upstream-bind}
                stringData: {password: "{{suffix.AdminPassword}}"}
                """);

            var result = await CliRunner.RunAsync("test", "-f", manifest, "-o", "json");

            result.ExitCode.Should().Be(0, result.ToString());
            result.Output.Should().NotContain(suffix.AdminPassword);
            using var sent = JsonDocument.Parse(result.Output);
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
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
