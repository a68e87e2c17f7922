using System.Text.Json.Nodes;
using DirectoryConnector.Cli.Migration;
using DirectoryConnector.Cli.Tests.EndToEnd;
using DirectoryConnector.TestSupport;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.Migration;

/// <summary>A data.json holding upstream's own LDAP test settings (../shared/fixtures/bwdc-openldap/SOURCES.md:
/// utils/openldap/config-fixtures.ts with users and groups on, as its integration specs run them), converted and
/// pointed at a slapd loaded with directory-20.ldif: `test` must send exactly upstream's expected users and groups.</summary>
public sealed class BwdcConformanceTests
{
    [UpstreamConformanceFact]
    public async Task UpstreamTestSettingsConvertedReadDirectory20AsTheOriginalDoes()
    {
        var suffix = UpstreamDirectory20.Suffix;
        await using var slapd = await UpstreamDirectory20.StartAsync();

        // getLdapConfiguration() and getSyncConfiguration({ groups: true, users: true }) as the original stores them
        // in data.json (state version 8), with the host and port of this slapd.
        var dataJson = new JsonObject
        {
            ["stateVersion"] = 8,
            ["directoryType"] = 0,
            ["directoryLdap"] = new JsonObject
            {
                ["ssl"] = false, ["startTls"] = false, ["tlsCaPath"] = null, ["sslAllowUnauthorized"] = false,
                ["sslCertPath"] = null, ["sslKeyPath"] = null, ["sslCaPath"] = null,
                ["hostname"] = SlapdServer.Host, ["port"] = slapd.LdapPort, ["domain"] = null,
                ["rootPath"] = "dc=bitwarden,dc=com", ["currentUser"] = false, ["username"] = suffix.AdminDn,
                ["password"] = BwdcConverter.StoredSecurely, ["ad"] = false, ["pagedSearch"] = false,
            },
            ["sync"] = new JsonObject
            {
                ["users"] = true, ["groups"] = true, ["interval"] = 5, ["userFilter"] = null, ["groupFilter"] = null,
                ["removeDisabled"] = false, ["overwriteExisting"] = false, ["largeImport"] = false, ["inviteUsersAfterProvisioning"] = false,
                ["groupObjectClass"] = "posixGroup", ["userObjectClass"] = "person", ["groupPath"] = null, ["userPath"] = null,
                ["groupNameAttribute"] = "cn", ["userEmailAttribute"] = "mail", ["memberAttribute"] = "memberUid",
                ["useEmailPrefixSuffix"] = false, ["emailPrefixAttribute"] = "sAMAccountName", ["emailSuffix"] = null,
                ["creationDateAttribute"] = "whenCreated", ["revisionDateAttribute"] = "whenChanged",
            },
        };

        using var converted = await ConvertedManifests.ConvertTextAsync(dataJson.ToJsonString(), "--name", "upstream");
        converted.Result.ExitCode.Should().Be(0, converted.Result.ToString());
        converted.Result.Error.Should().Contain("not carried over: sync.revisionDateAttribute: \"whenChanged\"");
        converted.Fill(PlaceholderSecret.BindPassword, suffix.AdminPassword);

        var result = await CliRunner.RunAsync("test", "-f", converted.ManifestPath, "-o", "json");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().NotContain(suffix.AdminPassword);
        await UpstreamDirectory20.ShouldBeTheExpectedUsersAndGroupsAsync(result.Output);
    }
}
