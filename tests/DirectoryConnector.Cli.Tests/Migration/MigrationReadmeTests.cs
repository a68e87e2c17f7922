using DirectoryConnector.TestSupport;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.Migration;

/// <summary>
/// README "Migrating from Directory Connector" maps every setting of the original's data.json (issue 12). The list
/// is upstream's, not ours: bitwarden/directory-connector libs/models/state.model.ts (top-level keys),
/// syncConfiguration.ts and ldap/entraId/gsuite/okta/oneLoginConfiguration.ts, as
/// ../shared/reference/bwdc-behaviour.md §1 records them.
/// </summary>
public sealed class MigrationReadmeTests
{
    /// <summary>Each setting with its place in the flat layout (state version 5 and later).</summary>
    public static TheoryData<string> UpstreamSettings => new(
    [
        // state.model.ts
        "environmentUrls.base", "environmentUrls.api", "environmentUrls.identity", "environmentUrls.webVault", "directoryType",
        "organizationId", "entityId", "appId", "lastUserSync", "lastGroupSync", "lastSyncHash", "userDeltaToken", "groupDeltaToken", "syncingDir",
        // syncConfiguration.ts
        "sync.users", "sync.groups", "sync.interval", "sync.userFilter", "sync.groupFilter", "sync.removeDisabled", "sync.overwriteExisting",
        "sync.largeImport", "sync.inviteUsersAfterProvisioning", "sync.groupObjectClass", "sync.userObjectClass", "sync.groupPath",
        "sync.userPath", "sync.groupNameAttribute", "sync.userEmailAttribute", "sync.memberAttribute", "sync.useEmailPrefixSuffix",
        "sync.emailPrefixAttribute", "sync.emailSuffix", "sync.creationDateAttribute", "sync.revisionDateAttribute",
        // ldapConfiguration.ts
        "directoryLdap.ssl", "directoryLdap.startTls", "directoryLdap.tlsCaPath", "directoryLdap.sslAllowUnauthorized",
        "directoryLdap.sslCertPath", "directoryLdap.sslKeyPath", "directoryLdap.sslCaPath", "directoryLdap.hostname", "directoryLdap.port",
        "directoryLdap.domain", "directoryLdap.rootPath", "directoryLdap.currentUser", "directoryLdap.username", "directoryLdap.password",
        "directoryLdap.ad", "directoryLdap.pagedSearch",
        // entraIdConfiguration.ts (the account layout's "azure" before state version 5)
        "directoryEntra.identityAuthority", "directoryEntra.tenant", "directoryEntra.applicationId", "directoryEntra.key", "azure",
        // gsuiteConfiguration.ts
        "directoryGsuite.clientEmail", "directoryGsuite.privateKey", "directoryGsuite.domain", "directoryGsuite.adminUser", "directoryGsuite.customer",
        // oktaConfiguration.ts
        "directoryOkta.orgUrl", "directoryOkta.token",
        // oneLoginConfiguration.ts
        "directoryOnelogin.clientId", "directoryOnelogin.clientSecret", "directoryOnelogin.region",
    ]);

    [Theory]
    [MemberData(nameof(UpstreamSettings))]
    public void TheMigrationTableMapsTheSetting(string setting)
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md")).ReplaceLineEndings("\n");
        var start = readme.IndexOf("\n## Migrating from Directory Connector\n", StringComparison.Ordinal);
        start.Should().BeGreaterThanOrEqualTo(0);
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var table = readme[start..end].Split('\n').Where(line => line.StartsWith("| `", StringComparison.Ordinal));

        // A row names a setting in full (`sync.users`) or, after the first of a list, by its last part (`groups`, `.identity`).
        var leaf = setting[(setting.LastIndexOf('.') + 1)..];
        table.Should().Contain(row => new[] { $"`{setting}`", $"`{leaf}`", $"`.{leaf}`" }.Any(name => row.Split('|')[1].Contains(name, StringComparison.Ordinal)),
            $"a row of the data.json column names {setting} and what it becomes");
    }
}
