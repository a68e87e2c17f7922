using DirectoryConnector.TestSupport;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
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
        var suffix = UpstreamDirectory20.Suffix;
        await using var slapd = await UpstreamDirectory20.StartAsync();

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
            await UpstreamDirectory20.ShouldBeTheExpectedUsersAndGroupsAsync(result.Output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
